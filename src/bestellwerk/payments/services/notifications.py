"""Provider notifications (Stripe's webhook): verified, then applied to payments and refunds."""

import logging

from bestellwerk.core.actors import Actor
from bestellwerk.core.errors import ServiceError
from bestellwerk.payments.models import Refund
from bestellwerk.payments.providers import stripe_webhook_secret
from bestellwerk.payments.providers.base import Notification, RefundResult, RefundUpdate
from bestellwerk.payments.providers.stripe import parse_notification
from bestellwerk.payments.services.checkout import record_payment
from bestellwerk.payments.services.refunds import settle_refund

logger = logging.getLogger(__name__)


def handle_stripe_notification(*, payload: bytes, signature: str | None) -> Notification:
    """Verify a Stripe notification (signature and age) and apply what it reports.

    Raises `stripe.SignatureVerificationError` or `ValueError` for a notification that is
    not genuine; those change nothing. Each payment and refund update is applied in its own
    transaction and is idempotent, so Stripe may deliver the event as often as it likes.
    """
    secret, provider_code = stripe_webhook_secret()
    notification = parse_notification(payload=payload, signature=signature, secret=secret)
    actor = Actor.system("Stripe")
    for confirmation in notification.payments:
        try:
            record_payment(confirmation=confirmation, provider=provider_code, actor=actor)
        except ServiceError as exc:
            if exc.code != "not_found":
                raise
            logger.warning("Stripe paid an unknown order %s", confirmation.order_number)
    for update in notification.refunds:
        apply_refund_update(update=update, actor=actor)
    return notification


def apply_refund_update(*, update: RefundUpdate, actor: Actor) -> Refund | None:
    """A provider's notification about a refund; unknown refunds (made elsewhere) are
    ignored, a repeated notification changes nothing."""
    refund = None
    if update.provider_reference:
        refund = Refund.objects.filter(provider_reference=update.provider_reference).first()
    if refund is None and update.refund_id is not None:
        refund = Refund.objects.filter(pk=update.refund_id, provider_reference__isnull=True).first()
    if refund is None:
        logger.info("Ignoring an update of unknown refund %s", update.provider_reference)
        return None
    return settle_refund(
        refund_id=refund.pk,
        result=RefundResult(
            status=update.status,
            provider_reference=update.provider_reference,
            message=update.message,
        ),
        actor=actor,
    )
