"""Refunds: bounds, partial then full, by lines with restock (once), idempotency, providers."""

from decimal import Decimal

import pytest

from bestellwerk.catalog.models import Product, StockMovement, StockReason
from bestellwerk.core.errors import ServiceError
from bestellwerk.orders.models import Order, OrderEventType, OrderLine, OrderStatus
from bestellwerk.orders.services import set_order_status
from bestellwerk.payments.models import Refund
from bestellwerk.payments.selectors import refund_summary
from bestellwerk.payments.services import RefundLineInput, refund_order

pytestmark = pytest.mark.django_db


def _order(number: int) -> Order:
    return Order.objects.get(number=number)


def _events(order: Order, type: str) -> list[dict]:
    return [e.data for e in order.events.filter(type=type).order_by("id")]


def _stock(sku: str) -> int:
    return Product.objects.get(sku=sku).stock_quantity


# --------------------------------------------------------------------------- by amount


def test_partial_then_full_refund_moves_the_payment_status(paid_order, actor):
    first = refund_order(
        number=paid_order.number, actor=actor, amount="20.00", reason="Kulanz", notify_customer=True
    )

    assert (first.status, first.provider, first.amount) == ("succeeded", "manual", Decimal("20"))
    assert _order(paid_order.number).payment_status == "partially_refunded"
    [refunded] = _events(paid_order, OrderEventType.REFUNDED)
    assert refunded["amount"] == "20.00"
    assert refunded["notify_customer"] is True
    assert refunded["reason"] == "Kulanz"
    assert refunded["payment_status"] == "partially_refunded"

    second = refund_order(number=paid_order.number, actor=actor, amount="34.60")

    assert second.status == "succeeded"
    order = _order(paid_order.number)
    assert order.payment_status == "refunded"
    assert order.status == "pending"
    assert _events(order, OrderEventType.PAYMENT_STATUS_CHANGED)[-2:] == [
        {"from": "paid", "to": "partially_refunded"},
        {"from": "partially_refunded", "to": "refunded"},
    ]
    summary = refund_summary(order=order)
    assert (summary.paid, summary.refunded, summary.refundable) == (
        Decimal("54.60"),
        Decimal("54.60"),
        Decimal("0"),
    )


def test_sums_of_refunds_are_exact_cents(paid_order, actor):
    for amount in ("0.10", "0.20", "0.10", "0.20"):
        refund_order(number=paid_order.number, actor=actor, amount=amount)

    summary = refund_summary(order=_order(paid_order.number))

    assert str(summary.refunded) == "0.60"
    assert str(summary.refundable) == "54.00"


def test_never_more_than_paid_minus_refunded(paid_order, actor):
    refund_order(number=paid_order.number, actor=actor, amount="50.00")

    with pytest.raises(ServiceError) as error:
        refund_order(number=paid_order.number, actor=actor, amount="4.61")

    assert error.value.code == "refund_exceeds_paid"
    assert error.value.fields == {"amount": "4.61", "refundable": "4.60"}
    assert Refund.objects.count() == 1
    assert _order(paid_order.number).payment_status == "partially_refunded"


