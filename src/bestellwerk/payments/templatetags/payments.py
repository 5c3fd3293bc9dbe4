"""`{% load payments %}{% order_payments order %}`: the payments section for the order page."""

from typing import Any

from django import template

from bestellwerk.orders.models import Order
from bestellwerk.payments import selectors

register = template.Library()


@register.inclusion_tag("payments/_order_payments.html", takes_context=True)
def order_payments(context: template.Context, order: Order) -> dict[str, Any]:
    """Payments, refunds, what is due and refundable, the link button and the refund link
    (a fixed number of queries)."""
    return {
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "order": order,
        "payments": list(selectors.list_payments(order=order)),
        "refunds": list(selectors.list_refunds(order=order)),
        "summary": selectors.refund_summary(order=order),
        "owed": selectors.amount_owed(order=order),
    }
