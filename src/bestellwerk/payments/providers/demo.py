"""The demo checkout for `make run` without Stripe keys: no real money moves.

It walks Stripe's path on our own server: the payment page sends the customer to a clearly
labelled demo checkout page; its pay button makes a `checkout.session.completed` event,
signs it the way Stripe signs (with a demo secret) and posts it to our own Stripe webhook
endpoint, which marks the order paid. Refunds succeed at once.
"""

import hashlib
import hmac
import json
import secrets
import time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse

from bestellwerk.payments.providers.base import (
    Checkout,
    CheckoutRequest,
    PaymentProvider,
    RefundResult,
    to_cents,
)

DEMO_SESSION_SALT = "bestellwerk.payments.demo-checkout"
# A demo checkout page is good for as long as a Stripe Checkout Session (24 hours).
DEMO_SESSION_MAX_AGE = 24 * 60 * 60


class DemoProvider(PaymentProvider):
    code = "demo"
    hosts_checkout = True
    refunds_online = True

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        session_id = f"cs_demo_{secrets.token_hex(12)}"
        session = {
            "id": session_id,
            "order_number": request.order_number,
            "amount": str(request.amount),
            "currency": request.currency,
            "description": request.description,
            "payment_link_id": request.payment_link_id,
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
        }
        token = signing.dumps(session, salt=DEMO_SESSION_SALT, compress=True)
        return Checkout(session_id=session_id, url=reverse("payments:demo_checkout", args=[token]))

    def refund(
        self, *, refund_reference: str, amount: Decimal, refund_id: int, idempotency_key: str
    ) -> RefundResult:
        reference = f"re_demo_{secrets.token_hex(8)}"
        return RefundResult(status="succeeded", provider_reference=reference)

    def refund_status(self, *, provider_reference: str) -> RefundResult:
        return RefundResult(status="succeeded", provider_reference=provider_reference)


def demo_checkout_enabled() -> bool:
    """Only without Stripe keys, and only where the demo is switched on (DEBUG by default)."""
    return not settings.STRIPE_SECRET_KEY and settings.PAYMENTS_DEMO_CHECKOUT


def demo_webhook_secret() -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), b"bestellwerk-demo-stripe-webhook", hashlib.sha256
    ).hexdigest()
    return f"whsec_demo_{digest[:32]}"


def read_demo_session(token: str) -> dict[str, Any]:
    """The demo checkout session behind a token; raises `signing.BadSignature` if forged."""
    return signing.loads(token, salt=DEMO_SESSION_SALT, max_age=DEMO_SESSION_MAX_AGE)


def signed_completed_event(session: dict[str, Any]) -> tuple[bytes, str]:
    """A `checkout.session.completed` event for a paid demo session, and its signature header."""
    metadata = {
        "order_number": str(session["order_number"]),
        "payment_link_id": str(session["payment_link_id"]),
    }
    event = {
        "id": f"evt_demo_{secrets.token_hex(12)}",
        "object": "event",
        "type": "checkout.session.completed",
        "livemode": False,
        "created": int(time.time()),
        "data": {
            "object": {
                "id": session["id"],
                "object": "checkout.session",
                "mode": "payment",
                "payment_status": "paid",
                "status": "complete",
                # Derived from the session, so paying one session twice is one payment.
                "payment_intent": "pi_demo_" + session["id"].removeprefix("cs_demo_"),
                "amount_total": to_cents(Decimal(session["amount"])),
                "currency": session["currency"].lower(),
                "client_reference_id": str(session["order_number"]),
                "metadata": metadata,
            }
        },
    }
    payload = json.dumps(event).encode()
    timestamp = int(time.time())
    signature = hmac.new(
        demo_webhook_secret().encode(), f"{timestamp}.".encode() + payload, hashlib.sha256
    ).hexdigest()
    return payload, f"t={timestamp},v1={signature}"
