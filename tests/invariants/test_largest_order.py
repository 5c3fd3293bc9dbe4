"""Limits of issue 9: the money columns and the input limits agree.

The largest order anyone can build (250 lines, goods before discount plus shipping exactly
9,999,999.99) fits every column and renders everywhere; every path that would go beyond
answers `order_total_too_large` (HTTP 422) with nothing written; and the database itself
refuses a larger total, on SQLite and PostgreSQL alike.
"""

import json
import re
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from bestellwerk.core.errors import ServiceError
from bestellwerk.core.money import MAX_AMOUNT
from bestellwerk.orders.inputs import MAX_LINES, LineInput
from bestellwerk.orders.models import Order
from bestellwerk.orders.services import (
    create_order,
    set_order_coupon,
    set_order_lines,
    update_order,
)
from bestellwerk.payments.services import record_manual_payment, refund_order
from bestellwerk.promotions.services import create_coupon
from tests.api.conftest import API, assert_error, db_state

pytestmark = pytest.mark.django_db

STANDARD_SHIPPING = Decimal("4.90")
RATES = ["19", "7", "0"]


def largest_lines(*, goods: Decimal = MAX_AMOUNT) -> list[LineInput]:
    """250 custom lines adding up to `goods`: 249 × 40,000.00 and the rest on the last."""
    lines = [
        LineInput(
            quantity=1,
            name=f"Maschine {index}",
            unit_price=Decimal("40000.00"),
            vat_rate=Decimal(RATES[index % 3]),
        )
        for index in range(MAX_LINES - 1)
    ]
    rest = goods - Decimal("40000.00") * (MAX_LINES - 1)
    lines.append(LineInput(quantity=1, name="Rest", unit_price=rest, vat_rate=Decimal("19")))
    return lines


def as_json(lines: list[LineInput]) -> list[dict[str, object]]:
    return [
        {
            "name": line.name,
            "quantity": line.quantity,
            "unit_price": str(line.unit_price),
            "vat_rate": str(line.vat_rate),
        }
        for line in lines
    ]


@pytest.fixture
def free_shipping(db):
    return create_coupon(code="VERSANDFREI", kind="free_shipping")


@pytest.fixture
def largest(actor, billing):
    """The largest order: goods 9,999,995.09 + standard shipping 4.90 = 9,999,999.99."""
    return create_order(
        actor=actor,
        billing_address=billing,
        lines=largest_lines(goods=MAX_AMOUNT - STANDARD_SHIPPING),
        shipping_method="standard",
        payment_method="invoice",
    )


def test_the_largest_order_fits_and_adds_up(largest):
    # given the largest order there may be
    order = Order.objects.get(pk=largest.pk)
    # then every amount is stored as built: total exactly the maximum, VAT per rate adding up
    assert order.lines.count() == MAX_LINES
    assert (order.subtotal, order.shipping_total) == (
        MAX_AMOUNT - STANDARD_SHIPPING,
        Decimal("4.90"),
    )
    assert order.total == order.balance == MAX_AMOUNT
    assert sum(Decimal(t["tax"]) for t in order.tax_breakdown) == order.tax_total
    assert sum(Decimal(t["net"]) + Decimal(t["tax"]) for t in order.tax_breakdown) == MAX_AMOUNT
    assert {t["rate"] for t in order.tax_breakdown} == {"19.00", "7.00", "0.00"}


def test_the_largest_order_may_be_paid_in_full_and_refunded(actor, largest):
    # when it is paid in full, and a part is refunded
    record_manual_payment(number=largest.number, amount=MAX_AMOUNT, actor=actor)
    refund_order(number=largest.number, amount="0.99", actor=actor)
    # then the ledger sums hold the largest amounts too
    order = Order.objects.get(pk=largest.pk)
    assert (order.paid_total, order.refunded_total) == (MAX_AMOUNT, Decimal("0.99"))
    # (a refund of a paid order lowers what it costs: nothing is owed either way)
    assert (order.credited_total, order.balance) == (Decimal("0.99"), Decimal("0.00"))
    assert order.payment_status == "partially_refunded"
    # and no more than the maximum is ever taken in for one order
    with pytest.raises(ServiceError) as error:
        record_manual_payment(number=largest.number, amount="0.01", actor=actor)
    assert error.value.code == "payment_too_large"


