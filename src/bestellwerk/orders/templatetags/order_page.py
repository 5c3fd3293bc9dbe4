"""Template helpers of the order page: money, addresses and the timeline in words."""

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from bestellwerk.core.money import round_money
from bestellwerk.orders.models import OrderEvent, OrderEventType, OrderStatus, PaymentStatus

register = template.Library()

# Apps that record event types of their own (e-mails, automations, webhooks) put them in
# words here from their AppConfig.ready(): {event type: describe(data) -> text}.
EVENT_DESCRIBERS: dict[str, Callable[[dict[str, Any]], str]] = {}


def register_event_describer(event_type: str, describe: Callable[[dict[str, Any]], str]) -> None:
    EVENT_DESCRIBERS[event_type] = describe


# How each address field is laid out on paper (lines of the postal address).
ADDRESS_LAYOUT: tuple[tuple[str, ...], ...] = (
    ("company",),
    ("first_name", "last_name"),
    ("line1",),
    ("line2",),
    ("postal_code", "city"),
    ("region",),
    ("country",),
)
CONTACT_FIELDS: tuple[str, ...] = ("email", "phone", "vat_id")

STATUS_BADGES: dict[str, str] = {
    OrderStatus.DRAFT: "secondary",
    OrderStatus.PENDING: "warning",
    OrderStatus.PROCESSING: "primary",
    OrderStatus.ON_HOLD: "dark",
    OrderStatus.SHIPPED: "info",
    OrderStatus.COMPLETED: "success",
    OrderStatus.CANCELLED: "danger",
    OrderStatus.REFUNDED: "danger",
    PaymentStatus.UNPAID: "warning",
    PaymentStatus.PARTIALLY_PAID: "warning",
    PaymentStatus.PAID: "success",
    PaymentStatus.PARTIALLY_REFUNDED: "info",
}


