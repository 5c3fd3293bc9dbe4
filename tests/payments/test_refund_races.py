"""Two refunds racing for the same money: the order row lock lets only one through."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from bestellwerk.core.errors import ServiceError
from bestellwerk.orders.models import Order, OrderEventType
from bestellwerk.payments.models import Payment, Refund
from bestellwerk.payments.providers.base import PaymentConfirmation
from bestellwerk.payments.services import record_payment, refund_order
from tests.conftest import requires_postgres
from tests.payments.conftest import checkout_completed, post_webhook, sign


def _race(number: int, actor, amounts: list[str]) -> list[object]:
    barrier = threading.Barrier(len(amounts))
    results: list[object] = [None] * len(amounts)

    def refund(index: int, amount: str) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = refund_order(number=number, actor=actor, amount=amount)
        except ServiceError as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=refund, args=(i, amount)) for i, amount in enumerate(amounts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@requires_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_manual_refunds_racing_never_exceed_what_was_paid(paid_order, actor):
    results = _race(paid_order.number, actor, ["30.00", "30.00"])

    refunds = [r for r in results if isinstance(r, Refund)]
    errors = [r for r in results if isinstance(r, ServiceError)]
    assert len(refunds) == 1 and len(errors) == 1
    assert errors[0].code == "refund_exceeds_paid"
    assert Refund.objects.get().amount == Decimal("30.00")
    assert Order.objects.get(pk=paid_order.pk).payment_status == "partially_refunded"


@requires_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_many_small_refunds_racing_add_up_to_at_most_the_total(paid_order, actor):
    results = _race(paid_order.number, actor, ["10.00"] * 8)

    succeeded = [r for r in results if isinstance(r, Refund)]
    assert len(succeeded) == 5
    assert all(
        isinstance(r, ServiceError) and r.code == "refund_exceeds_paid"
        for r in results
        if r not in succeeded
    )
    assert sum(r.amount for r in Refund.objects.all()) == Decimal("50.00")


@requires_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_stripe_refunds_racing_reserve_the_money_before_asking_stripe(
    card_order, actor, stripe_settings
):
    record_payment(
        confirmation=PaymentConfirmation(
            order_number=card_order.number,
            reference="cs_test_race",
            refund_reference="pi_race",
            amount=Decimal("54.60"),
            currency="EUR",
        ),
        provider="stripe",
        actor=actor,
    )
    stripe_settings.refund_answer = "pending"

    results = _race(card_order.number, actor, ["40.00", "40.00"])

    assert sorted(type(r).__name__ for r in results) == ["Refund", "ServiceError"]
    assert len(stripe_settings.posted("/v1/refunds")) == 1
    assert Refund.objects.get().status == "pending"


@requires_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_one_notification_delivered_four_times_at_once_pays_once(card_order, stripe_settings):
    payload = checkout_completed(card_order.number, 5460, session_id="cs_test_dup")
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def deliver() -> None:
        try:
            barrier.wait(timeout=10)
            statuses.append(post_webhook(Client(), payload, sign(payload)).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert statuses == [200] * 4
    assert Payment.objects.count() == 1
    order = Order.objects.get(pk=card_order.pk)
    assert order.payment_status == "paid"
    assert order.events.filter(type=OrderEventType.PAYMENT_STATUS_CHANGED).count() == 1
