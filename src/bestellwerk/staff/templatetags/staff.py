"""Template helpers of the staff UI."""

from datetime import timedelta

from django import template
from django.db.models import Model
from django.template.defaultfilters import floatformat
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from bestellwerk.accounts.permissions import has_permission
from bestellwerk.orders.models import Order, OrderStatus, PaymentStatus

register = template.Library()

# Bootstrap badge classes: one colour per state, readable text on each.
STATUS_BADGES: dict[str, str] = {
    OrderStatus.DRAFT: "text-bg-light border",
    OrderStatus.PENDING: "text-bg-warning",
    OrderStatus.PROCESSING: "text-bg-primary",
    OrderStatus.ON_HOLD: "text-bg-info",
    OrderStatus.SHIPPED: "text-bg-success",
    OrderStatus.COMPLETED: "text-bg-secondary",
    OrderStatus.CANCELLED: "text-bg-dark",
    OrderStatus.REFUNDED: "text-bg-danger",
}
PAYMENT_BADGES: dict[str, str] = {
    PaymentStatus.UNPAID: "text-bg-warning",
    PaymentStatus.PARTIALLY_PAID: "text-bg-warning",
    PaymentStatus.PAID: "text-bg-success",
    PaymentStatus.PARTIALLY_REFUNDED: "text-bg-info",
    PaymentStatus.REFUNDED: "text-bg-danger",
}


@register.filter
def can(user: object, capability: str) -> bool:
    """`{% if user|can:"orders.edit" %}`: hide what a role may not do (the view checks too)."""
    return bool(getattr(user, "is_authenticated", False)) and has_permission(user, capability)


@register.simple_tag
def status_badge(order: Order) -> SafeString:
    return format_html(
        '<span class="badge {}" data-status="{}">{}</span>',
        STATUS_BADGES.get(order.status, "text-bg-light"),
        order.status,
        order.get_status_display(),
    )


@register.simple_tag
def payment_badge(order: Order) -> SafeString:
    return format_html(
        '<span class="badge {}" data-payment-status="{}">{}</span>',
        PAYMENT_BADGES.get(order.payment_status, "text-bg-light"),
        order.payment_status,
        order.get_payment_status_display(),
    )


@register.simple_tag
def balance_cell(order: Order) -> SafeString:
    """The order's balance: what the customer owes (highlighted), what is owed back to them
    (negative, marked), or a quiet zero."""
    amount = floatformat(abs(order.balance), "2g")
    if order.balance > 0:
        return format_html(
            '<span class="fw-semibold text-danger-emphasis" data-balance="due">{} {}</span>',
            amount,
            order.currency,
        )
    if order.balance < 0:
        return format_html(
            '<span class="fw-semibold text-primary-emphasis" data-balance="refund_due">'
            '−{} {} <span class="badge text-bg-info">{}</span></span>',
            amount,
            order.currency,
            gettext("refund owed"),
        )
    return format_html(
        '<span class="text-body-secondary" data-balance="settled">{} {}</span>',
        amount,
        order.currency,
    )


@register.simple_tag(takes_context=True)
def sort_link(context: template.Context, key: str, label: str) -> SafeString:
    """A column header link that sorts by `key`, toggling the direction on the active column."""
    current = context.get("sort", "-created")
    params = context["request"].GET.copy()
    params["sort"] = key if current == f"-{key}" else f"-{key}"
    params.pop("cursor", None)
    arrow = ""
    if current.lstrip("-") == key:
        arrow = " ↓" if current.startswith("-") else " ↑"
    return format_html('<a href="?{}">{}{}</a>', params.urlencode(), label, arrow)


@register.simple_tag(takes_context=True)
def aria_sort(context: template.Context, key: str) -> str:
    """The header's aria-sort value for screen readers."""
    current = context.get("sort", "-created")
    if current.lstrip("-") != key:
        return "none"
    return "descending" if current.startswith("-") else "ascending"


@register.simple_tag
def admin_change_url(obj: Model) -> str:
    """The admin page that edits `obj`, or "" while its model is not in the admin."""
    meta = obj._meta
    try:
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return ""


@register.filter
def minutes(duration: timedelta | None) -> int:
    """A duration in whole minutes (rounded up), for messages such as the login lockout."""
    if duration is None:
        return 0
    return -(-int(duration.total_seconds()) // 60)
