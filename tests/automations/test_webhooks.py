"""Outgoing webhooks against a real HTTP receiver on 127.0.0.1."""

import hashlib
import hmac
import json
import time
from pathlib import Path

import pytest

from bestellwerk.automations.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from bestellwerk.automations.signing import sign_body, verify_signature
from bestellwerk.core.actors import Actor
from bestellwerk.orders.models import OrderEvent, OrderEventType
from bestellwerk.orders.outbox import dispatch_event
from bestellwerk.orders.services import add_order_note, set_order_status
from tests.notifications.support import REAL_COMMITS

pytestmark = REAL_COMMITS

SECRET = "whsec_test-secret"


def documented_verifier():
    """The receiver's snippet of docs/webhooks.md, executed as written."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "webhooks.md").read_text()
    snippet = doc.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(compile(snippet, "docs/webhooks.md", "exec"), namespace)
    return namespace["verify_bestellwerk_signature"]


def receiver_checks_signature(request: dict, secret: str = SECRET) -> bool:
    """What docs/webhooks.md tells a receiver to do, written independently of our code."""
    header = request["headers"]["Bestellwerk-Signature"]
    parts = dict(item.split("=", 1) for item in header.split(","))
    signed = parts["t"].encode() + b"." + request["body"]
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    fresh = abs(time.time() - int(parts["t"])) < 300
    documented = documented_verifier()(secret, request["body"], header)
    return hmac.compare_digest(expected, parts["v1"]) and fresh and documented


@pytest.fixture
def endpoint(http_receiver) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        name="ERP",
        url=http_receiver.url,
        secret=SECRET,
        event_types=["created", "status_changed", "note_added"],
    )


def test_subscribed_events_arrive_signed_with_the_order_summary(
    endpoint, http_receiver, order, commit, run_db_worker
):
    # when the order (created) changes status, and the worker runs
    with commit():
        set_order_status(number=order.number, status="processing", actor=Actor.system())
    run_db_worker()
    # then the receiver got both events, each validly signed, as JSON
    types = [r["headers"]["Bestellwerk-Event"] for r in http_receiver.requests]
    assert sorted(types) == ["created", "status_changed"]
    for request in http_receiver.requests:
        assert receiver_checks_signature(request)
        assert request["headers"]["Content-Type"] == "application/json"
    status_request = next(
        r for r in http_receiver.requests if r["headers"]["Bestellwerk-Event"] == "status_changed"
    )
    payload = json.loads(status_request["body"])
    assert payload["event"]["data"]["to"] == "processing"
    assert payload["order"]["number"] == order.number
    assert payload["order"]["total"] == f"{order.total:.2f}"
    assert payload["order"]["lines"][0] == {
        "sku": "KAF-1",
        "name": "Kaffee Crema 1 kg",
        "quantity": 2,
        "unit_price": "19.90",
        "total": "39.80",
    }
    # and each delivery is logged, on the timeline too
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint)
    assert {(d.status, d.attempts, d.response_code) for d in deliveries} == {
        (DeliveryStatus.DELIVERED, 1, 200)
    }
    assert OrderEvent.objects.filter(type=OrderEventType.WEBHOOK_DELIVERED).count() == 2


def test_a_failing_receiver_gets_retries_with_backoff_until_it_answers(
    endpoint, http_receiver, order, settings, run_db_worker
):
    # given the receiver fails twice on purpose, and retries wait 0.2 s, 0.4 s
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0.2
    endpoint.event_types = ["created"]
    endpoint.save()
    http_receiver.statuses = [500, 503, 204]
    # when the worker runs, and again once each retry is due
    run_db_worker()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (
        DeliveryStatus.PENDING,
        1,
        500,
    )
    assert delivery.last_error == "HTTP 500"
    first_retry_gap = delivery.next_attempt_at - delivery.created_at
    time.sleep(0.3)
    run_db_worker()
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.response_code) == (2, 503)
    # a further retry is planned
    assert delivery.next_attempt_at is not None
    time.sleep(0.5)
    run_db_worker()
    # then the third attempt got through, the same signed body every time
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (
        DeliveryStatus.DELIVERED,
        3,
        204,
    )
    assert len(http_receiver.requests) == 3
    assert len({r["body"] for r in http_receiver.requests}) == 1
    assert all(receiver_checks_signature(r) for r in http_receiver.requests)
    assert first_retry_gap.total_seconds() < 1


def test_a_receiver_that_times_out_is_retried_and_finally_given_up(
    endpoint, http_receiver, order, settings, run_db_worker
):
    # given a receiver slower than the timeout and two attempts at most
    settings.WEBHOOK_TIMEOUT = 0.3
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0.1
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    endpoint.event_types = ["created"]
    endpoint.save()
    http_receiver.delay_seconds = 1
    run_db_worker()
    time.sleep(0.2)
    run_db_worker()
    # then the delivery failed for good after two timed-out attempts, logged on the timeline
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (
        DeliveryStatus.FAILED,
        2,
        None,
    )
    assert "timed out" in delivery.last_error.lower()
    event = OrderEvent.objects.get(type=OrderEventType.WEBHOOK_DELIVERED)
    assert event.data["delivered"] is False and event.data["attempts"] == 2


def test_unsubscribed_types_and_inactive_endpoints_get_nothing(
    endpoint, http_receiver, order, commit, run_db_worker
):
    # given a second, inactive endpoint for everything
    WebhookEndpoint.objects.create(
        name="off", url=http_receiver.url, event_types=["created"], is_active=False
    )
    endpoint.event_types = ["payment_status_changed"]
    endpoint.save()
    with commit():
        set_order_status(number=order.number, status="processing", actor=Actor.system())
    run_db_worker()
    assert http_receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_a_redispatched_event_is_delivered_once(
    endpoint, http_receiver, order, commit, run_db_worker
):
    run_db_worker()
    created = OrderEvent.objects.get(order=order, type=OrderEventType.CREATED)
    OrderEvent.objects.filter(pk=created.pk).update(dispatched_at=None)
    with commit():
        dispatch_event(event_id=created.pk)
    run_db_worker()
    assert WebhookDelivery.objects.filter(event=created).count() == 1
    assert len(http_receiver.requests) == 1


def test_internal_notes_stay_out_of_webhook_bodies(
    endpoint, http_receiver, order, actor, commit, run_db_worker
):
    with commit():
        add_order_note(number=order.number, body="GEHEIM-4711", actor=actor)
    run_db_worker()
    assert any(r["headers"]["Bestellwerk-Event"] == "note_added" for r in http_receiver.requests)
    assert all(b"GEHEIM-4711" not in r["body"] for r in http_receiver.requests)


def test_signature_helpers_reject_tampering_and_old_timestamps():
    body = b'{"a":1}'
    header = sign_body(secret=SECRET, body=body)
    assert verify_signature(secret=SECRET, body=body, header=header)
    assert not verify_signature(secret=SECRET, body=b'{"a":2}', header=header)
    assert not verify_signature(secret="other", body=body, header=header)
    old = sign_body(secret=SECRET, body=body, timestamp=int(time.time()) - 3600)
    assert not verify_signature(secret=SECRET, body=body, header=old)
    assert not verify_signature(secret=SECRET, body=body, header="garbage")
    documented = documented_verifier()
    assert documented(SECRET, body, header)
    assert not documented(SECRET, b'{"a":2}', header)
    assert not documented(SECRET, body, old)


def test_the_admin_form_offers_every_type_but_webhook_delivered(client, admin_user):
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    response = client.post(
        "/admin/automations/webhookendpoint/add/",
        {
            "name": "Shop",
            "url": "https://erp.example/hook",
            "secret": "s3cret",
            "event_types": ["created", "webhook_delivered"],
            "is_active": "on",
        },
    )
    assert response.status_code == 200  # the form comes back with an error
    assert not WebhookEndpoint.objects.exists()
    response = client.post(
        "/admin/automations/webhookendpoint/add/",
        {
            "name": "Shop",
            "url": "https://erp.example/hook",
            "secret": "s3cret",
            "event_types": ["created", "refunded"],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert WebhookEndpoint.objects.get().event_types == ["created", "refunded"]