@pytest.fixture
def extremes(actor, largest, billing):
    """Orders of one customer with the extreme amounts: the largest unpaid (balance
    +9,999,999.99), the largest paid and partly refunded, and one paid in full before its
    cart shrank to 1 line (balance −9,999,959.99: owed back)."""
    paid = create_order(
        actor=actor, billing_address=billing, lines=largest_lines(), payment_method="invoice"
    )
    record_manual_payment(number=paid.number, amount=MAX_AMOUNT, actor=actor)
    refund_order(number=paid.number, amount="9999999.00", actor=actor)
    shrunk = create_order(
        actor=actor, billing_address=billing, lines=largest_lines(), payment_method="invoice"
    )
    record_manual_payment(number=shrunk.number, amount=MAX_AMOUNT, actor=actor)
    set_order_lines(
        number=shrunk.number,
        lines=[LineInput(quantity=1, name="Eine", unit_price=Decimal("40000.00"), vat_rate=19)],
        actor=actor,
    )
    orders = {o.number: o for o in Order.objects.all()}
    assert orders[largest.number].balance == MAX_AMOUNT
    assert orders[shrunk.number].balance == Decimal("-9959999.99")
    assert len({o.customer_id for o in orders.values()}) == 1
    return orders


def test_the_staff_screens_render_the_largest_amounts(admin_user, extremes):
    # given a signed-in owner and the extreme orders of one customer
    client = Client()
    client.force_login(admin_user)
    customer_id = next(iter(extremes.values())).customer_id
    # when the order list, each order page and the customer page are opened
    listing = client.get("/orders/")
    pages = [client.get(f"/orders/{number}/") for number in extremes]
    customer = client.get(f"/customers/{customer_id}/")
    # then each renders, with the largest amounts on it (German, grouped or not)
    for response in (listing, *pages, customer):
        assert response.status_code == 200
        assert re.search(r"9\.?999\.?999,99", response.content.decode())
    for number in extremes:
        assert str(number) in listing.content.decode()
        assert str(number) in customer.content.decode()
    # and the list filtered and sorted by the largest amounts too
    for query in ("?sort=-total", "?total_min=9999999.99", "?payment_status=partially_refunded"):
        assert client.get("/orders/" + query).status_code == 200


def test_the_api_lists_and_answers_the_largest_amounts(admin_api, extremes):
    # when the API lists the orders, by balance too, and answers each one
    listing = admin_api.get(f"{API}/orders?limit=200")
    due = admin_api.get(f"{API}/orders?balance=due")
    refund_due = admin_api.get(f"{API}/orders?balance=refund_due")
    details = [admin_api.get(f"{API}/orders/{number}") for number in extremes]
    # then everything answers, every amount to the cent
    assert listing.status_code == due.status_code == refund_due.status_code == 200
    totals = {item["number"]: item["totals"] for item in listing.json()["items"]}
    assert {number: t["total"] for number, t in totals.items()} == {
        number: f"{order.total:.2f}" for number, order in extremes.items()
    }
    assert {n: t["balance"] for n, t in totals.items()} == {
        n: f"{o.balance:.2f}" for n, o in extremes.items()
    }
    assert "9999999.99" in {t["paid"] for t in totals.values()}
    assert sorted(item["number"] for item in due.json()["items"]) == sorted(
        number for number, order in extremes.items() if order.balance > 0
    )
    assert [item["totals"]["balance"] for item in refund_due.json()["items"]] == ["-9959999.99"]
    for response in details:
        assert response.status_code == 200
        body = response.json()
        assert len(body["lines"]) in (1, MAX_LINES)


# --------------------------------------------------------------------------- beyond the limit


def _refused(call) -> None:
    before = db_state()
    with pytest.raises(ServiceError) as error:
        call()
    assert error.value.code == "order_total_too_large"
    assert error.value.fields["max"] == "9999999.99"
    assert db_state() == before


