"""The payments ledger (issue 9): manual payments, voids, the paid/unpaid shorthand, who may
touch money, and the database refusing to change a ledger row."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from bestellwerk.core.actors import Actor
from bestellwerk.core.errors import ServiceError
from bestellwerk.orders.inputs import LineInput
from bestellwerk.orders.models import Order, OrderEvent
from bestellwerk.orders.services import create_order, set_order_lines, set_order_status
from bestellwerk.payments.models import Payment, Refund
from bestellwerk.payments.providers.base import PaymentConfirmation
from bestellwerk.payments.services import (
    record_manual_payment,
    record_payment,
    refund_order,
    send_payment_link,
    set_payment_status,
    void_payment,
)
from tests.invariants.state import capture, differences

pytestmark = pytest.mark.django_db

D = Decimal


def fresh(order: Order) -> Order:
    return Order.objects.get(pk=order.pk)


def money_of(order: Order) -> tuple[str, Decimal, Decimal, Decimal]:
    order = fresh(order)
    return order.payment_status, order.paid_total, order.refunded_total, order.balance


def events_of(order: Order, kind: str) -> list[dict]:
    return list(OrderEvent.objects.filter(order=order, type=kind).values_list("data", flat=True))


def refused(code: str, call) -> ServiceError:
    """`call` is refused with `code` and writes nothing at all."""
    before = capture()
    with pytest.raises(ServiceError) as error:
        call()
    assert error.value.code == code, error.value
    assert not differences(before, capture(before))
    return error.value


@pytest.fixture
def warehouse(warehouse_user) -> Actor:
    return Actor.for_user(warehouse_user)


def pay_by_card(order: Order, amount: str, reference: str = "cs_test_1") -> Payment:
    payment, _created = record_payment(
        confirmation=PaymentConfirmation(
            order_number=order.number,
            reference=reference,
            refund_reference=f"pi_{reference}",
            amount=D(amount),
            currency="EUR",
        ),
        provider="stripe",
        actor=Actor.system("stripe"),
    )
    return payment


# --------------------------------------------------------------------------- manual payments


def test_a_part_then_the_rest_then_more_than_due(order, actor):
    # given the pending invoice order of 54.60, unpaid
    assert money_of(order) == ("unpaid", D("0"), D("0"), D("54.60"))
    # when 20.00 arrives
    first = record_manual_payment(
        number=order.number, amount="20.00", reference="Überweisung 1", actor=actor
    )
    # then it is partially paid and 34.60 is due
    assert money_of(order) == ("partially_paid", D("20.00"), D("0"), D("34.60"))
    assert (first.amount, first.provider, first.reference) == (
        D("20.00"),
        "manual",
        "Überweisung 1",
    )
    assert (first.actor_kind, first.actor_user, first.method.code) == (
        "user",
        actor.user,
        "invoice",
    )
    # when the rest arrives, it is paid and nothing is due
    record_manual_payment(number=order.number, amount="34.60", actor=actor)
    assert money_of(order) == ("paid", D("54.60"), D("0"), D("0.00"))
    # when the customer pays 10.00 too much, it stays paid and 10.00 is owed back
    record_manual_payment(number=order.number, amount="10.00", method="cash", actor=actor)
    assert money_of(order) == ("paid", D("64.60"), D("0"), D("-10.00"))
    # and every payment is on the timeline, the status changes too, once each
    assert [e["amount"] for e in events_of(order, "payment_recorded")] == [
        "20.00",
        "34.60",
        "10.00",
    ]
    assert events_of(order, "payment_status_changed") == [
        {"from": "unpaid", "to": "partially_paid"},
        {"from": "partially_paid", "to": "paid"},
    ]


def test_a_payment_dated_back_keeps_its_date(order, actor):
    yesterday = timezone.now() - timedelta(days=1)
    payment = record_manual_payment(
        number=order.number, amount="54.60", paid_at=yesterday, actor=actor
    )
    assert Payment.objects.get(pk=payment.pk).paid_at == yesterday


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({"amount": "0.00"}, "invalid_amount"),
        ({"amount": "-5.00"}, "invalid_amount"),
        ({"amount": "1.005"}, "invalid_amount"),
        ({"amount": 1.5}, "invalid_amount"),
        ({"amount": "zehn"}, "invalid_amount"),
        ({"amount": "10000000.00"}, "invalid_amount"),
        ({"amount": "5.00", "method": "gold"}, "unknown_payment_method"),
        ({"amount": "5.00", "reference": "x" * 256}, "invalid_reference"),
        ({"amount": "5.00", "paid_at": timezone.now() + timedelta(days=2)}, "invalid_paid_at"),
        ({"amount": "5.00", "expected_version": 0}, "version_conflict"),
    ],
)
def test_bad_payments_are_refused_and_write_nothing(order, actor, arguments, code):
    refused(code, lambda: record_manual_payment(number=order.number, actor=actor, **arguments))


def test_a_draft_cannot_be_paid(actor, coffee, billing):
    draft = create_order(
        actor=actor, status="draft", billing_address=billing, lines=[LineInput(1, coffee.sku)]
    )
    refused(
        "order_is_draft",
        lambda: record_manual_payment(number=draft.number, amount="1.00", actor=actor),
    )


def test_an_order_takes_in_at_most_the_largest_amount(order, actor):
    record_manual_payment(number=order.number, amount="9999999.99", actor=actor)
    refused(
        "payment_too_large",
        lambda: record_manual_payment(number=order.number, amount="0.01", actor=actor),
    )


# --------------------------------------------------------------------------- voids


def test_a_void_with_its_reason_takes_the_payment_back(order, actor):
    # given a paid order (one manual payment of 54.60)
    payment = record_manual_payment(number=order.number, amount="54.60", actor=actor)
    assert money_of(order)[0] == "paid"
    # when the payment is voided as a mistake
    void = void_payment(
        number=order.number, payment_id=payment.pk, reason=" Doppelt gebucht ", actor=actor
    )
    # then a new row cancels it: the payment itself is untouched
    assert (void.amount, void.voided_payment_id, void.reason) == (
        D("-54.60"),
        payment.pk,
        "Doppelt gebucht",
    )
    assert Payment.objects.get(pk=payment.pk).amount == D("54.60")
    # and the order is unpaid again, the void on its timeline with the reason
    assert money_of(order) == ("unpaid", D("0.00"), D("0"), D("54.60"))
    (voided,) = events_of(order, "payment_voided")
    assert (voided["payment_id"], voided["void_id"], voided["reason"]) == (
        payment.pk,
        void.pk,
        "Doppelt gebucht",
    )
    assert events_of(order, "payment_status_changed")[-1] == {"from": "paid", "to": "unpaid"}


def test_a_payment_is_voided_once_and_a_void_never(order, actor):
    payment = record_manual_payment(number=order.number, amount="10.00", actor=actor)
    void = void_payment(number=order.number, payment_id=payment.pk, reason="Irrtum", actor=actor)

    refused(
        "already_voided",
        lambda: void_payment(
            number=order.number, payment_id=payment.pk, reason="Irrtum", actor=actor
        ),
    )
    refused(
        "invalid_payment",
        lambda: void_payment(number=order.number, payment_id=void.pk, reason="Irrtum", actor=actor),
    )


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_a_void_needs_a_reason(order, actor, reason):
    payment = record_manual_payment(number=order.number, amount="10.00", actor=actor)
    refused(
        "invalid_reason",
        lambda: void_payment(
            number=order.number, payment_id=payment.pk, reason=reason, actor=actor
        ),
    )


def test_a_payment_of_another_order_is_not_found(order, actor, coffee, billing):
    other = create_order(actor=actor, billing_address=billing, lines=[LineInput(1, coffee.sku)])
    payment = record_manual_payment(number=other.number, amount="10.00", actor=actor)
    refused(
        "not_found",
        lambda: void_payment(
            number=order.number, payment_id=payment.pk, reason="Irrtum", actor=actor
        ),
    )


def test_a_provider_payment_is_refunded_not_voided(card_order, actor):
    payment = pay_by_card(card_order, "54.60")
    assert money_of(card_order)[0] == "paid"
    refused(
        "provider_payment",
        lambda: void_payment(
            number=card_order.number, payment_id=payment.pk, reason="Irrtum", actor=actor
        ),
    )


def test_money_refunded_from_a_payment_cannot_be_voided(order, actor):
    # given two payments of 30.00 and 24.60, and 40.00 refunded
    first = record_manual_payment(number=order.number, amount="30.00", actor=actor)
    second = record_manual_payment(number=order.number, amount="24.60", actor=actor)
    refund_order(number=order.number, amount="40.00", actor=actor)
    # then neither may be voided: 24.60 or 30.00 would stay, less than the 40.00 given back
    for payment in (first, second):
        error = refused(
            "void_below_refunded",
            lambda payment=payment: void_payment(
                number=order.number, payment_id=payment.pk, reason="Irrtum", actor=actor
            ),
        )
        assert error.fields["refunded"] == "40.00"


def test_a_payment_beyond_what_was_refunded_may_be_voided(order, actor):
    # given 54.60 and a mistaken 20.00, and 10.00 refunded
    record_manual_payment(number=order.number, amount="54.60", actor=actor)
    mistake = record_manual_payment(number=order.number, amount="20.00", actor=actor)
    refund_order(number=order.number, amount="10.00", actor=actor)
    # when the 20.00 are voided: 54.60 stay, more than the 10.00 refunded
    void_payment(number=order.number, payment_id=mistake.pk, reason="Irrtum", actor=actor)
    # then
    assert money_of(order) == ("partially_refunded", D("54.60"), D("10.00"), D("10.00"))


# --------------------------------------------------------------------------- paid/unpaid


def test_paid_by_hand_records_what_is_due(order, actor):
    # given a partly paid order
    record_manual_payment(number=order.number, amount="4.60", actor=actor)
    # when it is marked paid
    set_payment_status(number=order.number, payment_status="paid", actor=actor)
    # then the rest is recorded as one manual payment
    assert list(Payment.objects.filter(order=order).values_list("amount", flat=True)) == [
        D("4.60"),
        D("50.00"),
    ]
    assert money_of(order) == ("paid", D("54.60"), D("0"), D("0.00"))


def test_paid_by_hand_when_nothing_is_due_writes_nothing(order, actor):
    record_manual_payment(number=order.number, amount="60.00", actor=actor)
    before = capture()
    set_payment_status(number=order.number, payment_status="paid", actor=actor)
    assert not differences(before, capture(before))


def test_unpaid_by_hand_voids_every_open_manual_payment(order, actor):
    # given two manual payments, one of them voided already
    first = record_manual_payment(number=order.number, amount="20.00", actor=actor)
    second = record_manual_payment(number=order.number, amount="34.60", actor=actor)
    void_payment(number=order.number, payment_id=first.pk, reason="Irrtum", actor=actor)
    # when the order is marked unpaid
    set_payment_status(number=order.number, payment_status="unpaid", actor=actor)
    # then the open payment is voided (the voided one is not voided again)
    voids = Payment.objects.filter(order=order, voided_payment__isnull=False)
    assert sorted(voids.values_list("voided_payment_id", "amount", "reason")) == [
        (first.pk, D("-20.00"), "Irrtum"),
        (second.pk, D("-34.60"), gettext("Marked as unpaid")),
    ]
    assert money_of(order) == ("unpaid", D("0.00"), D("0"), D("54.60"))
    # and marking it unpaid again writes nothing
    before = capture()
    set_payment_status(number=order.number, payment_status="unpaid", actor=actor)
    assert not differences(before, capture(before))


def test_unpaid_by_hand_is_refused_with_a_provider_payment(card_order, actor):
    pay_by_card(card_order, "20.00")
    record_manual_payment(number=card_order.number, amount="34.60", actor=actor)
    refused(
        "provider_payment",
        lambda: set_payment_status(number=card_order.number, payment_status="unpaid", actor=actor),
    )


@pytest.mark.parametrize("payment_status", ["paid", "unpaid"])
def test_the_shorthand_is_refused_once_money_was_refunded(paid_order, actor, payment_status):
    refund_order(number=paid_order.number, amount="5.00", actor=actor)
    refused(
        "invalid_transition",
        lambda: set_payment_status(
            number=paid_order.number, payment_status=payment_status, actor=actor
        ),
    )


@pytest.mark.parametrize("payment_status", ["partially_paid", "refunded", "partially_refunded"])
def test_only_paid_or_unpaid_by_hand(order, actor, payment_status):
    refused(
        "invalid_payment_status",
        lambda: set_payment_status(number=order.number, payment_status=payment_status, actor=actor),
    )


# --------------------------------------------------------------------------- roles


def test_the_warehouse_may_not_touch_money_or_cancel(paid_order, warehouse, actor):
    payment = Payment.objects.get(order=paid_order)
    set_order_status(number=paid_order.number, status="processing", actor=actor)
    for call in (
        lambda: record_manual_payment(number=paid_order.number, amount="1.00", actor=warehouse),
        lambda: void_payment(
            number=paid_order.number, payment_id=payment.pk, reason="Irrtum", actor=warehouse
        ),
        lambda: set_payment_status(
            number=paid_order.number, payment_status="unpaid", actor=warehouse
        ),
        lambda: refund_order(number=paid_order.number, amount="1.00", actor=warehouse),
        lambda: set_order_status(number=paid_order.number, status="cancelled", actor=warehouse),
        lambda: set_order_status(number=paid_order.number, status="pending", actor=warehouse),
    ):
        error = refused("permission_denied", call)
        assert error.fields["capability"] in ("orders.payments", "orders.cancel")
    assert not Refund.objects.exists()


def test_the_warehouse_moves_orders_forward_through_fulfilment(order, warehouse):
    # given a pending order, when the warehouse walks it through fulfilment
    for status in ("processing", "on_hold", "processing", "shipped", "completed"):
        set_order_status(number=order.number, status=status, actor=warehouse)
        # then each step is taken, on the timeline in the warehouse's name
        assert fresh(order).status == status
    changes = OrderEvent.objects.filter(order=order, type="status_changed")
    assert {event.actor_user_id for event in changes} == {warehouse.user.pk}


@pytest.mark.parametrize("role", ["admin", "sales"])
def test_sales_and_admin_may_cancel_and_handle_money(order, role, admin_user, sales_user):
    actor = Actor.for_user(admin_user if role == "admin" else sales_user)
    payment = record_manual_payment(number=order.number, amount="54.60", actor=actor)
    void_payment(number=order.number, payment_id=payment.pk, reason="Irrtum", actor=actor)
    set_payment_status(number=order.number, payment_status="paid", actor=actor)
    refund_order(number=order.number, amount="1.00", actor=actor)
    set_order_status(number=order.number, status="cancelled", actor=actor)
    assert money_of(order)[0] == "partially_refunded" and fresh(order).status == "cancelled"


@pytest.mark.parametrize("status", ["pending", "processing", "shipped", "completed", "cancelled"])
def test_refunded_is_never_set_by_hand(order, actor, status):
    # given an order in any status, even one paid and refunded in full
    record_manual_payment(number=order.number, amount="54.60", actor=actor)
    refund_order(number=order.number, amount="54.60", actor=actor)
    if status != "pending":
        set_order_status(number=order.number, status=status, actor=actor)
    # then `refunded` comes only from a refund
    refused(
        "refund_required",
        lambda: set_order_status(number=order.number, status="refunded", actor=actor),
    )


# --------------------------------------------------------------------------- the database


def test_the_database_refuses_to_change_a_ledger_row(order, actor):
    # given a recorded payment and another order
    payment = record_manual_payment(number=order.number, amount="54.60", actor=actor)
    other = create_order(actor=actor, lines=[LineInput(1, name="x", unit_price=D("1"), vat_rate=0)])
    # when its money columns are updated past the services, then the trigger refuses
    for change in (
        {"amount": D("5.46")},
        {"order_id": other.pk},
        {"provider": "stripe"},
        {"reference": "überschrieben"},
        {"currency": "USD"},
        {"voided_payment_id": payment.pk},
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            Payment.objects.filter(pk=payment.pk).update(**change)
    assert Payment.objects.get(pk=payment.pk).amount == D("54.60")
    # while its dates may be moved (the demo's invented history does)
    Payment.objects.filter(pk=payment.pk).update(paid_at=timezone.now() - timedelta(days=3))


def test_a_cart_change_after_payment_moves_the_status_and_the_balance(order, actor, coffee):
    # given a paid order
    set_payment_status(number=order.number, payment_status="paid", actor=actor)
    # when its cart grows by one coffee
    set_order_lines(
        number=order.number,
        lines=[LineInput(3, coffee.sku), LineInput(1, "TAS-1")],
        actor=actor,
    )
    # then 19.90 is due and the order is partially paid, on the timeline once
    assert money_of(order) == ("partially_paid", D("54.60"), D("0"), D("19.90"))
    assert events_of(order, "payment_status_changed")[-1] == {
        "from": "paid",
        "to": "partially_paid",
    }
    (lines_changed,) = events_of(order, "lines_changed")
    assert (lines_changed["total"], lines_changed["balance"]) == ("74.50", "19.90")


# --------------------------------------------------------------------------- what refunds mean


def test_a_goodwill_refund_leaves_nothing_owed(order, actor):
    # given a paid order
    set_payment_status(number=order.number, payment_status="paid", actor=actor)
    # when 12.50 are given back as goodwill (the cart stays as it is)
    refund_order(number=order.number, amount="12.50", reason="Kulanz", actor=actor)
    # then the refund lowered what the order costs: nothing is due, no link can ask for it
    refreshed = fresh(order)
    assert (refreshed.credited_total, refreshed.balance) == (D("12.50"), D("0.00"))
    assert refreshed.payment_status == "partially_refunded"
    refused("already_paid", lambda: send_payment_link(number=order.number, actor=actor))


def test_a_refund_first_pays_back_what_the_shrunk_cart_left_owed_back(order, actor, coffee):
    # given a paid order (54.60) whose cart shrank to 24.80: 29.80 owed back
    set_payment_status(number=order.number, payment_status="paid", actor=actor)
    set_order_lines(number=order.number, lines=[LineInput(1, coffee.sku)], actor=actor)
    assert fresh(order).balance == D("-29.80")
    # when 35.00 are refunded
    refund_order(number=order.number, amount="35.00", actor=actor)
    # then 29.80 settled the difference and only 5.20 lowered what the order costs
    refreshed = fresh(order)
    assert (refreshed.credited_total, refreshed.balance) == (D("5.20"), D("0.00"))
    assert Refund.objects.get().credited_amount == D("5.20")