def test_an_unpaid_order_has_nothing_to_refund(order, actor):
    with pytest.raises(ServiceError) as error:
        refund_order(number=order.number, actor=actor, amount="1.00")
    assert error.value.code == "not_paid"
    assert not Refund.objects.exists()


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({"amount": "0"}, "invalid_amount"),
        ({"amount": "-5.00"}, "invalid_amount"),
        ({"amount": 5.5}, "invalid_amount"),
        ({"amount": "1.234"}, "invalid_amount"),
        ({"amount": "zehn"}, "invalid_amount"),
        ({}, "invalid_refund"),
        ({"amount": "0", "lines": [RefundLineInput(sku="KAF-1", quantity=1)]}, "invalid_amount"),
        ({"amount": "54.61", "include_shipping": True}, "refund_exceeds_paid"),
        ({"amount": "1.00", "reason": "x" * 501}, "invalid_reason"),
        ({"lines": [RefundLineInput(sku="NOPE", quantity=1)]}, "invalid_lines"),
        ({"lines": [RefundLineInput(sku="KAF-1", quantity=3)]}, "invalid_lines"),
        ({"lines": [RefundLineInput(sku="KAF-1", quantity=0)]}, "invalid_lines"),
        ({"lines": [RefundLineInput(sku="KAF-1", quantity=True)]}, "invalid_lines"),
        ({"amount": "1.00", "idempotency_key": ""}, "invalid_idempotency_key"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(paid_order, actor, arguments, code):
    version = _order(paid_order.number).version

    with pytest.raises(ServiceError) as error:
        refund_order(number=paid_order.number, actor=actor, **arguments)

    assert error.value.code == code
    assert not Refund.objects.exists()
    assert _order(paid_order.number).version == version


def test_an_unknown_order_is_not_found(db, actor):
    with pytest.raises(ServiceError) as error:
        refund_order(number=4711, actor=actor, amount="1.00")
    assert error.value.code == "not_found"


def test_a_stale_version_is_a_conflict(paid_order, actor):
    with pytest.raises(ServiceError) as error:
        refund_order(
            number=paid_order.number,
            actor=actor,
            amount="1.00",
            expected_version=paid_order.version - 1,
        )
    assert error.value.code == "version_conflict"


# --------------------------------------------------------------------------- by lines


def test_lines_and_shipping_are_refunded_at_their_line_totals(paid_order, actor):
    refund = refund_order(
        number=paid_order.number,
        actor=actor,
        lines=[RefundLineInput(sku="KAF-1", quantity=1), RefundLineInput(sku="TAS-1", quantity=1)],
        include_shipping=True,
    )

    assert refund.amount == Decimal("19.90") + Decimal("9.90") + Decimal("4.90")
    assert refund.shipping_amount == Decimal("4.90")
    assert [(line.sku, line.quantity, line.amount) for line in refund.lines.all()] == [
        ("KAF-1", 1, Decimal("19.90")),
        ("TAS-1", 1, Decimal("9.90")),
    ]
    [event] = _events(paid_order, OrderEventType.REFUNDED)
    assert event["lines"][0] == {
        "sku": "KAF-1",
        "name": "Kaffee Crema 1 kg",
        "quantity": 1,
        "amount": "19.90",
    }
    assert event["shipping"] == "4.90"


def test_the_computed_amount_of_lines_may_be_edited(paid_order, actor):
    refund = refund_order(
        number=paid_order.number,
        actor=actor,
        lines=[RefundLineInput(sku="KAF-1", quantity=1)],
        amount="15.00",
        restock=True,
    )

    assert refund.amount == Decimal("15.00")
    assert [(line.sku, line.quantity, line.amount) for line in refund.lines.all()] == [
        ("KAF-1", 1, Decimal("19.90"))
    ]


def test_a_line_is_not_refunded_beyond_its_quantity_nor_shipping_twice(paid_order, actor):
    refund_order(
        number=paid_order.number,
        actor=actor,
        lines=[RefundLineInput(sku="KAF-1", quantity=1)],
        include_shipping=True,
    )
    refund_order(number=paid_order.number, actor=actor, lines=[RefundLineInput("KAF-1", 1)])

    with pytest.raises(ServiceError) as error:
        refund_order(number=paid_order.number, actor=actor, lines=[RefundLineInput("KAF-1", 1)])
    assert error.value.code == "invalid_lines"
    assert error.value.fields == {"lines.KAF-1": "höchstens noch 0 zu erstatten"}

    with pytest.raises(ServiceError) as nothing:
        refund_order(number=paid_order.number, actor=actor, include_shipping=True)
    assert nothing.value.code == "nothing_to_refund"


def test_restock_puts_refunded_units_back_once_and_a_later_cancel_only_the_rest(paid_order, actor):
    set_order_status(number=paid_order.number, status="processing", actor=actor)
    assert (_stock("KAF-1"), _stock("TAS-1")) == (8, 4)

    refund = refund_order(
        number=paid_order.number,
        actor=actor,
        lines=[RefundLineInput(sku="KAF-1", quantity=1)],
        restock=True,
    )

    assert _stock("KAF-1") == 9
    [movement] = StockMovement.objects.filter(reason=StockReason.REFUND_RESTOCK)
    assert (movement.delta, movement.quantity_after, movement.order_id) == (1, 9, paid_order.pk)
    assert refund.lines.get().restocked_quantity == 1
    assert OrderLine.objects.get(order=paid_order, sku="KAF-1").stock_deducted == 1

    set_order_status(number=paid_order.number, status="cancelled", actor=actor)

    assert (_stock("KAF-1"), _stock("TAS-1")) == (10, 5)
    assert StockMovement.objects.filter(reason=StockReason.REFUND_RESTOCK).count() == 1


def test_without_restock_the_stock_stays(paid_order, actor):
    set_order_status(number=paid_order.number, status="processing", actor=actor)

    refund_order(number=paid_order.number, actor=actor, lines=[RefundLineInput("KAF-1", 2)])

    assert _stock("KAF-1") == 8
    assert not StockMovement.objects.filter(reason=StockReason.REFUND_RESTOCK).exists()


def test_restock_of_an_order_that_holds_no_stock_moves_nothing(paid_order, actor):
    refund = refund_order(
        number=paid_order.number, actor=actor, lines=[RefundLineInput("KAF-1", 1)], restock=True
    )

    assert _stock("KAF-1") == 10
    assert refund.lines.get().restocked_quantity == 0


# --------------------------------------------------------------------------- order status


def test_a_full_refund_may_set_the_order_status_refunded_restocking_the_rest(paid_order, actor):
    set_order_status(number=paid_order.number, status="processing", actor=actor)

    refund_order(
        number=paid_order.number,
        actor=actor,
        lines=[RefundLineInput("KAF-1", 1)],
        restock=True,
        set_status_refunded=True,
    )
    assert _order(paid_order.number).status == "processing"

    refund_order(
        number=paid_order.number,
        actor=actor,
        lines=[RefundLineInput("KAF-1", 1), RefundLineInput("TAS-1", 1)],
        include_shipping=True,
        restock=True,
        set_status_refunded=True,
    )

    order = _order(paid_order.number)
    assert (order.status, order.payment_status, order.stock_held) == (
        "refunded",
        "refunded",
        False,
    )
    assert (_stock("KAF-1"), _stock("TAS-1")) == (10, 5)
    restocked = StockMovement.objects.filter(reason=StockReason.REFUND_RESTOCK).order_by("id")
    assert [(m.product.sku, m.delta) for m in restocked] == [
        ("KAF-1", 1),
        ("KAF-1", 1),
        ("TAS-1", 1),
    ]
    # Everything held was restocked by the refunds: the status change has nothing left.
    assert not StockMovement.objects.filter(reason=StockReason.ORDER_RESTOCKED).exists()


def test_a_full_refund_may_close_an_order_in_any_placed_status(paid_order, actor):
    # given a paid order still pending (nothing shipped yet)
    assert paid_order.status == OrderStatus.PENDING
    # when everything is refunded and staff ask for the status
    refund_order(number=paid_order.number, actor=actor, amount="54.60", set_status_refunded=True)
    # then the order is closed as refunded
    order = Order.objects.get(pk=paid_order.pk)
    assert (order.status, order.payment_status) == ("refunded", "refunded")


# --------------------------------------------------------------------------- idempotency


def test_the_same_idempotency_key_answers_the_first_refund(paid_order, actor):
    first = refund_order(
        number=paid_order.number, actor=actor, amount="10.00", idempotency_key="k-1"
    )
    again = refund_order(
        number=paid_order.number, actor=actor, amount="10.00", idempotency_key="k-1"
    )

    assert again.pk == first.pk
    assert Refund.objects.count() == 1
    assert len(_events(paid_order, OrderEventType.REFUNDED)) == 1


def test_an_idempotency_key_reused_for_another_refund_is_a_conflict(paid_order, actor):
    refund_order(number=paid_order.number, actor=actor, amount="10.00", idempotency_key="k-1")

    with pytest.raises(ServiceError) as error:
        refund_order(number=paid_order.number, actor=actor, amount="11.00", idempotency_key="k-1")
    assert error.value.code == "idempotency_conflict"
    assert Refund.objects.count() == 1


def test_asking_for_status_refunded_with_a_partial_refund_is_fine_anywhere(paid_order, actor):
    refund = refund_order(
        number=paid_order.number, actor=actor, amount="5.00", set_status_refunded=True
    )

    assert refund.status == "succeeded"
    assert _order(paid_order.number).status == "pending"
