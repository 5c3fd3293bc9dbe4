"""Bad input gets a clear 4xx in the one error shape, and the database stays exactly as it was."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bestellwerk.orders.inputs import MAX_LINES, MAX_QUANTITY
from bestellwerk.promotions.services import create_coupon
from tests.api.conftest import assert_error, refused, send

ONE_MIB = 1024 * 1024


def line(**values) -> dict:
    return {"sku": "KAF-1", "quantity": 1} | values


@pytest.fixture
def base(coffee, mug, billing) -> dict:
    """A valid order body; each test spoils one thing."""
    return {"billing_address": billing, "lines": [line()], "payment_method": "invoice"}


def test_unknown_sku(admin_api, base):
    error = refused(
        admin_api, "POST", "/orders", base | {"lines": [line(sku="NOPE-1")]}, 422, "unknown_sku"
    )
    assert error["fields"]["skus"] == ["NOPE-1"]


@pytest.mark.parametrize("quantity", [0, -3, MAX_QUANTITY + 1, 10**30])
def test_quantity_zero_negative_or_absurd(admin_api, base, quantity):
    error = refused(
        admin_api,
        "POST",
        "/orders",
        base | {"lines": [line(quantity=quantity)]},
        422,
        "invalid_input",
    )
    assert "lines.0.quantity" in error["fields"]


def test_too_many_lines(admin_api, base):
    error = refused(
        admin_api,
        "POST",
        "/orders",
        base | {"lines": [line()] * (MAX_LINES + 1)},
        422,
        "invalid_input",
    )
    assert "lines" in error["fields"]


@pytest.mark.parametrize("amount", [12.5, "12,50", "1.999", "abc", "NaN", "99999999.00", True])
def test_malformed_money(admin_api, base, amount):
    custom = {"name": "Sonderposten", "unit_price": amount, "vat_rate": "19", "quantity": 1}
    error = refused(admin_api, "POST", "/orders", base | {"lines": [custom]}, 422, "invalid_input")
    assert "lines.0.unit_price" in error["fields"]


def test_float_money_in_filter_is_refused(admin_api, order):
    response = send(admin_api, "GET", "/orders?total_min=1.234")
    error = assert_error(response, 422, "invalid_input")
    assert "total_min" in error["fields"]


def test_unknown_vat_rate(admin_api, base):
    custom = {"name": "X", "unit_price": "1.00", "vat_rate": "16", "quantity": 1}
    error = refused(admin_api, "POST", "/orders", base | {"lines": [custom]}, 422, "invalid_input")
    assert "lines.0.vat_rate" in error["fields"]


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("payment_method", "bitcoin", "unknown_payment_method"),
        ("shipping_method", "drohne", "unknown_shipping_method"),
        ("lead_source", "flyer-2099", "unknown_lead_source"),
        ("assignee", "niemand", "unknown_assignee"),
        ("customer_id", 999999, "unknown_customer"),
    ],
)
def test_unknown_codes(admin_api, base, field, value, code):
    error = refused(admin_api, "POST", "/orders", base | {field: value}, 422, code)
    assert field in error["fields"]


@pytest.mark.parametrize(("field", "value"), [("channel", "fax"), ("status", "shipped-yesterday")])
def test_unknown_enum_values(admin_api, base, field, value):
    error = refused(admin_api, "POST", "/orders", base | {field: value}, 422, "invalid_input")
    assert field in error["fields"]


def test_unknown_carrier(admin_api, order):
    refused(
        admin_api,
        "POST",
        f"/orders/{order.number}/shipments",
        {"carrier": "brieftaube", "tracking_code": "1"},
        422,
        "unknown_carrier",
    )


def test_forbidden_transition(admin_api, order):
    send(admin_api, "POST", f"/orders/{order.number}/status", {"status": "cancelled"})
    error = refused(
        admin_api,
        "POST",
        f"/orders/{order.number}/status",
        {"status": "shipped"},
        409,
        "invalid_transition",
    )
    assert "processing" in error["fields"]["allowed"]


def test_refunded_is_reached_only_through_refunds(admin_api, order):
    refused(
        admin_api,
        "POST",
        f"/orders/{order.number}/status",
        {"status": "refunded"},
        422,
        "refund_required",
    )


def test_place_an_order_that_is_placed_already(admin_api, order):
    refused(admin_api, "POST", f"/orders/{order.number}/place", {}, 422, "not_a_draft")


def test_unknown_coupon(admin_api, base):
    refused(
        admin_api, "POST", "/orders", base | {"coupon_code": "GIBTSNICHT"}, 422, "coupon_invalid"
    )


def test_expired_coupon(admin_api, base):
    create_coupon(
        code="ALT",
        kind="fixed",
        value="5.00",
        valid_from=timezone.now() - timedelta(days=30),
        valid_until=timezone.now() - timedelta(days=1),
    )
    refused(admin_api, "POST", "/orders", base | {"coupon_code": "ALT"}, 422, "coupon_expired")


def test_expired_coupon_on_existing_cart(admin_api, order):
    create_coupon(
        code="ALT",
        kind="percent",
        value="10",
        valid_until=timezone.now() - timedelta(days=1),
        valid_from=timezone.now() - timedelta(days=2),
    )
    refused(
        admin_api,
        "PUT",
        f"/orders/{order.number}/lines",
        {"lines": [line()], "coupon_code": "ALT"},
        422,
        "coupon_expired",
    )


def test_stock_short_lists_the_skus(admin_api, base):
    body = base | {
        "status": "processing",
        "lines": [line(quantity=11), line(sku="TAS-1", quantity=6)],
    }
    error = refused(admin_api, "POST", "/orders", body, 409, "stock_short")
    assert error["fields"]["skus"] == ["KAF-1", "TAS-1"]


def test_stock_short_on_status_change(admin_api, order, coffee, actor):
    from bestellwerk.catalog.services import adjust_product_stock

    adjust_product_stock(sku="KAF-1", delta=-9, reason="Bruch", actor=actor)
    error = refused(
        admin_api,
        "POST",
        f"/orders/{order.number}/status",
        {"status": "processing"},
        409,
        "stock_short",
    )
    assert error["fields"]["skus"] == ["KAF-1"]


def test_stale_version_in_body(admin_api, order):
    stale = order.version - 1
    error = refused(
        admin_api,
        "PATCH",
        f"/orders/{order.number}",
        {"assignee": "anna", "version": stale},
        409,
        "version_conflict",
    )
    assert error["fields"]["version"] == order.version


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("POST", "/status", {"status": "processing"}),
        ("POST", "/payment-status", {"payment_status": "paid"}),
        ("PUT", "/lines", {"lines": [{"sku": "KAF-1", "quantity": 1}]}),
        ("POST", "/notes", {"body": "zu spät"}),
        ("POST", "/shipments", {"carrier": "dhl", "tracking_code": "1"}),
        ("PATCH", "", {"tags": ["x"]}),
    ],
)
def test_stale_version_in_if_match(admin_api, order, method, suffix, body):
    refused(
        admin_api,
        method,
        f"/orders/{order.number}{suffix}",
        body,
        409,
        "version_conflict",
        **{"If-Match": f'"{order.version - 1}"'},
    )


def test_if_match_with_current_version_passes(admin_api, order):
    response = send(
        admin_api,
        "POST",
        f"/orders/{order.number}/payment-status",
        {"payment_status": "paid"},
        **{"If-Match": f'"{order.version}"'},
    )
    assert response.status_code == 200


def test_malformed_if_match(admin_api, order):
    refused(
        admin_api,
        "POST",
        f"/orders/{order.number}/payment-status",
        {"payment_status": "paid"},
        422,
        "invalid_if_match",
        **{"If-Match": "gestern"},
    )


def test_oversized_body(admin_api, base):
    body = base | {"note": "x" * (ONE_MIB + 10)}
    refused(admin_api, "POST", "/orders", body, 413, "body_too_large")


@pytest.mark.parametrize(
    ("body_change", "field"),
    [
        ({"note": "n" * 5001}, "note"),
        ({"tags": ["t" * 51]}, "tags.0"),
        ({"coupon_code": "C" * 41}, "coupon_code"),
        ({"payment_method": "p" * 41}, "payment_method"),
    ],
)
def test_oversized_strings(admin_api, base, body_change, field):
    error = refused(admin_api, "POST", "/orders", base | body_change, 422, "invalid_input")
    assert field in error["fields"]


def test_oversized_address_field(admin_api, base, billing):
    body = base | {"billing_address": billing | {"first_name": "E" * 101}}
    error = refused(admin_api, "POST", "/orders", body, 422, "invalid_input")
    assert "billing_address.first_name" in error["fields"]


def test_unknown_address_field(admin_api, base, billing):
    body = base | {"billing_address": billing | {"birthday": "1.1.1970"}}
    error = refused(admin_api, "POST", "/orders", body, 422, "invalid_input")
    assert "billing_address.birthday" in error["fields"]


def test_invalid_email_in_billing(admin_api, base, billing):
    body = base | {"billing_address": billing | {"email": "kein-at-zeichen"}}
    refused(admin_api, "POST", "/orders", body, 422, "invalid_address")


@pytest.mark.parametrize(
    "body_change",
    [
        {"lines": [{"sku": "KAF-1", "quantity": "2"}]},
        {"lines": [{"sku": "KAF-1", "quantity": 1.5}]},
        {"lines": "KAF-1"},
        {"customer_id": "eins"},
        {"shipping_same_as_billing": "ja"},
        {"tags": "VIP"},
        {"billing_address": ["Erika"]},
    ],
)
def test_wrong_types(admin_api, base, body_change):
    refused(admin_api, "POST", "/orders", base | body_change, 422, "invalid_input")


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "42"])
def test_body_that_is_not_an_object(admin_api, base, body):
    refused(admin_api, "POST", "/orders", body, 422, "invalid_input")


@pytest.mark.parametrize("body", ["{bad json", '{"lines": [}', "\xff"])
def test_malformed_json(admin_api, base, body):
    refused(admin_api, "POST", "/orders", body, 400, "invalid_json")


def test_note_too_long_on_note_endpoint(admin_api, order):
    error = refused(
        admin_api,
        "POST",
        f"/orders/{order.number}/notes",
        {"body": "n" * 5001},
        422,
        "invalid_input",
    )
    assert "body" in error["fields"]


def test_patch_cannot_null_the_channel(admin_api, order):
    refused(
        admin_api, "PATCH", f"/orders/{order.number}", {"channel": None}, 422, "unknown_channel"
    )


def test_empty_cart_for_placed_order(admin_api, order):
    refused(admin_api, "PUT", f"/orders/{order.number}/lines", {"lines": []}, 422, "empty_order")


def test_unknown_order_number(admin_api, db):
    refused(admin_api, "GET", "/orders/99999", None, 404, "not_found")
    refused(admin_api, "POST", "/orders/99999/status", {"status": "processing"}, 404, "not_found")


@pytest.mark.parametrize("number", ["abc", "0", "-5", str(2**70)])
def test_invalid_order_number_in_path(admin_api, db, number):
    refused(admin_api, "GET", f"/orders/{number}", None, 422, "invalid_input")


def test_unknown_shipment(admin_api, order):
    refused(
        admin_api,
        "PATCH",
        f"/orders/{order.number}/shipments/424242",
        {"tracking_code": "X"},
        404,
        "not_found",
    )


@pytest.mark.parametrize(
    "query",
    [
        "status=verschollen",
        "sort=price",
        "limit=0",
        "limit=201",
        "cursor=%%%",
        "created_from=gestern",
    ],
)
def test_invalid_list_parameters(admin_api, order, query):
    response = send(admin_api, "GET", f"/orders?{query}")
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] in {"invalid_input", "invalid_cursor"}
