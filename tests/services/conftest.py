"""Helpers for the service tests: products, coupons, and a snapshot of everything a failed
service must leave as it was."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from bestellwerk.catalog.models import Product, StockMovement
from bestellwerk.catalog.services import create_product
from bestellwerk.core.models import Tag
from bestellwerk.customers.models import Customer
from bestellwerk.orders.models import Order, OrderEvent, OrderLine, OrderNote
from bestellwerk.promotions.models import Coupon, CouponRedemption
from bestellwerk.promotions.services import create_coupon
from bestellwerk.shipping.models import Shipment


def db_state() -> dict[str, Any]:
    """Row counts, stock, coupon uses and every order's version and money: a failed
    service call must leave all of it exactly as it was."""
    state: dict[str, Any] = {
        model.__name__: model.objects.count()
        for model in (
            Order,
            OrderLine,
            OrderEvent,
            OrderNote,
            StockMovement,
            Customer,
            CouponRedemption,
            Shipment,
            Tag,
            Product,
        )
    }
    state["stock"] = dict(Product.objects.values_list("sku", "stock_quantity"))
    state["coupons_used"] = dict(Coupon.objects.values_list("code", "times_used"))
    state["orders"] = {
        o["number"]: o
        for o in Order.objects.values(
            "number", "version", "status", "total", "stock_held", "coupon_id", "customer_id"
        )
    }
    state["lines"] = list(
        OrderLine.objects.order_by("pk").values_list(
            "order_id", "sku", "quantity", "stock_deducted"
        )
    )
    state["customers"] = list(Customer.objects.order_by("pk").values())
    return state


@pytest.fixture
def snapshot() -> Callable[[], dict[str, Any]]:
    return db_state


@pytest.fixture
def tea(actor) -> Product:
    """A product with customer tags: buying it tags the customer."""
    return create_product(
        sku="TEE-1",
        name="Grüner Tee 100 g",
        price="6.50",
        vat_rate="7",
        stock_quantity=20,
        customer_tags=["Teetrinker"],
        actor=actor,
    )


@pytest.fixture
def voucher(actor) -> Product:
    """A product that does not track stock (a gift voucher)."""
    return create_product(
        sku="GUT-25",
        name="Gutschein 25 €",
        price="25.00",
        vat_rate="0",
        track_stock=False,
        actor=actor,
    )


@pytest.fixture
def make_coupon(db) -> Callable[..., Coupon]:
    def make(code: str = "SPAR10", kind: str = "percent", value: str = "10", **kwargs) -> Coupon:
        return create_coupon(code=code, kind=kind, value=value, **kwargs)

    return make


def money(value: str) -> Decimal:
    return Decimal(value)
