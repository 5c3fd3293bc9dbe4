"""Outgoing webhooks: a delivery row per endpoint and event, written in the outbox dispatch
transaction; the `deliver_webhook` task posts it after commit (claimed with a lease, retried
with backoff, every attempt logged); the sweep re-enqueues deliveries whose task was lost."""

import json
import logging
import urllib.error
import urllib.request
from datetime import datetime, timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from bestellwerk.automations.models import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
)
from bestellwerk.automations.selectors import webhook_payload
from bestellwerk.automations.services.timing import setting_number, sweep_cutoff
from bestellwerk.automations.signing import SIGNATURE_HEADER, sign_body
from bestellwerk.core.actors import Actor
from bestellwerk.notifications.services import (
    backoff_delay,
)
from bestellwerk.orders.events import record_order_event
from bestellwerk.orders.models import OrderEvent, OrderEventType

logger = logging.getLogger(__name__)

WEBHOOK_ACTOR = Actor.system("Webhook")


def queue_webhook_delivery(
    *, endpoint: WebhookEndpoint, event: OrderEvent, source: str = ""
) -> WebhookDelivery:
    """The delivery of `event` to `endpoint`, created once; its task runs after commit."""
    body = json.dumps(webhook_payload(event), cls=DjangoJSONEncoder, separators=(",", ":"))
    with transaction.atomic():
        delivery, created = WebhookDelivery.objects.get_or_create(
            endpoint=endpoint,
            event=event,
            source=source,
            defaults={"order_id": event.order_id, "body": body},
        )
    if created:
        transaction.on_commit(lambda: enqueue_webhook(delivery_id=delivery.pk))
    return delivery


@task()
def deliver_webhook(delivery_id: int) -> str:
    return deliver_queued_webhook(delivery_id=delivery_id)


def enqueue_webhook(*, delivery_id: int, run_after: datetime | None = None) -> None:
    try:
        task = deliver_webhook.using(run_after=run_after) if run_after else deliver_webhook
        task.enqueue(delivery_id=delivery_id)
    except Exception:
        logger.warning(
            "Could not enqueue webhook delivery %s; the sweep will retry.",
            delivery_id,
            exc_info=True,
        )


def _claim_delivery(delivery_id: int) -> bool:
    now = timezone.now()
    lease = timedelta(seconds=setting_number("WEBHOOK_TIMEOUT", 10) * 3 + 30)
    return bool(
        WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(claimed_until=now + lease, attempts=F("attempts") + 1)
    )


def deliver_queued_webhook(*, delivery_id: int) -> str:
    """POST the delivery once (one attempt); a 2xx answer is success, anything else retries."""
    if not _claim_delivery(delivery_id):
        return str(
            WebhookDelivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first()
        )
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    body = delivery.body.encode()
    request = urllib.request.Request(
        delivery.endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Bestellwerk-Webhooks/1",
            SIGNATURE_HEADER: sign_body(secret=delivery.endpoint.secret, body=body),
            # Receivers drop repeats by this id: a delivery may arrive twice, never differ.
            "Bestellwerk-Delivery": str(delivery.pk),
            "Bestellwerk-Event": delivery.event.type,
        },
    )
    code: int | None = None
    error = ""
    try:
        with urllib.request.urlopen(
            request, timeout=setting_number("WEBHOOK_TIMEOUT", 10)
        ) as response:
            code = response.status
    except urllib.error.HTTPError as exc:
        code, error = exc.code, f"HTTP {exc.code}"
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
    return _finish_delivery_attempt(delivery_id=delivery_id, code=code, error=error)


@transaction.atomic
def _finish_delivery_attempt(*, delivery_id: int, code: int | None, error: str) -> str:
    delivery = (
        WebhookDelivery.objects.select_for_update(of=("self",))
        .select_related("endpoint")
        .get(pk=delivery_id)
    )
    delivery.response_code = code
    delivery.claimed_until = None
    ok = not error and code is not None and 200 <= code < 300
    max_attempts = int(setting_number("WEBHOOK_MAX_ATTEMPTS", 8))
    if ok:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = timezone.now()
        delivery.last_error = ""
        delivery.next_attempt_at = None
    elif delivery.attempts >= max_attempts:
        delivery.status = DeliveryStatus.FAILED
        delivery.last_error = error[:2000]
        delivery.next_attempt_at = None
    else:
        delivery.last_error = error[:2000]
        delivery.next_attempt_at = timezone.now() + backoff_delay(
            attempt=delivery.attempts,
            base_seconds=setting_number("WEBHOOK_RETRY_BASE_SECONDS", 30),
        )
        retry_at = delivery.next_attempt_at
        transaction.on_commit(lambda: enqueue_webhook(delivery_id=delivery_id, run_after=retry_at))
    delivery.save()
    if delivery.status != DeliveryStatus.PENDING:
        record_order_event(
            order=delivery.order,
            type=OrderEventType.WEBHOOK_DELIVERED,
            actor=WEBHOOK_ACTOR,
            data={
                "delivery_id": delivery.pk,
                "endpoint": delivery.endpoint.name,
                "event_type": delivery.event.type,
                "delivered": delivery.status == DeliveryStatus.DELIVERED,
                "attempts": delivery.attempts,
                "response_code": code,
                "error": delivery.last_error[:500],
            },
        )
    return delivery.status


def sweep_webhooks(*, limit: int = 500) -> int:
    """Re-enqueue pending deliveries whose task was lost (queue down, worker killed)."""
    now, cutoff = timezone.now(), sweep_cutoff()
    overdue = list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, created_at__lte=cutoff)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=cutoff))
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .values_list("pk", flat=True)[:limit]
    )
    for delivery_id in overdue:
        enqueue_webhook(delivery_id=delivery_id)
    return len(overdue)
