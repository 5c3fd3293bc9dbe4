"""A stand-in for Stripe: a local HTTP server that speaks the API endpoints we use, reached
through STRIPE_API_BASE, and webhook events signed here exactly as Stripe signs them."""

import hashlib
import hmac
import itertools
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import pytest

from bestellwerk.payments.services import set_payment_status

STRIPE_TEST_KEY = "sk_test_bestellwerk_standin"
WEBHOOK_SECRET = "whsec_test_bestellwerk"


@dataclass
class FakeStripe:
    """What the stand-in was asked, and how it answers refunds next."""

    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    # "succeeded", "pending", or an error: "invalid_request" (400), "server_error" (500).
    refund_answer: str = "succeeded"
    refunds_by_key: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds_by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def posted(self, path: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["method"] == "POST" and r["path"] == path]


def _error(kind: str, message: str, code: str = "") -> dict[str, Any]:
    return {"error": {"type": kind, "message": message, "code": code}}


class _Handler(BaseHTTPRequestHandler):
    fake: FakeStripe

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", f"req_{next(self.fake.ids)}")
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self.fake.requests.append({"method": "GET", "path": self.path})
        refund_id = self.path.removeprefix("/v1/refunds/")
        if self.headers.get("Authorization") != f"Bearer {STRIPE_TEST_KEY}":
            self._answer(401, _error("invalid_request_error", "Invalid API Key provided."))
        elif self.path.startswith("/v1/refunds/") and refund_id in self.fake.refunds_by_id:
            self._answer(200, self.fake.refunds_by_id[refund_id])
        else:
            missing = f"No such refund: '{refund_id}'"
            self._answer(404, _error("invalid_request_error", missing, "resource_missing"))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(parse_qsl(self.rfile.read(length).decode()))
        request = {
            "method": "POST",
            "path": self.path,
            "form": form,
            "idempotency_key": self.headers.get("Idempotency-Key"),
            "authorization": self.headers.get("Authorization"),
        }
        self.fake.requests.append(request)
        if self.headers.get("Authorization") != f"Bearer {STRIPE_TEST_KEY}":
            self._answer(401, _error("invalid_request_error", "Invalid API Key provided."))
        elif self.path == "/v1/checkout/sessions":
            self._checkout_session(form)
        elif self.path == "/v1/refunds":
            self._refund(form, request["idempotency_key"])
        else:
            self._answer(404, _error("invalid_request_error", f"Unrecognized URL {self.path}"))

    def _checkout_session(self, form: dict[str, str]) -> None:
        session_id = f"cs_test_{next(self.fake.ids)}"
        self._answer(
            200,
            {
                "id": session_id,
                "object": "checkout.session",
                "mode": form.get("mode"),
                "status": "open",
                "payment_status": "unpaid",
                "amount_total": int(form["line_items[0][price_data][unit_amount]"]),
                "currency": form["line_items[0][price_data][currency]"],
                "client_reference_id": form.get("client_reference_id"),
                "metadata": {
                    "order_number": form.get("metadata[order_number]"),
                    "payment_link_id": form.get("metadata[payment_link_id]"),
                },
                "url": f"https://checkout.stripe.test/c/pay/{session_id}",
            },
        )

    def _refund(self, form: dict[str, str], key: str | None) -> None:
        if key and key in self.fake.refunds_by_key:
            self._answer(200, self.fake.refunds_by_key[key])
            return
        answer = self.fake.refund_answer
        if answer == "invalid_request":
            self._answer(
                400,
                _error(
                    "invalid_request_error",
                    "Charge ch_1 has already been refunded.",
                    "charge_already_refunded",
                ),
            )
            return
        if answer == "server_error":
            self._answer(500, _error("api_error", "Something went wrong on Stripe's end."))
            return
        refund = {
            "id": f"re_test_{next(self.fake.ids)}",
            "object": "refund",
            "amount": int(form["amount"]),
            "currency": "eur",
            "payment_intent": form["payment_intent"],
            "status": answer,
            "metadata": {"bestellwerk_refund_id": form.get("metadata[bestellwerk_refund_id]")},
        }
        if key:
            self.fake.refunds_by_key[key] = refund
        self.fake.refunds_by_id[refund["id"]] = refund
        self._answer(200, refund)


