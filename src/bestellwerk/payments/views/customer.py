"""The customer's side: the payment page behind a link, the demo checkout, Stripe's webhook."""

import logging
import urllib.error
import urllib.request
from decimal import Decimal
from typing import Any

import stripe
from csp.decorators import csp_update
from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bestellwerk.core.errors import ServiceError
from bestellwerk.core.links import public_url
from bestellwerk.core.models import ShopSettings
from bestellwerk.payments import selectors, services
from bestellwerk.payments.providers.demo import read_demo_session, signed_completed_event

logger = logging.getLogger(__name__)

# "Pay now" answers with a redirect to Stripe's hosted checkout, and browsers hold the
# redirects of a form's submission to its page's form-action as well: the payment page (and
# its error answer, which shows the form again) lets its form lead there.
posts_to_stripe_checkout = csp_update({"form-action": ["https://checkout.stripe.com"]})


def _link_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    expired = exc.code == "link_expired"
    return render(
        request,
        "payments/link_invalid.html",
        {"expired": expired, "shop": ShopSettings.load()},
        status=410 if expired else 404,
    )


def _pay_page(request: HttpRequest, token: str, *, error: str = "") -> HttpResponse:
    try:
        link = selectors.get_payment_link(token=token)
    except ServiceError as exc:
        return _link_error(request, exc)
    order = link.order
    method = order.payment_method
    provider = services.provider_for_order(order)
    context: dict[str, Any] = {
        "token": token,
        "order": order,
        "lines": order.lines.order_by("position", "id"),
        "owed": selectors.amount_owed(order=order),
        "kept": selectors.amount_kept(order=order),
        "payable": services.is_payable(order),
        "shop": ShopSettings.load(),
        "method": method,
        "online": provider.hosts_checkout,
        "demo": provider.code == "demo",
        "just_paid": request.GET.get("paid") == "1",
        "error": error,
        "bank": {
            "holder": settings.BANK_ACCOUNT_HOLDER,
            "iban": settings.BANK_IBAN,
            "bic": settings.BANK_BIC,
        },
    }
    return render(request, "payments/pay.html", context, status=422 if error else 200)


@require_GET
@posts_to_stripe_checkout
def pay(request: HttpRequest, token: str) -> HttpResponse:
    return _pay_page(request, token)


@require_POST
@posts_to_stripe_checkout
def pay_checkout(request: HttpRequest, token: str) -> HttpResponse:
    return_url = public_url(reverse("payments:pay", args=[token]))
    try:
        url = services.start_checkout(token=token, return_url=return_url)
    except ServiceError as exc:
        if exc.code in ("not_found", "link_expired"):
            return _link_error(request, exc)
        return _pay_page(request, token, error=exc.message)
    return redirect(url)


@require_http_methods(["GET", "POST"])
def demo_checkout(request: HttpRequest, session: str) -> HttpResponse:
    """The labelled stand-in for Stripe's hosted checkout (no keys, no real money)."""
    try:
        checkout = read_demo_session(session)
    except signing.BadSignature:
        return render(
            request, "payments/link_invalid.html", {"shop": ShopSettings.load()}, status=404
        )
    error = ""
    if request.method == "POST":
        payload, signature = signed_completed_event(checkout)
        # Like Stripe, notify our webhook endpoint over HTTP with a signed event.
        webhook = urllib.request.Request(
            public_url(reverse("payments:stripe_webhook")),
            data=payload,
            headers={"Content-Type": "application/json", "Stripe-Signature": signature},
            method="POST",
        )
        try:
            with urllib.request.urlopen(webhook, timeout=15) as answer:
                answer.read()
            return redirect(checkout["success_url"])
        except (urllib.error.URLError, OSError) as exc:
            logger.warning("Demo checkout could not notify the webhook: %s", exc)
            error = _("The payment could not be confirmed. Please try again.")
    return render(
        request,
        "payments/demo_checkout.html",
        {
            "checkout": checkout,
            "amount": Decimal(checkout["amount"]),
            "error": error,
            "shop": ShopSettings.load(),
        },
        status=502 if error else 200,
    )


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Stripe's notifications; only a valid `Stripe-Signature` in tolerance is read."""
    try:
        services.handle_stripe_notification(
            payload=request.body, signature=request.headers.get("Stripe-Signature")
        )
    except stripe.SignatureVerificationError:
        return JsonResponse({"error": "invalid signature"}, status=400)
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "invalid payload"}, status=400)
    except ServiceError as exc:
        # A genuine event we cannot apply (e.g. a zero amount): retrying will not help.
        logger.warning("Stripe notification refused: %s", exc.message)
        return JsonResponse({"error": exc.code}, status=400)
    return JsonResponse({"received": True})
