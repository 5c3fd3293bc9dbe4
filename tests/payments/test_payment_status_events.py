"""`payment_status_changed` is written exactly when the derived payment status changes,
whichever service changed the money, and the automations' "order paid" trigger (that event
to `paid`) fires once for an order that is paid, however many payments it took."""

from decimal import Decimal

import pytest

from bestellwerk.automations.models import Automation, AutomationRun, StepAction, Trigger
from bestellwerk.orders.inputs import LineInput
from bestellwerk.orders.models import Order, OrderEvent
from bestellwerk.orders.services import (
    add_order_note,
    change_order_tags,
    set_order_lines,
    set_order_status,
    update_order,
)
from bestellwerk.payments.services import (
    record_manual_payment,
    refund_order,
    set_payment_status,
    void_payment,
)
from bestellwerk.promotions.services import create_coupon
from tests.notifications.support import REAL_COMMITS, db_queue, run_db_worker

__all__ = ["db_queue", "run_db_worker"]


def status_events(order: Order) -> list[tuple[str, str]]:
    return [
        (data["from"], data["to"])
        for data in OrderEvent.objects.filter(order=order, type="payment_status_changed")
        .order_by("id")
        .values_list("data", flat=True)
    ]


@pytest.mark.django_db
def test_the_event_is_written_exactly_when_the_derived_status_changes(order, actor, coffee):
    # given the pending invoice order of 54.60 (2 × coffee, 1 mug, standard shipping)
    create_coupon(code="FUENF", kind="fixed", value="5.00")
    number = order.number
    payment = None

    def pay(amount):
        nonlocal payment
        payment = record_manual_payment(number=number, amount=amount, actor=actor)

    steps = [
        # (what happens, the status change it must bring, or None)
        (lambda: pay("20.00"), ("unpaid", "partially_paid")),
        (lambda: pay("10.00"), None),  # still partially paid
        (lambda: pay("24.60"), ("partially_paid", "paid")),
        (lambda: pay("5.00"), None),  # overpaid: still paid
        (lambda: add_order_note(number=number, body="Kunde ruft an", actor=actor), None),
        (lambda: change_order_tags(number=number, add=["VIP"], actor=actor), None),
        # the cart grows by 2 coffees (39.80): 59.60 paid of 94.40
        (
            lambda: set_order_lines(
                number=number, lines=[LineInput(4, coffee.sku), LineInput(1, "TAS-1")], actor=actor
            ),
            ("paid", "partially_paid"),
        ),
        # picked up instead of shipped: 89.50, still partially paid
        (lambda: update_order(number=number, shipping_method="pickup", actor=actor), None),
        # back to the old cart: 59.60 paid of 49.70
        (
            lambda: set_order_lines(
                number=number, lines=[LineInput(2, coffee.sku), LineInput(1, "TAS-1")], actor=actor
            ),
            ("partially_paid", "paid"),
        ),
        (lambda: set_order_status(number=number, status="processing", actor=actor), None),
        # shipped after all: 54.60, still paid (the same method again changes nothing)
        (lambda: update_order(number=number, shipping_method="standard", actor=actor), None),
        (lambda: update_order(number=number, shipping_method="standard", actor=actor), None),
        # the 5.00 paid too much are voided: exactly paid, still paid
        (
            lambda: void_payment(
                number=number, payment_id=payment.pk, reason="Irrtum", actor=actor
            ),
            None,
        ),
        (lambda: set_payment_status(number=number, payment_status="paid", actor=actor), None),
        (
            lambda: refund_order(number=number, amount="4.60", actor=actor),
            ("paid", "partially_refunded"),
        ),
        (lambda: refund_order(number=number, amount="10.00", actor=actor), None),
        (
            lambda: refund_order(number=number, amount="40.00", actor=actor),
            ("partially_refunded", "refunded"),
        ),
    ]
    expected: list[tuple[str, str]] = []
    for index, (step, change) in enumerate(steps):
        # when each step runs
        step()
        if change:
            expected.append(change)
        # then the timeline has exactly the status changes so far, and the last is the order's
        assert status_events(order) == expected, f"after step {index}"
        current = Order.objects.get(pk=order.pk).payment_status
        assert current == (expected[-1][1] if expected else "unpaid"), f"after step {index}"
    assert Order.objects.get(pk=order.pk).paid_total == Decimal("54.60")


@pytest.mark.django_db
def test_a_coupon_that_lowers_the_total_to_what_was_paid_makes_the_order_paid(order, actor):
    # given 50.00 paid of 54.60
    record_manual_payment(number=order.number, amount="50.00", actor=actor)
    create_coupon(code="FUENF", kind="fixed", value="5.00")
    # when a coupon takes 5.00 off (49.60 due), then it is paid, with the event
    from bestellwerk.orders.services import set_order_coupon

    set_order_coupon(number=order.number, coupon_code="FUENF", actor=actor)
    assert status_events(order) == [("unpaid", "partially_paid"), ("partially_paid", "paid")]
    # and removing it again makes it partially paid
    set_order_coupon(number=order.number, coupon_code=None, actor=actor)
    assert status_events(order)[-1] == ("paid", "partially_paid")


@pytest.fixture
def paid_automation(db):
    """An automation on "order paid" that tags the order."""
    automation = Automation.objects.create(name="Bezahlt", trigger=Trigger.ORDER_PAID)
    automation.steps.create(position=1, action=StepAction.ADD_ORDER_TAGS, tags="bezahlt")
    return automation


@REAL_COMMITS
def test_order_paid_fires_once_for_an_order_paid_in_parts(
    order, actor, paid_automation, run_db_worker
):
    # when the order is paid in two parts, then a little too much, then partly refunded
    record_manual_payment(number=order.number, amount="20.00", actor=actor)
    run_db_worker()
    assert not AutomationRun.objects.exists()  # partially paid is not paid
    record_manual_payment(number=order.number, amount="34.60", actor=actor)
    record_manual_payment(number=order.number, amount="1.00", actor=actor)
    set_payment_status(number=order.number, payment_status="paid", actor=actor)
    refund_order(number=order.number, amount="1.00", actor=actor)
    run_db_worker()
    # then "order paid" ran exactly once, on the payment that made it paid
    (run,) = AutomationRun.objects.filter(automation=paid_automation)
    assert run.event.type == "payment_status_changed" and run.event.data["to"] == "paid"
    assert list(Order.objects.get(pk=order.pk).tags.values_list("name", flat=True)) == ["bezahlt"]


@REAL_COMMITS
def test_order_paid_fires_once_when_marked_paid(order, actor, paid_automation, run_db_worker):
    # when staff mark the order paid, twice (the second time changes nothing)
    set_payment_status(number=order.number, payment_status="paid", actor=actor)
    set_payment_status(number=order.number, payment_status="paid", actor=actor)
    run_db_worker()
    # then the automation ran once
    assert AutomationRun.objects.filter(automation=paid_automation).count() == 1
