"""The payments box of the order page: what it shows, and how the staff's payments views
answer with it.

On the order page (`{% order_payments order %}`) the box sits beside the page's own
sections; an answer that changed the order's money also refreshes the page's payment
section, its header (payment status badge) and its version out of band, so the page's next
change is not refused as stale.
"""

from typing import Any
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve

from bestellwerk.orders.models import Order
from bestellwerk.orders.views.page import load_order, order_sections_html
from bestellwerk.payments import selectors
from bestellwerk.payments.forms import ManualPaymentForm
from bestellwerk.payments.models import PaymentMethod

BOX_TEMPLATE = "payments/_order_payments.html"
# The order page's sections that show money the box changes.
MONEY_SECTIONS = ("payment",)


def box_context(order: Order, **extra: Any) -> dict[str, Any]:
    """Everything the box shows, in a fixed number of queries; `extra` may carry a bound
    payment form, a pending confirmation, a void form or an error."""
    context = {
        "order": order,
        "entries": selectors.ledger_entries(order=order),
        "refunds": list(selectors.list_refunds(order=order)),
        "summary": selectors.refund_summary(order=order),
        "owed": selectors.amount_owed(order=order),
        "refund_owed": selectors.amount_to_refund(order=order),
        **extra,
    }
    if "payment_form" not in context:
        context["payment_form"] = payment_form_for(order)
    return context


def payment_form_for(order: Order, data: Any = None) -> ManualPaymentForm:
    """The "record a payment" form: the open balance proposed, the active methods offered."""
    return ManualPaymentForm(
        data,
        order=order,
        methods=list(PaymentMethod.objects.filter(is_active=True)),
        owed=selectors.amount_owed(order=order),
    )


def render_box(
    request: HttpRequest, number: int, *, changed: bool = False, **extra: Any
) -> HttpResponse:
    """The box as the answer: alone for htmx (with the order page's money sections when the
    order changed and the request came from that page), else on its own page."""
    order = load_order(number)
    context = box_context(order, **extra)
    if not request.htmx:
        return render(request, "payments/order_payments.html", context)
    html = render_to_string(BOX_TEMPLATE, context, request=request)
    if changed and _from_order_page(request):
        html += order_sections_html(request, number, MONEY_SECTIONS)
    return HttpResponse(html)


def _from_order_page(request: HttpRequest) -> bool:
    current = request.htmx.current_url_abs_path
    if not current:
        return False
    try:
        return resolve(urlsplit(current).path).view_name == "orders:page"
    except Resolver404:
        return False
