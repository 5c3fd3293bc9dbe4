"""Refunds through Stripe (the stand-in): pending until confirmed, failures change no money."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bestellwerk.catalog.models import StockMovement, StockReason
from bestellwerk.orders.models import Order, OrderEventType
from bestellwerk.orders.services import set_order_status
from bestellwerk.payments.models import Refund
from bestellwerk.payments.selectors import refund_summary
from bestellwerk.payments.services import RefundLineInput, refund_order, retry_pending_refunds
from tests.payments.conftest import (
    checkout_completed,
    event,
    post_webhook,
    refund_event,
    sign,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def stripe_paid_order(client, card_order, stripe_settings) -> Order:
    payload = checkout_completed(card_order.number, 5460, session_id="cs_test_card")
    assert post_webhook(client, payload, sign(payload)).status_code == 200
    return Order.objects.get(pk=card_order.pk)


def _types(order: Order) -> list[str]:
    return list(order.events.order_by("id").values_list("type", flat=True))


def test_a_refund_stripe_confirms_at_once_succeeds(stripe_paid_order, actor, stripe_settings):
    refund = refund_order(number=stripe_paid_order.number, actor=actor, amount="10.00")

    assert (refund.status, refund.provider) == ("succeeded", "stripe")
    assert refund.provider_reference.startswith("re_test_")
    [request] = stripe_settings.posted("/v1/refunds")
    assert request["form"]["payment_intent"] == "pi_cs_test_card"
    assert request["form"]["amount"] == "1000"
    assert request["form"]["metadata[bestellwerk_refund_id]"] == str(refund.pk)
    assert request["idempotency_key"] == f"bestellwerk-refund-{refund.pk}"
    order = Order.objects.get(pk=stripe_paid_order.pk)
    assert order.payment_status == "partially_refunded"
    assert _types(order)[-3:] == ["refund_requested", "refunded", "payment_status_changed"]


def test_a_pending_refund_waits_for_the_webhook_and_counts_against_the_bound(
    client, stripe_paid_order, actor, stripe_settings
):
    stripe_settings.refund_answer = "pending"
    refund = refund_order(
        number=stripe_paid_order.number, actor=actor, amount="50.00", notify_customer=True
    )

    assert refund.status == "pending"
    order = Order.objects.get(pk=stripe_paid_order.pk)
    assert order.payment_status == "paid"
    assert refund_summary(order=order).refundable == Decimal("4.60")
    [requested] = order.events.filter(type=OrderEventType.REFUND_REQUESTED)
    assert requested.data["amount"] == "50.00"
    assert requested.data["notify_customer"] is True

    payload = refund_event("refund.updated", refund.provider_reference, "succeeded", refund.pk)
    for _ in range(2):
        assert post_webhook(client, payload, sign(payload)).status_code == 200

    refund.refresh_from_db()
    assert refund.status == "succeeded"
    order = Order.objects.get(pk=stripe_paid_order.pk)
    assert order.payment_status == "partially_refunded"
    assert order.events.filter(type=OrderEventType.REFUNDED).count() == 1


def test_charge_refunded_with_its_refund_list_confirms_too(
    client, stripe_paid_order, actor, stripe_settings
):
    stripe_settings.refund_answer = "pending"
    refund = refund_order(number=stripe_paid_order.number, actor=actor, amount="54.60")
    payload = event(
        "charge.refunded",
        {
            "id": "ch_1",
            "object": "charge",
            "refunds": {
                "object": "list",
                "data": [
                    {
                        "id": refund.provider_reference,
                        "object": "refund",
                        "status": "succeeded",
                        "metadata": {"bestellwerk_refund_id": str(refund.pk)},
                    }
                ],
            },
        },
    )

    assert post_webhook(client, payload, sign(payload)).status_code == 200
    assert Order.objects.get(pk=stripe_paid_order.pk).payment_status == "refunded"


def test_a_refused_refund_fails_with_stripes_message_and_changes_no_money(
    stripe_paid_order, actor, stripe_settings
):
    stripe_settings.refund_answer = "invalid_request"
    version = stripe_paid_order.version

    refund = refund_order(number=stripe_paid_order.number, actor=actor, amount="10.00")

    assert refund.status == "failed"
    assert refund.failure_message == "Charge ch_1 has already been refunded."
    order = Order.objects.get(pk=stripe_paid_order.pk)
    assert order.payment_status == "paid"
    assert order.version > version
    [failed] = order.events.filter(type=OrderEventType.REFUND_FAILED)
    assert failed.data["message"] == "Charge ch_1 has already been refunded."
    assert failed.data["amount"] == "10.00"
    assert not order.events.filter(type=OrderEventType.REFUNDED).exists()
    assert refund_summary(order=order).refundable == Decimal("54.60")


def test_a_failed_refund_restocks_nothing_and_a_retry_can_succeed(
    stripe_paid_order, actor, stripe_settings
):
    set_order_status(number=stripe_paid_order.number, status="processing", actor=actor)
    stripe_settings.refund_answer = "invalid_request"
    lines = [RefundLineInput(sku="TAS-1", quantity=1)]

    failed = refund_order(number=stripe_paid_order.number, actor=actor, lines=lines, restock=True)
    assert failed.status == "failed"
    assert not StockMovement.objects.filter(reason=StockReason.REFUND_RESTOCK).exists()

    stripe_settings.refund_answer = "succeeded"
    retried = refund_order(number=stripe_paid_order.number, actor=actor, lines=lines, restock=True)

    assert retried.status == "succeeded"
    assert StockMovement.objects.filter(reason=StockReason.REFUND_RESTOCK).count() == 1


def test_a_pending_refund_failing_later_releases_its_amount(
    client, stripe_paid_order, actor, stripe_settings
):
    stripe_settings.refund_answer = "pending"
    refund = refund_order(number=stripe_paid_order.number, actor=actor, amount="54.60")
    reference = refund.provider_reference
    payload = refund_event("refund.failed", reference, "failed", refund.pk, reason="expired_card")

    assert post_webhook(client, payload, sign(payload)).status_code == 200

    refund.refresh_from_db()
    assert (refund.status, refund.failure_message) == ("failed", "expired_card")
    order = Order.objects.get(pk=stripe_paid_order.pk)
    assert order.payment_status == "paid"
    assert refund_summary(order=order).refundable == Decimal("54.60")


def test_restock_waits_for_the_providers_confirmation(
    client, stripe_paid_order, actor, stripe_settings
):
    set_order_status(number=stripe_paid_order.number, status="processing", actor=actor)
    stripe_settings.refund_answer = "pending"
    refund = refund_order(
        number=stripe_paid_order.number,
        actor=actor,
        lines=[RefundLineInput(sku="KAF-1", quantity=2)],
        restock=True,
    )
    assert not StockMovement.objects.filter(reason=StockReason.REFUND_RESTOCK).exists()

    payload = refund_event("refund.updated", refund.provider_reference, "succeeded", refund.pk)
    post_webhook(client, payload, sign(payload))
    post_webhook(client, payload, sign(payload))

    [movement] = StockMovement.objects.filter(reason=StockReason.REFUND_RESTOCK)
    assert movement.delta == 2


def test_stripe_unreachable_leaves_the_refund_pending(stripe_paid_order, actor, stripe_settings):
    stripe_settings.refund_answer = "server_error"

    refund = refund_order(number=stripe_paid_order.number, actor=actor, amount="5.00")

    assert refund.status == "pending"
    assert "Something went wrong" in refund.failure_message
    assert Order.objects.get(pk=stripe_paid_order.pk).payment_status == "paid"


def test_a_webhook_about_a_refund_made_elsewhere_is_ignored(
    client, stripe_paid_order, stripe_settings
):
    payload = refund_event("refund.updated", "re_dashboard", "succeeded", 999999)

    assert post_webhook(client, payload, sign(payload)).status_code == 200
    assert not Refund.objects.exists()
    assert Order.objects.get(pk=stripe_paid_order.pk).payment_status == "paid"


def test_the_client_idempotency_key_is_passed_on_to_stripe(
    stripe_paid_order, actor, stripe_settings
):
    refund = refund_order(
        number=stripe_paid_order.number, actor=actor, amount="1.00", idempotency_key="abc"
    )

    [request] = stripe_settings.posted("/v1/refunds")
    assert request["idempotency_key"].startswith(f"bestellwerk-refund-{refund.order_id}-")


def test_the_sweep_asks_again_with_the_same_key_and_settles_an_unanswered_refund(
    stripe_paid_order, actor, stripe_settings
):
    stripe_settings.refund_answer = "server_error"
    refund = refund_order(number=stripe_paid_order.number, actor=actor, amount="5.00")
    assert refund.status == "pending"
    first_key = stripe_settings.posted("/v1/refunds")[0]["idempotency_key"]

    assert retry_pending_refunds() == 0  # too fresh: the first answer may still come
    Refund.objects.filter(pk=refund.pk).update(created_at=timezone.now() - timedelta(minutes=3))
    stripe_settings.refund_answer = "succeeded"

    assert retry_pending_refunds() == 1

    refund.refresh_from_db()
    assert refund.status == "succeeded"
    assert stripe_settings.posted("/v1/refunds")[-1]["idempotency_key"] == first_key
    assert Order.objects.get(pk=stripe_paid_order.pk).payment_status == "partially_refunded"
    assert retry_pending_refunds() == 0


def test_the_sweep_leaves_day_old_refunds_for_a_person(stripe_paid_order, actor, stripe_settings):
    stripe_settings.refund_answer = "server_error"
    refund = refund_order(number=stripe_paid_order.number, actor=actor, amount="5.00")
    Refund.objects.filter(pk=refund.pk).update(created_at=timezone.now() - timedelta(hours=24))

    assert retry_pending_refunds() == 0
    refund.refresh_from_db()
    assert refund.status == "pending"


def test_stripe_not_reachable_at_all_leaves_the_refund_pending(
    stripe_paid_order, actor, stripe_settings, settings
):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens on the discard port

    refund = refund_order(number=stripe_paid_order.number, actor=actor, amount="5.00")

    assert refund.status == "pending"
    assert refund.provider_reference is None
    assert refund.failure_message
    assert Order.objects.get(pk=stripe_paid_order.pk).payment_status == "paid"


def test_without_a_notification_the_sweep_asks_stripe_for_the_status_every_ten_minutes(
    stripe_paid_order, actor, stripe_settings
):
    stripe_settings.refund_answer = "pending"
    refund = refund_order(number=stripe_paid_order.number, actor=actor, amount="5.00")
    assert retry_pending_refunds() == 0  # fresh: the notification may still come
    Refund.objects.filter(pk=refund.pk).update(created_at=timezone.now() - timedelta(minutes=11))

    assert retry_pending_refunds() == 1  # Stripe still says pending
    assert retry_pending_refunds() == 0  # asked a moment ago
    gets = [r for r in stripe_settings.requests if r["method"] == "GET"]
    assert [r["path"] for r in gets] == [f"/v1/refunds/{refund.provider_reference}"]
    refund.refresh_from_db()
    assert refund.status == "pending"

    stripe_settings.refunds_by_id[refund.provider_reference]["status"] = "succeeded"
    Refund.objects.filter(pk=refund.pk).update(checked_at=timezone.now() - timedelta(minutes=11))
    assert retry_pending_refunds() == 1

    refund.refresh_from_db()
    assert refund.status == "succeeded"
    assert Order.objects.get(pk=stripe_paid_order.pk).payment_status == "partially_refunded"
