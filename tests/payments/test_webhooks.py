"""The Stripe webhook: only genuine, fresh notifications; an order is paid exactly once."""

import json
import time
from decimal import Decimal

import pytest

from bestellwerk.orders.models import Order, OrderEventType
from bestellwerk.payments.models import Payment
from tests.payments.conftest import (
    checkout_completed,
    event,
    post_webhook,
    sign,
)

pytestmark = pytest.mark.django_db


def _paid_events(order: Order) -> list[dict]:
    return [
        e.data
        for e in order.events.filter(type=OrderEventType.PAYMENT_STATUS_CHANGED).order_by("id")
    ]


def test_a_signed_completed_checkout_marks_the_order_paid_with_a_payment_record(
    client, card_order, stripe_settings
):
    payload = checkout_completed(card_order.number, 5460)

    response = post_webhook(client, payload, sign(payload))

    assert response.status_code == 200
    card_order.refresh_from_db()
    assert card_order.payment_status == "paid"
    payment = Payment.objects.get()
    assert (payment.order, payment.provider, payment.reference, payment.refund_reference) == (
        card_order,
        "stripe",
        "cs_test_paid_1",
        "pi_cs_test_paid_1",
    )
    assert payment.amount == Decimal("54.60")
    assert payment.paid_at is not None
    assert _paid_events(card_order) == [{"from": "unpaid", "to": "paid"}]


def test_the_same_notification_delivered_again_changes_nothing(client, card_order, stripe_settings):
    payload = checkout_completed(card_order.number, 5460)
    post_webhook(client, payload, sign(payload))
    version = Order.objects.get(pk=card_order.pk).version

    for _ in range(3):
        again = post_webhook(client, payload, sign(payload))
        assert again.status_code == 200

    assert Payment.objects.count() == 1
    assert len(_paid_events(card_order)) == 1
    assert Order.objects.get(pk=card_order.pk).version == version


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "t=123,v1=deadbeef",
        "garbage",
    ],
)
def test_a_missing_or_malformed_signature_is_refused(
    client, card_order, stripe_settings, signature
):
    payload = checkout_completed(card_order.number, 5460)

    response = post_webhook(client, payload, signature)

    assert response.status_code == 400
    assert not Payment.objects.exists()
    card_order.refresh_from_db()
    assert card_order.payment_status == "unpaid"


def test_a_signature_with_another_secret_is_refused(client, card_order, stripe_settings):
    payload = checkout_completed(card_order.number, 5460)

    response = post_webhook(client, payload, sign(payload, secret="whsec_someone_else"))

    assert response.status_code == 400
    assert not Payment.objects.exists()


def test_a_tampered_body_is_refused(client, card_order, stripe_settings):
    payload = checkout_completed(card_order.number, 5460)
    signature = sign(payload)
    tampered = payload.replace(b"5460", b"1")

    assert post_webhook(client, tampered, signature).status_code == 400
    assert not Payment.objects.exists()


def test_a_notification_older_than_the_tolerance_is_refused(client, card_order, stripe_settings):
    payload = checkout_completed(card_order.number, 5460)
    old = int(time.time()) - 301

    response = post_webhook(client, payload, sign(payload, timestamp=old))

    assert response.status_code == 400
    assert not Payment.objects.exists()


def test_a_notification_within_the_tolerance_is_accepted(client, card_order, stripe_settings):
    payload = checkout_completed(card_order.number, 5460)
    recent = int(time.time()) - 200

    assert post_webhook(client, payload, sign(payload, timestamp=recent)).status_code == 200
    assert Payment.objects.count() == 1


def test_a_notification_dated_ahead_of_the_tolerance_is_refused(
    client, card_order, stripe_settings
):
    payload = checkout_completed(card_order.number, 5460)
    a_year_ahead = int(time.time()) + 365 * 24 * 3600

    response = post_webhook(client, payload, sign(payload, timestamp=a_year_ahead))

    assert response.status_code == 400
    assert not Payment.objects.exists()


@pytest.mark.parametrize("cents", [10**32, -100, "5460", 54.6, True, None])
def test_a_signed_event_with_an_absurd_amount_is_refused_not_a_500(
    client, card_order, stripe_settings, cents
):
    payload = checkout_completed(card_order.number, cents)

    response = post_webhook(client, payload, sign(payload))

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert not Payment.objects.exists()


def test_without_a_webhook_secret_every_notification_is_refused(
    client, card_order, stripe_settings, settings
):
    settings.STRIPE_WEBHOOK_SECRET = ""
    payload = checkout_completed(card_order.number, 5460)

    assert post_webhook(client, payload, sign(payload, secret="")).status_code == 400
    assert not Payment.objects.exists()


def test_a_signed_body_that_is_not_json_is_refused(client, stripe_settings):
    payload = b"not json"
    assert post_webhook(client, payload, sign(payload)).status_code == 400


def test_only_post_is_accepted(client, stripe_settings):
    assert client.get("/payments/stripe/webhook/").status_code == 405


def test_events_we_do_not_use_are_acknowledged_and_ignored(client, card_order, stripe_settings):
    payload = event("customer.created", {"id": "cus_1", "object": "customer"})

    assert post_webhook(client, payload, sign(payload)).status_code == 200
    assert not Payment.objects.exists()


def test_an_unpaid_completed_session_does_not_mark_paid(client, card_order, stripe_settings):
    body = json.loads(checkout_completed(card_order.number, 5460))
    body["data"]["object"]["payment_status"] = "unpaid"
    payload = json.dumps(body).encode()

    assert post_webhook(client, payload, sign(payload)).status_code == 200
    assert not Payment.objects.exists()


def test_a_payment_for_an_unknown_order_is_acknowledged_without_effect(client, stripe_settings):
    payload = checkout_completed(424242, 1000)

    assert post_webhook(client, payload, sign(payload)).status_code == 200
    assert not Payment.objects.exists()


def test_two_sessions_paid_record_two_payments_and_mark_paid_once(
    client, card_order, stripe_settings
):
    for session in ("cs_test_a", "cs_test_b"):
        payload = checkout_completed(card_order.number, 5460, session_id=session)
        post_webhook(client, payload, sign(payload))

    assert Payment.objects.count() == 2
    assert len(_paid_events(card_order)) == 1


def test_a_genuine_event_that_cannot_be_applied_is_refused(client, card_order, stripe_settings):
    payload = checkout_completed(card_order.number, 0)

    assert post_webhook(client, payload, sign(payload)).status_code == 400
    assert not Payment.objects.exists()