def test_create_beyond_the_maximum_is_refused(actor, billing):
    # goods of 9,999,999.99 plus 4.90 shipping: 4.90 too many
    _refused(
        lambda: create_order(
            actor=actor,
            billing_address=billing,
            lines=largest_lines(),
            shipping_method="standard",
        )
    )
    # and a single line beyond it (10,000 × 1,000.00) as a draft too
    _refused(
        lambda: create_order(
            actor=actor,
            status="draft",
            lines=[
                LineInput(
                    quantity=10_000, name="Schrauben", unit_price=Decimal("1000.00"), vat_rate=19
                )
            ],
        )
    )
    assert not Order.objects.exists()


def test_set_lines_beyond_the_maximum_is_refused(actor, largest):
    _refused(lambda: set_order_lines(number=largest.number, lines=largest_lines(), actor=actor))


def test_a_shipping_change_beyond_the_maximum_is_refused(actor, billing):
    # given an order of exactly the maximum without shipping
    order = create_order(actor=actor, billing_address=billing, lines=largest_lines())
    assert order.total == MAX_AMOUNT
    # then adding shipping is refused
    _refused(lambda: update_order(number=order.number, shipping_method="express", actor=actor))


def test_a_coupon_change_that_brings_shipping_back_is_refused(actor, billing, free_shipping):
    # given goods of exactly the maximum, with standard shipping made free by a coupon
    order = create_order(
        actor=actor,
        billing_address=billing,
        lines=largest_lines(),
        shipping_method="standard",
        coupon_code="VERSANDFREI",
    )
    assert (order.total, order.shipping_total) == (MAX_AMOUNT, Decimal("0.00"))
    create_coupon(code="ZEHN", kind="percent", value="10")
    # then removing the coupon, or replacing it, would charge shipping again: refused
    _refused(lambda: set_order_coupon(number=order.number, coupon_code=None, actor=actor))
    _refused(lambda: set_order_coupon(number=order.number, coupon_code="ZEHN", actor=actor))
    _refused(
        lambda: set_order_lines(
            number=order.number, lines=largest_lines(), coupon_code="", actor=actor
        )
    )


def _api(client, method: str, path: str, body: dict) -> object:
    return client.generic(
        method, API + path, data=json.dumps(body), content_type="application/json"
    )


def test_the_api_answers_422_on_every_path_beyond_the_maximum(
    actor, admin_api, largest, free_shipping
):
    # given the largest order (with shipping) and one of the maximum made shipping-free
    boxed = create_order(
        actor=actor,
        lines=largest_lines(),
        shipping_method="standard",
        coupon_code="VERSANDFREI",
    )
    before = db_state()
    too_many_screws = [{"name": "Schraube", "quantity": 10_000, "unit_price": "1000.00"}]
    too_many_screws[0]["vat_rate"] = "19"
    # when every path tries to go beyond the maximum
    answers = [
        _api(
            admin_api,
            "POST",
            "/orders",
            {"lines": as_json(largest_lines()), "shipping_method": "standard"},
        ),
        _api(admin_api, "POST", "/orders", {"status": "draft", "lines": too_many_screws}),
        _api(
            admin_api, "PUT", f"/orders/{largest.number}/lines", {"lines": as_json(largest_lines())}
        ),
        _api(admin_api, "PATCH", f"/orders/{largest.number}", {"shipping_method": "express"}),
        _api(
            admin_api,
            "PUT",
            f"/orders/{boxed.number}/lines",
            {"lines": as_json(largest_lines()), "coupon_code": None},
        ),
    ]
    # then each is refused with 422 order_total_too_large, and nothing was written
    for response in answers:
        error = assert_error(response, 422, "order_total_too_large")
        assert error["fields"]["max"] == "9999999.99"
    assert db_state() == before


# --------------------------------------------------------------------------- the database


def test_the_database_refuses_a_total_beyond_the_maximum(largest):
    # given the largest order, its balance and payment status consistent with any total
    beyond = MAX_AMOUNT + Decimal("0.01")
    # when its total is written directly, past the services
    for columns in ({"total": beyond, "balance": beyond}, {"subtotal": beyond}):
        with pytest.raises(IntegrityError) as error, transaction.atomic():
            Order.objects.filter(pk=largest.pk).update(**columns)
        # then the constraint that backs the limit refuses it
        assert "order_total_lte_max" in str(error.value)
    assert Order.objects.get(pk=largest.pk).total == MAX_AMOUNT