def _amount(value: Any) -> Decimal | None:
    try:
        return round_money(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return None


@register.filter
def money(value: Any, currency: str = "EUR") -> str:
    """12.5 → '12,50 €' (German) or '12.50 €' (English)."""
    amount = _amount(value)
    if amount is None:
        return ""
    symbol = "€" if currency == "EUR" else currency
    return f"{number_format(amount, 2, use_l10n=True)}\u00a0{symbol}"


@register.filter
def badge(value: str) -> str:
    """The Bootstrap colour of a status or payment-status badge."""
    return STATUS_BADGES.get(value, "secondary")


@register.filter
def status_label(value: str) -> str:
    if value in OrderStatus.values:
        return str(OrderStatus(value).label)
    if value in PaymentStatus.values:
        return str(PaymentStatus(value).label)
    return value or "–"


@register.filter
def address_lines(address: dict[str, str] | None) -> list[str]:
    """An address snapshot as the lines of a postal address, then e-mail/phone/VAT ID."""
    address = address or {}
    lines = [" ".join(address[key] for key in keys if address.get(key)) for keys in ADDRESS_LAYOUT]
    lines += [address[key] for key in CONTACT_FIELDS if address.get(key)]
    return [line for line in lines if line]


@register.filter
def address_text(address: dict[str, str] | None) -> str:
    """The address as plain text, for the clipboard."""
    return "\n".join(address_lines(address))


@register.filter
def actor_name(event: OrderEvent) -> str:
    if event.actor_user is not None:
        return event.actor_user.display_name
    return event.actor_label or _("System")


def _change(before: Any, after: Any) -> str:
    return f"{before or '–'} → {after or '–'}"


def _lines_changed(data: dict[str, Any]) -> str:
    """What happened to the cart, line by line: added, removed, quantity or price changed."""

    def keyed(lines: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        return {line.get("sku") or line.get("name", ""): line for line in lines}

    before, after = keyed(data.get("before", [])), keyed(data.get("after", []))
    parts = []
    for key, line in after.items():
        old = before.get(key)
        if old is None:
            parts.append(_("%(qty)s × %(item)s added") % {"qty": line["quantity"], "item": key})
        elif old.get("quantity") != line.get("quantity"):
            parts.append(
                _("%(item)s quantity %(change)s")
                % {"item": key, "change": _change(old["quantity"], line["quantity"])}
            )
        elif old.get("unit_price") != line.get("unit_price"):
            parts.append(
                _("%(item)s price %(change)s")
                % {
                    "item": key,
                    "change": _change(money(old["unit_price"]), money(line["unit_price"])),
                }
            )
    parts += [_("%(item)s removed") % {"item": key} for key in before if key not in after]
    summary = "; ".join(parts) or _("no change in the lines")
    text = _("Cart changed: %(changes)s (total %(total)s)") % {
        "changes": summary,
        "total": money(data.get("total")),
    }
    return text + _balance_after(data)


def _balance_after(data: dict[str, Any]) -> str:
    """What a cart change left owing, either way, once money was paid (the balance then
    differs from the total)."""
    balance, total = _amount(data.get("balance")), _amount(data.get("total"))
    if balance is None or balance == total:
        return ""
    if balance > 0:
        return " · " + _("the customer owes %(amount)s") % {"amount": money(balance)}
    if balance < 0:
        return " · " + _("to refund: %(amount)s") % {"amount": money(-balance)}
    return " · " + _("settled")


def _stock_moved(data: dict[str, Any], deducted: bool) -> str:
    moves = ", ".join(
        f"{m.get('sku')} {int(m.get('delta', 0)):+d} (→ {m.get('quantity_after')})"
        for m in data.get("movements", [])
    )
    text = _("Stock deducted") if deducted else _("Stock restocked")
    return f"{text}: {moves}" if moves else text


def _status_changed(data: dict[str, Any]) -> str:
    text = _("Status %(change)s") % {
        "change": _change(status_label(data.get("from", "")), status_label(data.get("to", "")))
    }
    extras = []
    if data.get("stock") in ("deduct", "restock") and not data.get("stock_adjusted"):
        extras.append(_("stock left unchanged"))
    if data.get("notify_customer"):
        extras.append(_("customer notified"))
    if data.get("notify_admins"):
        extras.append(_("admins notified"))
    if extras:
        text += " (" + ", ".join(extras) + ")"
    if data.get("comment"):
        text += f": „{data['comment']}“"
    return text


def _details_changed(data: dict[str, Any], code_labels: dict[str, dict[str, str]]) -> str:
    """'Payment method: Rechnung → Vorkasse': codes shown by their label where known."""
    labels = {
        "lead_source": _("Lead source"),
        "payment_method": _("Payment method"),
        "shipping_method": _("Shipping method"),
        "channel": _("Channel"),
    }
    parts = []
    for key, value in data.items():
        if not isinstance(value, dict):
            continue
        names = code_labels.get(key, {})
        before, after = value.get("from"), value.get("to")
        change = _change(names.get(before, before), names.get(after, after))
        parts.append(f"{labels.get(key, key)}: {change}")
    return "; ".join(parts)


def _tags_changed(data: dict[str, Any]) -> str:
    parts = [f"+{name}" for name in data.get("added", [])]
    parts += [f"−{name}" for name in data.get("removed", [])]
    if data.get("customer_tags_added"):
        return _("Customer tags added: %(tags)s") % {"tags": ", ".join(data["customer_tags_added"])}
    return _("Tags: %(changes)s") % {"changes": ", ".join(parts)}


@register.filter
def describe_event(event: OrderEvent, code_labels: dict[str, dict[str, str]] | None = None) -> str:
    """One timeline entry in words, in the user's language. `code_labels` maps the codes of
    settings lists (payment method, …) to their labels: {"payment_method": {code: label}}."""
    data = event.data or {}
    kind = event.type
    if kind == OrderEventType.CREATED:
        return _("Order placed as %(status)s, total %(total)s") % {
            "status": status_label(data.get("status", "")),
            "total": money(data.get("total")),
        }
    if kind == OrderEventType.STATUS_CHANGED:
        return _status_changed(data)
    if kind == OrderEventType.PAYMENT_STATUS_CHANGED:
        return _("Payment status %(change)s") % {
            "change": _change(status_label(data.get("from", "")), status_label(data.get("to", "")))
        }
    if kind == OrderEventType.LINES_CHANGED:
        return _lines_changed(data)
    if kind == OrderEventType.ASSIGNEE_CHANGED:
        return _("Assignee %(change)s") % {"change": _change(data.get("from"), data.get("to"))}
    if kind == OrderEventType.DETAILS_CHANGED:
        return _details_changed(data, code_labels or {})
    if kind == OrderEventType.COUPON_APPLIED:
        return _("Coupon %(code)s applied (discount %(discount)s)") % {
            "code": data.get("code", ""),
            "discount": money(data.get("discount")),
        }
    if kind == OrderEventType.COUPON_REMOVED:
        return _("Coupon %(code)s removed") % {"code": data.get("code", "")}
    if kind == OrderEventType.SHIPMENT_ADDED:
        return _("Shipment added: %(carrier)s %(tracking)s") % {
            "carrier": data.get("carrier", ""),
            "tracking": data.get("tracking_code", ""),
        }
    if kind == OrderEventType.TRACKING_UPDATED:
        return _("Tracking code %(change)s") % {"change": _change(data.get("from"), data.get("to"))}
    if kind in (OrderEventType.STOCK_DEDUCTED, OrderEventType.STOCK_RESTOCKED):
        return _stock_moved(data, deducted=kind == OrderEventType.STOCK_DEDUCTED)
    if kind == OrderEventType.TAGS_CHANGED:
        return _tags_changed(data)
    if kind in EVENT_DESCRIBERS:
        return EVENT_DESCRIBERS[kind](data)
    return str(event.get_type_display())
