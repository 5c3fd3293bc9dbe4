"""The staff's payments box on a page of its own, the payment link button, and the refund
form."""

import secrets
from decimal import Decimal

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import localize
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bestellwerk.core.actors import Actor
from bestellwerk.core.errors import ServiceError
from bestellwerk.core.money import parse_money
from bestellwerk.orders.forms import parse_version
from bestellwerk.orders.views.page import load_order, requires
from bestellwerk.payments import selectors, services
from bestellwerk.payments.forms import RefundForm
from bestellwerk.payments.views.box import render_box


@require_GET
@requires("orders.payments")
def order_payments(request: HttpRequest, number: int) -> HttpResponse:
    """The payments box on a page of its own (the order page includes it with
    `{% order_payments order %}`); htmx gets the box alone."""
    return render_box(request, number)


@require_POST
@requires("orders.payments")
def send_link(request: HttpRequest, number: int) -> HttpResponse:
    try:
        sent = services.send_payment_link(
            number=number,
            actor=Actor.for_user(request.user),
            expected_version=parse_version(request.POST),
        )
    except ServiceError as exc:
        if not request.htmx:
            messages.error(request, exc.message)
            return redirect(next_url(request, number))
        return render_box(request, number, link_error=exc.message)
    if not request.htmx:
        messages.success(
            request, _("Payment link sent to the customer: %(url)s") % {"url": sent.url}
        )
        return redirect(next_url(request, number))
    return render_box(request, number, changed=True, sent_url=sent.url)


def next_url(request: HttpRequest, number: int) -> str:
    """Where a full-page form goes back to: its `next` on this site, else the box's page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("payments:order_payments", args=[number])


def _proposed_amount(request: HttpRequest) -> Decimal | None:
    """The amount a link to the form proposes (`?amount=20.00`: "refund the difference")."""
    try:
        amount = parse_money(request.GET.get("amount", ""))
    except ValueError:
        return None
    return amount if amount > 0 else None


@require_http_methods(["GET", "POST"])
@requires("orders.payments")
def refund_new(request: HttpRequest, number: int) -> HttpResponse:
    order = load_order(number)
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
                return redirect(next_url(request, number))
    else:
        form = RefundForm(initial={"amount": _proposed_amount(request)}, **form_kwargs)
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
