"""Bounds of the catalog and coupon services: bad input is refused and writes nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bestellwerk.catalog.models import Product, StockMovement, StockReason
from bestellwerk.catalog.services import create_product, parse_vat_rate, update_product
from bestellwerk.core.errors import ServiceError
from bestellwerk.orders.inputs import LineInput
from bestellwerk.orders.services import create_order, set_order_lines, update_order
from bestellwerk.promotions.models import Coupon
from bestellwerk.promotions.services import create_coupon


def assert_refused(code, snapshot, call) -> ServiceError:
    before = snapshot()
    with pytest.raises(ServiceError) as exc:
        call()
    assert exc.value.code == code, exc.value.message
    assert snapshot() == before
    return exc.value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("19", Decimal("19.00")),
        ("7.00", Decimal("7.00")),
        (0, Decimal("0.00")),
        (Decimal("19"), Decimal("19.00")),
    ],
)
def test_parse_vat_rate(value, expected):
    assert parse_vat_rate(value) == expected


@pytest.mark.parametrize("value", ["16", "abc", "", None, 19.0, True, "NaN", "Infinity", "1e3"])
def test_parse_vat_rate_refuses(value):
    with pytest.raises(ValueError, match="19, 7 oder 0"):
        parse_vat_rate(value)


def test_create_product_with_initial_stock_and_tags(actor):
    product = create_product(
        sku=" BIO-1 ",
        name=" Bio-Tee ",
        price="4.50",
        vat_rate=7,
        stock_quantity=12,
        customer_tags=["Bio", "bio"],
        actor=actor,
    )
    assert (product.sku, product.name, product.price, product.vat_rate) == (
        "BIO-1",
        "Bio-Tee",
        Decimal("4.50"),
        Decimal("7.00"),
    )
    assert product.stock_quantity == 12
    assert list(product.customer_tags.values_list("name", flat=True)) == ["Bio"]
    movement = StockMovement.objects.get(product=product)
    assert (movement.delta, movement.quantity_after, movement.reason, movement.note) == (
        12,
        12,
        StockReason.MANUAL,
        "initial stock",
    )


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"sku": ""}, "invalid_sku"),
        ({"sku": "X" * 65}, "invalid_sku"),
        ({"sku": "TEE/1"}, "invalid_sku"),
        ({"sku": "TEE 1"}, "invalid_sku"),
        ({"sku": "TEE\x1b1"}, "invalid_sku"),
        ({"sku": "KAF-1"}, "sku_exists"),
        ({"name": "  "}, "invalid_name"),
        ({"name": "N" * 201}, "invalid_name"),
        ({"price": "-1.00"}, "invalid_amount"),
        ({"price": "1.234"}, "invalid_amount"),
        ({"price": 1.5}, "invalid_amount"),
        ({"price": "zehn"}, "invalid_amount"),
        ({"vat_rate": "16"}, "invalid_vat_rate"),
        ({"vat_rate": "abc"}, "invalid_vat_rate"),
        ({"stock_quantity": -1}, "invalid_quantity"),
        ({"stock_quantity": "5"}, "invalid_quantity"),
        ({"stock_quantity": 10**9}, "invalid_quantity"),
        ({"customer_tags": ["t" * 51]}, "invalid_tag"),
    ],
)
def test_create_product_refusals(actor, coffee, snapshot, kwargs, code):
    values = {"sku": "NEU-1", "name": "Neu", "price": "1.00", **kwargs}
    assert_refused(code, snapshot, lambda: create_product(actor=actor, **values))


def test_update_product(coffee):
    product = update_product(
        sku="KAF-1",
        values={"price": "21.90", "vat_rate": "19", "is_active": False},
        customer_tags=["Kaffee"],
    )
    assert (product.price, product.vat_rate, product.is_active) == (
        Decimal("21.90"),
        Decimal("19.00"),
        False,
    )
    assert list(product.customer_tags.values_list("name", flat=True)) == ["Kaffee"]


@pytest.mark.parametrize(
    ("sku", "values", "code"),
    [
        ("KAF-1", {"stock_quantity": 99}, "invalid_field"),
        ("KAF-1", {"sku": "NEU"}, "invalid_field"),
        ("KAF-1", {"vat_rate": "x"}, "invalid_vat_rate"),
        ("KAF-1", {"name": ""}, "invalid_name"),
        ("NOPE", {"name": "x"}, "not_found"),
    ],
)
def test_update_product_refusals(coffee, snapshot, sku, values, code):
    assert_refused(code, snapshot, lambda: update_product(sku=sku, values=values))


def test_backorders_cannot_be_switched_off_while_stock_is_negative(actor, snapshot):
    create_product(
        sku="B-1", name="B", price="1.00", stock_quantity=-3, allow_backorder=True, actor=actor
    )
    assert Product.objects.get(sku="B-1").stock_quantity == -3
    assert_refused(
        "invalid_quantity",
        snapshot,
        lambda: update_product(sku="B-1", values={"allow_backorder": False}),
    )


@pytest.mark.parametrize(
    ("vat_rate", "message"),
    [("abc", "19, 7 oder 0"), ("16", "19, 7 oder 0"), (None, "19, 7 oder 0")],
)
def test_custom_line_with_a_bad_vat_rate(actor, order, snapshot, vat_rate, message):
    error = assert_refused(
        "invalid_lines",
        snapshot,
        lambda: set_order_lines(
            number=order.number,
            lines=[LineInput(1, name="Extra", unit_price="1.00", vat_rate=vat_rate)],
            actor=actor,
        ),
    )
    assert error.fields == {"lines.0.vat_rate": message}


def test_an_address_that_is_not_an_object(actor, order, snapshot):
    error = assert_refused(
        "invalid_address",
        snapshot,
        lambda: update_order(number=order.number, billing_address=["Berlin"], actor=actor),
    )
    assert error.fields == {"billing_address": "kein Objekt"}


# ------------------------------------------------------------------------------ coupons


def test_create_coupon_normalizes_the_code(db):
    coupon = create_coupon(code=" sommer24 ", kind="fixed", value="5", min_subtotal="20")
    assert (coupon.code, coupon.value, coupon.min_subtotal) == (
        "SOMMER24",
        Decimal("5.00"),
        Decimal("20.00"),
    )


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"code": ""}, "invalid_code"),
        ({"code": "X" * 41}, "invalid_code"),
        ({"code": "vorhanden"}, "code_exists"),
        ({"kind": "gift"}, "invalid_kind"),
        ({"kind": "percent", "value": "0"}, "invalid_amount"),
        ({"kind": "percent", "value": "100.01"}, "invalid_amount"),
        ({"kind": "fixed", "value": "0"}, "invalid_amount"),
        ({"kind": "fixed", "value": "-5"}, "invalid_amount"),
        ({"value": "zehn"}, "invalid_amount"),
        ({"min_subtotal": "-1"}, "invalid_amount"),
        ({"usage_limit": 0}, "invalid_limit"),
        ({"usage_limit": -1}, "invalid_limit"),
        ({"usage_limit_per_customer": "2"}, "invalid_limit"),
        ({"usage_limit": 10**10}, "invalid_limit"),
        (
            {"valid_from": timezone.now(), "valid_until": timezone.now() - timedelta(days=1)},
            "invalid_dates",
        ),
    ],
)
def test_create_coupon_refusals(db, snapshot, kwargs, code):
    create_coupon(code="VORHANDEN", kind="percent", value="10")
    values = {"code": "NEU", "kind": "percent", "value": "10", **kwargs}
    assert_refused(code, snapshot, lambda: create_coupon(**values))
    assert Coupon.objects.count() == 1


def test_percent_coupon_of_one_hundred_makes_the_goods_free(actor, mug, billing):
    create_coupon(code="GRATIS", kind="percent", value="100")
    order = create_order(
        actor=actor,
        billing_address=billing,
        lines=[LineInput(1, sku=mug.sku)],
        shipping_method="standard",
        coupon_code="GRATIS",
    )
    assert (order.discount_total, order.total) == (Decimal("9.90"), Decimal("4.90"))