@pytest.fixture
def fake_stripe() -> Iterator[FakeStripe]:
    fake = FakeStripe()
    handler = type("Handler", (_Handler,), {"fake": fake})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def stripe_settings(settings, fake_stripe: FakeStripe) -> FakeStripe:
    """Stripe "configured" against the stand-in, as production would be against Stripe."""
    settings.STRIPE_SECRET_KEY = STRIPE_TEST_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = fake_stripe.url
    settings.PUBLIC_BASE_URL = "https://shop.example"
    return fake_stripe


def sign(payload: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header Stripe sends: t=<unix time>,v1=HMAC-SHA256 hex."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def event(event_type: str, obj: dict[str, Any], event_id: str = "evt_test_1") -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": event_type,
            "api_version": "2025-01-27.acacia",
            "created": int(time.time()),
            "livemode": False,
            "data": {"object": obj},
        }
    ).encode()


def checkout_completed(
    order_number: int, amount_cents: int, session_id: str = "cs_test_paid_1"
) -> bytes:
    return event(
        "checkout.session.completed",
        {
            "id": session_id,
            "object": "checkout.session",
            "mode": "payment",
            "status": "complete",
            "payment_status": "paid",
            "payment_intent": f"pi_{session_id}",
            "amount_total": amount_cents,
            "currency": "eur",
            "client_reference_id": str(order_number),
            "metadata": {"order_number": str(order_number), "payment_link_id": "1"},
        },
        event_id=f"evt_{session_id}",
    )


def refund_event(
    event_type: str, refund_id: str, status: str, our_id: int, reason: str = ""
) -> bytes:
    return event(
        event_type,
        {
            "id": refund_id,
            "object": "refund",
            "status": status,
            "failure_reason": reason or None,
            "metadata": {"bestellwerk_refund_id": str(our_id)},
        },
        event_id=f"evt_{refund_id}_{status}",
    )


def post_webhook(client, payload: bytes, signature: str | None):
    headers = {"Stripe-Signature": signature} if signature is not None else {}
    return client.post(
        "/payments/stripe/webhook/", data=payload, content_type="application/json", headers=headers
    )


@pytest.fixture
def payment_settings(db) -> None:
    """The seeded settings rows these tests use. A transactional test (live server, races)
    flushes the database afterwards, seeded rows included, so each test makes sure of them."""
    from decimal import Decimal

    from bestellwerk.payments.models import PaymentMethod
    from bestellwerk.shipping.models import ShippingMethod

    PaymentMethod.objects.get_or_create(
        code="card", defaults={"name": "Kreditkarte", "name_en": "Card", "provider": "stripe"}
    )
    PaymentMethod.objects.get_or_create(
        code="invoice", defaults={"name": "Rechnung", "name_en": "Invoice", "provider": "manual"}
    )
    ShippingMethod.objects.get_or_create(
        code="standard",
        defaults={"name": "Standardversand", "name_en": "Standard", "price": Decimal("4.90")},
    )


@pytest.fixture
def order(payment_settings, order):
    """The pending invoice order of tests/conftest.py (seeded settings made sure of)."""
    return order


@pytest.fixture
def card_order(payment_settings, actor, coffee, mug, billing):
    """A pending, unpaid order paid by card: 2 × coffee (39.80) + mug (9.90) + 4.90 = 54.60."""
    from bestellwerk.orders.inputs import LineInput
    from bestellwerk.orders.services import create_order

    return create_order(
        actor=actor,
        billing_address=billing,
        lines=[LineInput(quantity=2, sku=coffee.sku), LineInput(quantity=1, sku=mug.sku)],
        payment_method="card",
        shipping_method="standard",
    )


@pytest.fixture
def paid_order(order, actor):
    """The invoice order of tests/conftest.py, marked paid by hand (no payment record)."""
    return set_payment_status(number=order.number, payment_status="paid", actor=actor)
