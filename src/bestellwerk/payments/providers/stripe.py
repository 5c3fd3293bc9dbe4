"""Stripe through its official SDK: Checkout Sessions to collect, Refunds to give back.

Keys come from the settings (STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET); STRIPE_API_BASE
points the SDK at a stand-in (the tests' local server) instead of api.stripe.com.
"""

import json
import logging
import re
import time
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings

from bestellwerk.payments.providers.base import (
    Checkout,
    CheckoutRequest,
    Notification,
    PaymentConfirmation,
    PaymentProvider,
    ProviderError,
    RefundResult,
    RefundUpdate,
    from_cents,
    to_cents,
)

logger = logging.getLogger(__name__)

# How old a signed notification may be, in seconds (Stripe's own default).
WEBHOOK_TOLERANCE_SECONDS = 300
PAID_SESSION_EVENTS = {"checkout.session.completed", "checkout.session.async_payment_succeeded"}
REFUND_EVENTS = {"refund.created", "refund.updated", "refund.failed"}
REFUND_STATUS = {"succeeded": "succeeded", "failed": "failed", "canceled": "failed"}


class StripeProvider(PaymentProvider):
    code = "stripe"
    hosts_checkout = True
    refunds_online = True

    def __init__(self, *, api_key: str, api_base: str = "") -> None:
        self.client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base} if api_base else None,
            max_network_retries=1,
        )

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        metadata = {
            "order_number": str(request.order_number),
            "payment_link_id": str(request.payment_link_id),
        }
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": request.currency.lower(),
                        "unit_amount": to_cents(request.amount),
                        "product_data": {"name": request.description},
                    },
                }
            ],
            "client_reference_id": str(request.order_number),
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata},
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
        }
        if request.customer_email:
            params["customer_email"] = request.customer_email
        try:
            session = self.client.v1.checkout.sessions.create(params=params)
        except stripe.StripeError as exc:
            raise ProviderError(_stripe_message(exc), code=exc.code or "") from exc
        return Checkout(session_id=session.id, url=session.url or "")

    def refund(
        self, *, refund_reference: str, amount: Decimal, refund_id: int, idempotency_key: str
    ) -> RefundResult:
        try:
            refund = self.client.v1.refunds.create(
                params={
                    "payment_intent": refund_reference,
                    "amount": to_cents(amount),
                    "metadata": {"bestellwerk_refund_id": str(refund_id)},
                },
                options={"idempotency_key": idempotency_key},
            )
        except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
            # Whether Stripe acted is unknown: the refund stays pending; the webhook (which
            # carries our refund id) or a retry with the same idempotency key settles it.
            logger.warning("Stripe refund %s not confirmed: %s", refund_id, exc)
            return RefundResult(status="pending", message=_stripe_message(exc))
        except stripe.StripeError as exc:
            if exc.http_status and exc.http_status >= 500:
                return RefundResult(status="pending", message=_stripe_message(exc))
            return RefundResult(status="failed", message=_stripe_message(exc))
        update = _refund_update(refund.to_dict())
        return RefundResult(
            status=update.status,
            provider_reference=update.provider_reference,
            message=update.message,
        )

    def refund_status(self, *, provider_reference: str) -> RefundResult:
        try:
            refund = self.client.v1.refunds.retrieve(provider_reference)
        except stripe.StripeError as exc:
            return RefundResult(
                status="pending",
                provider_reference=provider_reference,
                message=_stripe_message(exc),
            )
        update = _refund_update(refund.to_dict())
        return RefundResult(
            status=update.status,
            provider_reference=update.provider_reference,
            message=update.message,
        )


def _stripe_message(exc: stripe.StripeError) -> str:
    return (exc.user_message or str(exc) or exc.__class__.__name__)[:500]


def parse_notification(*, payload: bytes, signature: str | None, secret: str) -> Notification:
    """Verify a Stripe-signed event and read what it says about payments and refunds.

    Raises `stripe.SignatureVerificationError` for a bad or too old signature and
    `ValueError` for a body that is not an event.
    """
    if not secret:
        raise stripe.SignatureVerificationError("No webhook secret is configured.", signature)
    stripe.Webhook.construct_event(payload, signature, secret, WEBHOOK_TOLERANCE_SECONDS)
    _refuse_a_timestamp_ahead(signature or "")
    # Read the verified body as plain JSON, independent of the SDK's object model.
    event = json.loads(payload)
    event_type = str(event.get("type", ""))
    obj = (event.get("data") or {}).get("object") or {}
    notification = Notification(event_id=str(event.get("id", "")), event_type=event_type)
    if event_type in PAID_SESSION_EVENTS and obj.get("payment_status") == "paid":
        notification.payments.append(_payment_from_session(obj))
    elif event_type in REFUND_EVENTS:
        notification.refunds.append(_refund_update(obj))
    elif event_type == "charge.refunded":
        for refund in (obj.get("refunds") or {}).get("data") or []:
            notification.refunds.append(_refund_update(refund))
    return notification


def _refuse_a_timestamp_ahead(signature: str) -> None:
    """The SDK checks only that a signature is not too old; one dated ahead of our clock by
    more than the tolerance is refused just the same (a signed event kept for later)."""
    match = re.search(r"(?:^|,)t=(\d{1,12})(?:,|$)", signature)
    if match is None or int(match.group(1)) > time.time() + WEBHOOK_TOLERANCE_SECONDS:
        raise stripe.SignatureVerificationError("Timestamp outside the tolerance zone", signature)


def _payment_from_session(session: dict[str, Any]) -> PaymentConfirmation:
    metadata = session.get("metadata") or {}
    number = metadata.get("order_number") or session.get("client_reference_id")
    try:
        order_number = int(number)
    except (TypeError, ValueError) as exc:
        raise ValueError("The checkout session names no order.") from exc
    return PaymentConfirmation(
        order_number=order_number,
        reference=str(session["id"]),
        refund_reference=str(session.get("payment_intent") or ""),
        amount=from_cents(session.get("amount_total")),
        currency=str(session.get("currency") or "eur").upper(),
    )


def _refund_update(refund: dict[str, Any]) -> RefundUpdate:
    metadata = refund.get("metadata") or {}
    refund_id = metadata.get("bestellwerk_refund_id")
    status = REFUND_STATUS.get(str(refund.get("status")), "pending")
    return RefundUpdate(
        provider_reference=str(refund.get("id", "")),
        status=status,
        refund_id=int(refund_id) if str(refund_id or "").isdigit() else None,
        message=str(refund.get("failure_reason") or "") if status == "failed" else "",
    )


def stripe_keys_configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)
