"""Thin views: the customer's payment page, the demo checkout, Stripe's webhook, and the
staff's payments section with its refund form."""

import logging
import secrets
import urllib.error
import urllib.request
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import localize
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bestellwerk.accounts.permissions import permission_required_for
from bestellwerk.core.actors import Actor
from bestellwerk.core.errors import ServiceError
from bestellwerk.core.links import public_url
from bestellwerk.core.models import ShopSettings
from bestellwerk.orders.selectors import get_order
from bestellwerk.payments import selectors, services
from bestellwerk.payments.forms import RefundForm
from bestellwerk.payments.providers.demo import read_demo_session, signed_completed_event

logger = logging.getLogger(__name__)

# --------------------------------------------------------------------------- customers


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
def pay(request: HttpRequest, token: str) -> HttpResponse:
    return _pay_page(request, token)


@require_POST
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


# --------------------------------------------------------------------------- staff


def payments_context(order_number: int) -> dict[str, Any]:
    """What `payments/_order_payments.html` shows; the order page may include it with this."""
    order = get_order(number=order_number)
    return {
        "order": order,
        "payments": list(selectors.list_payments(order=order)),
        "refunds": list(selectors.list_refunds(order=order)),
        "summary": selectors.refund_summary(order=order),
        "owed": selectors.amount_owed(order=order),
    }


@permission_required_for("orders.payments")
@require_GET
def order_payments(request: HttpRequest, number: int) -> HttpResponse:
    """The payments section on a page of its own (the order page includes it with
    `{% order_payments order %}`); htmx gets the section alone."""
    if request.htmx:
        return render(request, "payments/_order_payments.html", payments_context(number))
    return render(request, "payments/order_payments.html", {"order": get_order(number=number)})


@permission_required_for("orders.payments")
@require_POST
def send_link(request: HttpRequest, number: int) -> HttpResponse:
    sent_url, error = "", ""
    try:
        sent = services.send_payment_link(number=number, actor=Actor.for_user(request.user))
        sent_url = sent.url
    except ServiceError as exc:
        error = exc.message
    if request.htmx:
        context = {**payments_context(number), "sent_url": sent_url, "link_error": error}
        return render(request, "payments/_order_payments.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request, _("Payment link sent to the customer: %(url)s") % {"url": sent_url}
        )
    return redirect(_next_url(request, number))


def _next_url(request: HttpRequest, number: int) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("payments:order_payments", args=[number])


@permission_required_for("orders.payments")
@require_http_methods(["GET", "POST"])
def refund_new(request: HttpRequest, number: int) -> HttpResponse:
    order = get_order(number=number)
    form_kwargs = {
        "lines": selectors.refundable_lines(order=order),
        "summary": selectors.refund_summary(order=order),
    }
    if request.method == "POST":
        form = RefundForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                refund = services.refund_order(
                    number=number,
                    actor=Actor.for_user(request.user),
                    idempotency_key=request.POST.get("idempotency_key") or None,
                    **form.service_arguments(),
                )
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                if refund.status == "failed":
                    failure = {"message": refund.failure_message}
                    messages.error(request, _("Refund failed: %(message)s") % failure)
                else:
                    messages.success(
                        request,
                        _("Refund of %(amount)s %(currency)s: %(status)s")
                        % {
                            "amount": localize(refund.amount),
                            "currency": refund.currency,
                            "status": refund.get_status_display(),
                        },
                    )
                return redirect(_next_url(request, number))
    else:
        form = RefundForm(**form_kwargs)
    template = "payments/_refund_form.html" if request.htmx else "payments/refund_form.html"
    return render(
        request,
        template,
        {
            "order": order,
            "form": form,
            "summary": form_kwargs["summary"],
            # One key per opened form: a double submit refunds once.
            "idempotency_key": request.POST.get("idempotency_key") or secrets.token_urlsafe(16),
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
        status=422 if request.method == "POST" else 200,
    )
