"""Template helpers of the staff UI."""

from django import template
from django.db.models import Model
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

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


@register.simple_tag(takes_context=True)
def sort_link(context: template.Context, key: str, label: str) -> SafeString:
    """A column header that sorts by `key`, toggling the direction on the active column."""
    current = context.get("sort", "-created")
    descending_now = current == f"-{key}"
    target = key if descending_now else f"-{key}"
    params = context["request"].GET.copy()
    params["sort"] = target
    params.pop("cursor", None)
    if current.lstrip("-") == key:
        arrow = " ↓" if current.startswith("-") else " ↑"
        aria = "descending" if current.startswith("-") else "ascending"
    else:
        arrow, aria = "", "none"
    return format_html(
        '<a href="?{}" data-sort-aria="{}">{}{}</a>', params.urlencode(), aria, label, arrow
    )


@register.simple_tag
def admin_change_url(obj: Model) -> str:
    """The admin page that edits `obj`, or "" while its model is not in the admin."""
    meta = obj._meta
    try:
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return ""
