"""`{% load payments %}{% order_payments order %}`: the payments box for the order page."""

from typing import Any

from django import template

from bestellwerk.orders.models import Order
from bestellwerk.payments.views.box import box_context

register = template.Library()


@register.inclusion_tag("payments/_order_payments.html", takes_context=True)
def order_payments(context: template.Context, order: Order) -> dict[str, Any]:
    """Payments, refunds, the balance, the forms to record and void payments, the link and
    refund buttons (a fixed number of queries). Out of band when the page's answer is."""
    return {
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "oob": context.get("oob", False),
        **box_context(order),
    }
