"""Every write of the e-mail app: queueing an e-mail for an order event, sending it.

An e-mail is rendered once into an EmailLog row in the transaction that dispatches its
event; a task sends it after commit. Sending claims the row with a conditional UPDATE (a
lease), so two workers never send the same row; a failure puts it back with a later
`next_attempt_at` (exponential backoff) and enqueues the retry with `run_after`; the sweep
re-enqueues rows whose task was lost.
"""

import logging
import socket
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from bestellwerk.core.actors import Actor
from bestellwerk.core.errors import ServiceError
from bestellwerk.core.models import ShopSettings
from bestellwerk.notifications.models import EmailLog, EmailStatus, EmailTemplate
from bestellwerk.notifications.rendering import build_order_context, render_template_strings
from bestellwerk.orders.events import record_order_event
from bestellwerk.orders.models import Order, OrderEvent, OrderEventType

logger = logging.getLogger(__name__)

EMAIL_ACTOR = Actor.system("E-Mail")


def email_max_attempts() -> int:
    return int(getattr(settings, "EMAIL_MAX_ATTEMPTS", 8))


def backoff_delay(*, attempt: int, base_seconds: float) -> timedelta:
    """Exponential backoff after failed attempt n: base, 2×base, 4×base … capped at 6 hours."""
    return timedelta(seconds=min(base_seconds * 2 ** max(attempt - 1, 0), 6 * 3600))


def email_retry_delay(attempt: int) -> timedelta:
    base = float(getattr(settings, "EMAIL_RETRY_BASE_SECONDS", 60))
    return backoff_delay(attempt=attempt, base_seconds=base)


def email_lease() -> timedelta:
    # Longer than the SMTP timeout: a live sender always finishes inside its lease.
    return timedelta(seconds=max(int(getattr(settings, "EMAIL_TIMEOUT", 15) or 15) * 4, 60))


def customer_language(order: Order) -> str:
    if order.customer is not None and order.customer.language:
        return order.customer.language
    return ShopSettings.load().default_language


def customer_address(order: Order) -> str:
    email = (order.billing_address or {}).get("email") or ""
    if not email and order.customer is not None:
        email = order.customer.email or ""
    return email.strip()


def _find_template(code: str, language: str) -> EmailTemplate | None:
    templates = {t.language: t for t in EmailTemplate.objects.filter(code=code, is_active=True)}
    # The customer's language first, then the shop's, then whatever exists.
    for candidate in (language, ShopSettings.load().default_language, "de", "en"):
        if candidate in templates:
            return templates[candidate]
    return None


def queue_order_email(
    *,
    event: OrderEvent,
    template_code: str,
    recipient: str,
    language: str,
    source: str = "",
) -> EmailLog | None:
    """Render `template_code` for the event's order and queue it for `recipient`, once.

    Returns None when there is no active template or no address. A template that does not
    render is logged as a failed e-mail (and on the timeline) instead of blocking the event.
    """
    recipient = recipient.strip()
    if not recipient or len(recipient) > 254 or "@" not in recipient:
        # No (usable) address, e.g. a walk-in sale or a typo in the admin addresses.
        return None
    existing = EmailLog.objects.filter(
        event=event, recipient=recipient, template_code=template_code, source=source
    ).first()
    if existing is not None:
        return existing
    template = _find_template(template_code, language)
    if template is None:
        logger.info(
            "No active e-mail template %r; nothing sent for event %s.", template_code, event.pk
        )
        return None
    order = event.order
    context = build_order_context(order, language=template.language, event_data=event.data)
    fields: dict[str, Any] = {"language": template.language}
    try:
        rendered = render_template_strings(
            subject=template.subject,
            body_text=template.body_text,
            body_html=template.body_html,
            context=context,
        )
    except ServiceError as exc:
        fields |= {
            "subject": template.subject[:300],
            "body_text": "",
            "status": EmailStatus.FAILED,
            "last_error": exc.message,
        }
    else:
        fields |= {
            "subject": rendered.subject,
            "body_text": rendered.body_text,
            "body_html": rendered.body_html,
        }
    with transaction.atomic():
        log, created = EmailLog.objects.get_or_create(
            event=event,
            recipient=recipient,
            template_code=template_code,
            source=source,
            defaults={"order": order, **fields},
        )
        if not created:
            return log
        if log.status == EmailStatus.FAILED:
            _record_email_event(log, OrderEventType.EMAIL_FAILED, final=True)
        else:
            transaction.on_commit(lambda: enqueue_send(email_id=log.pk))
    return log


