"""Refusals answer in the request's language: German by default, English with
`Accept-Language: en`; the code and the status stay the same in both."""

from bestellwerk.catalog.models import Product
from bestellwerk.orders.services import set_order_status
from bestellwerk.payments.services import set_payment_status
from tests.api.conftest import assert_error, send


def both_languages(client, method: str, path: str, body=None) -> tuple[dict, dict]:
    german = send(client, method, path, body)
    english = send(client, method, path, body, **{"Accept-Language": "en"})
    return german, english


def assert_refused_in_both(
    responses: tuple, status: int, code: str, german: str, english: str
) -> tuple[dict, dict]:
    errors = tuple(assert_error(response, status, code) for response in responses)
    assert [error["message"] for error in errors] == [german, english]
    return errors


def test_an_unknown_order(admin_api, db):
    responses = both_languages(admin_api, "GET", "/orders/99999")

    assert_refused_in_both(
        responses,
        404,
        "not_found",
        "Bestellung 99999 gibt es nicht.",
        "Order 99999 does not exist.",
    )


def test_a_status_change_the_lifecycle_does_not_allow(admin_api, order, actor):
    set_order_status(number=order.number, status="shipped", actor=actor)

    responses = both_languages(
        admin_api, "POST", f"/orders/{order.number}/status", {"status": "pending"}
    )

    assert_refused_in_both(
        responses,
        409,
        "invalid_transition",
        "Eine Bestellung kann nicht von „shipped“ zu „pending“ wechseln.",
        "An order cannot go from shipped to pending.",
    )


def test_a_line_refused_with_the_reason_beside_it(admin_api, order, coffee):
    Product.objects.filter(pk=coffee.pk).update(is_active=False)

    responses = both_languages(
        admin_api,
        "PUT",
        f"/orders/{order.number}/lines",
        {"lines": [{"sku": "KAF-1", "quantity": 1}]},
    )

    german, english = assert_refused_in_both(
        responses,
        422,
        "invalid_lines",
        "Einige Positionen sind ungültig.",
        "Some lines are invalid.",
    )
    assert german["fields"] == {"lines.0.sku": "KAF-1 ist nicht im Verkauf"}
    assert english["fields"] == {"lines.0.sku": "KAF-1 is not for sale"}


def test_a_vat_rate_the_schema_refuses(admin_api, order):
    line = {"name": "Geschenkverpackung", "unit_price": "3.50", "vat_rate": "16", "quantity": 1}

    responses = both_languages(admin_api, "PUT", f"/orders/{order.number}/lines", {"lines": [line]})

    german, english = assert_refused_in_both(
        responses, 422, "invalid_input", "Einige Angaben sind ungültig.", "Some values are invalid."
    )
    assert german["fields"] == {"lines.0.vat_rate": "der MwSt.-Satz ist 19, 7 oder 0"}
    assert english["fields"] == {"lines.0.vat_rate": "the VAT rate is 19, 7 or 0"}


def test_a_refund_beyond_what_was_paid(admin_api, order, actor):
    paid = set_payment_status(number=order.number, payment_status="paid", actor=actor)

    responses = both_languages(
        admin_api, "POST", f"/orders/{paid.number}/refunds", {"amount": "999.00"}
    )

    refundable = f"{paid.total:.2f}"
    assert_refused_in_both(
        responses,
        422,
        "refund_exceeds_paid",
        f"Höchstens {refundable} können erstattet werden (bezahlt abzüglich erstattet).",
        f"At most {refundable} can be refunded (paid minus refunded).",
    )


def test_an_unknown_coupon(admin_api, order):
    responses = both_languages(
        admin_api,
        "PUT",
        f"/orders/{order.number}/lines",
        {"lines": [{"sku": "KAF-1", "quantity": 1}], "coupon_code": "NIX"},
    )

    assert_refused_in_both(
        responses,
        422,
        "coupon_invalid",
        "Den Gutschein 'NIX' gibt es nicht.",
        "The coupon 'NIX' does not exist.",
    )


def test_a_product_that_exists_already(admin_api, coffee):
    body = {"sku": "KAF-1", "name": "Kaffee", "price": "9.90"}

    responses = both_languages(admin_api, "POST", "/products", body)

    assert_refused_in_both(
        responses,
        422,
        "sku_exists",
        "Die Artikelnummer 'KAF-1' gibt es schon.",
        "SKU 'KAF-1' exists already.",
    )
