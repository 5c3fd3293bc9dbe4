"""Helpers for the API tests: JSON requests and a snapshot of everything the API may write."""

import json
from typing import Any

import pytest
from django.test import Client

from bestellwerk.api.models import IdempotencyKey
from bestellwerk.catalog.models import Product, StockMovement
from bestellwerk.core.models import Tag
from bestellwerk.customers.models import Customer
from bestellwerk.orders.models import Order, OrderEvent, OrderLine, OrderNote
from bestellwerk.promotions.models import Coupon, CouponRedemption
from bestellwerk.shipping.models import Shipment

API = "/api/v1"

_COUNTED_MODELS = (
    Order,
    OrderLine,
    OrderEvent,
    OrderNote,
    Shipment,
    StockMovement,
    Customer,
    Product,
    Coupon,
    CouponRedemption,
    Tag,
    IdempotencyKey,
)


def db_state() -> dict[str, Any]:
    """Everything a refused request must leave exactly as it was."""
    return {
        "counts": {model.__name__: model.objects.count() for model in _COUNTED_MODELS},
        "stock": dict(Product.objects.values_list("sku", "stock_quantity")),
        "products": list(Product.objects.order_by("sku").values_list("sku", "name", "price")),
        "orders": list(
            Order.objects.order_by("pk").values_list(
                "number", "status", "payment_status", "version", "total", "coupon_id"
            )
        ),
        "lines": list(OrderLine.objects.order_by("pk").values_list("order_id", "sku", "quantity")),
        "coupons": dict(Coupon.objects.values_list("code", "times_used")),
    }


def send(client: Client, method: str, path: str, body: Any = None, **headers: str) -> Any:
    """A JSON request to the API; `body` may be a ready string (malformed JSON)."""
    data = body if isinstance(body, str | bytes) or body is None else json.dumps(body)
    return client.generic(
        method,
        API + path,
        data=data or "",
        content_type="application/json",
        headers=headers,
    )


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code, body
    assert body["error"]["message"]
    return body["error"]


def refused(
    client: Client, method: str, path: str, body: Any, status: int, code: str, **headers: str
) -> dict[str, Any]:
    """Send a request that must be refused; assert the error and that nothing changed."""
    before = db_state()
    error = assert_error(send(client, method, path, body, **headers), status, code)
    assert db_state() == before
    return error


@pytest.fixture
def anon_api() -> Client:
    return Client()