def enqueue_send(*, email_id: int, run_after: datetime | None = None) -> None:
    """Queue the send task; if the queue is down the sweep finds the row later."""
    try:
        task = send_email.using(run_after=run_after) if run_after else send_email
        task.enqueue(email_id=email_id)
    except Exception:
        logger.warning(
            "Could not enqueue e-mail %s; the sweep will retry.", email_id, exc_info=True
        )


def _claim(email_id: int) -> bool:
    now = timezone.now()
    return bool(
        EmailLog.objects.filter(pk=email_id, status=EmailStatus.PENDING)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(claimed_until=now + email_lease(), attempts=F("attempts") + 1)
    )


def _build_message(log: EmailLog) -> EmailMultiAlternatives:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or socket.getfqdn()
    message = EmailMultiAlternatives(
        subject=log.subject,
        body=log.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[log.recipient],
        # The same Message-ID on every attempt lets a mail server drop a duplicate.
        headers={"Message-ID": f"<bestellwerk-email-{log.pk}@{domain}>"},
    )
    if log.body_html:
        message.attach_alternative(log.body_html, "text/html")
    return message


@task()
def send_email(email_id: int) -> str:
    return send_queued_email(email_id=email_id)


def send_queued_email(*, email_id: int) -> str:
    """Send one queued e-mail (one attempt). Returns its status afterwards.

    Sending is at-least-once: if the worker dies between the SMTP server accepting the
    message and the row being marked sent, the lease runs out and the mail is sent again
    (with the same Message-ID).
    """
    if not _claim(email_id):
        return str(EmailLog.objects.filter(pk=email_id).values_list("status", flat=True).first())
    log = EmailLog.objects.get(pk=email_id)
    try:
        with get_connection(fail_silently=False) as connection:
            connection.send_messages([_build_message(log)])
    except Exception as exc:
        return _mark_failed_attempt(email_id=email_id, error=f"{type(exc).__name__}: {exc}")
    return _mark_sent(email_id=email_id)


@transaction.atomic
def _mark_sent(*, email_id: int) -> str:
    log = EmailLog.objects.select_for_update(of=("self",)).select_related("order").get(pk=email_id)
    log.status = EmailStatus.SENT
    log.sent_at = timezone.now()
    log.claimed_until = None
    log.next_attempt_at = None
    log.last_error = ""
    log.save()
    _record_email_event(log, OrderEventType.EMAIL_SENT)
    return log.status


@transaction.atomic
def _mark_failed_attempt(*, email_id: int, error: str) -> str:
    log = EmailLog.objects.select_for_update(of=("self",)).select_related("order").get(pk=email_id)
    final = log.attempts >= email_max_attempts()
    log.status = EmailStatus.FAILED if final else EmailStatus.PENDING
    log.last_error = error[:2000]
    log.claimed_until = None
    log.next_attempt_at = None if final else timezone.now() + email_retry_delay(log.attempts)
    log.save()
    _record_email_event(log, OrderEventType.EMAIL_FAILED, final=final)
    if not final:
        retry_at = log.next_attempt_at
        transaction.on_commit(lambda: enqueue_send(email_id=email_id, run_after=retry_at))
    logger.warning(
        "E-mail %s to %s failed (attempt %s): %s", email_id, log.recipient, log.attempts, error
    )
    return log.status


def _record_email_event(log: EmailLog, type: str, *, final: bool = False) -> None:
    data: dict[str, Any] = {
        "email_id": log.pk,
        "to": log.recipient,
        "subject": log.subject,
        "template": log.template_code,
        "attempt": log.attempts,
    }
    if type == OrderEventType.EMAIL_FAILED:
        data["error"] = log.last_error[:500]
        data["final"] = final
        data["retry_at"] = log.next_attempt_at.isoformat() if log.next_attempt_at else None
    record_order_event(order=log.order, type=type, actor=EMAIL_ACTOR, data=data)


def sweep_emails(*, limit: int = 500) -> int:
    """Re-enqueue pending e-mails whose task was lost (queue down, worker killed)."""
    grace = timedelta(seconds=getattr(settings, "OUTBOX_SWEEP_GRACE_SECONDS", 60))
    now = timezone.now()
    overdue = list(
        EmailLog.objects.filter(status=EmailStatus.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now - grace))
        .filter(created_at__lte=now - grace)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .values_list("pk", flat=True)[:limit]
    )
    for email_id in overdue:
        enqueue_send(email_id=email_id)
    return len(overdue)
