"""E-mail templates rendered in a sandbox: plain values in, text out.

The engine has no loaders and no tag libraries beyond Django's built-ins, so a template
edited in the admin cannot include files or load tags; the context holds only strings,
numbers and lists of dicts built here (never model instances), so a template cannot walk
from the order to its internal notes or anything else not listed in `TEMPLATE_VARIABLES`.
"""

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.template import Context, Engine, Template, TemplateDoesNotExist, TemplateSyntaxError
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from bestellwerk.core.errors import ServiceError
from bestellwerk.core.models import ShopSettings
from bestellwerk.core.money import round_money
from bestellwerk.orders.models import Order, OrderStatus, PaymentStatus

sandbox = Engine(dirs=[], app_dirs=False, libraries={}, loaders=[], string_if_invalid="")


@lru_cache(maxsize=512)
def _compile(source: str) -> Template:
    """Parsing dominates rendering; a template's source only changes when staff edit it."""
    return sandbox.from_string(source)


# Name → description, shown beside the template in the admin.
TEMPLATE_VARIABLES: list[tuple[str, Any]] = [
    ("shop_name", _("Name of the shop")),
    ("order_number", _("Order number")),
    ("order_date", _("Date the order was placed")),
    ("status", _("Status code, e.g. shipped")),
    ("status_label", _("Status as text, e.g. Versandt")),
    ("payment_status_label", _("Payment status as text")),
    ("customer_name", _("Customer's full name")),
    ("customer_first_name", _("Customer's first name")),
    ("customer_email", _("Customer's e-mail address")),
    ("billing_address", _("Billing address, a list of lines")),
    ("shipping_address", _("Shipping address, a list of lines")),
    ("lines", _("Order lines: each has sku, name, quantity, unit_price, total")),
    ("subtotal", _("Subtotal of the lines")),
    ("discount_total", _("Discount")),
    ("shipping_total", _("Shipping")),
    ("tax_total", _("VAT contained")),
    ("total", _("Total")),
    ("payment_method", _("Payment method")),
    ("shipping_method", _("Shipping method")),
    ("shipments", _("Parcels: each has carrier, tracking_code, tracking_url")),
    ("carrier", _("Carrier of the parcel this e-mail is about")),
    ("tracking_code", _("Tracking code of that parcel")),
    ("tracking_url", _("Tracking link of that parcel")),
    ("comment", _("Comment given with a status change (for the customer)")),
    ("payment_link_url", _("Payment link")),
    ("payment_link_expires_at", _("When the payment link expires")),
    ("payment_link_amount", _("Amount of the payment link")),
    ("refund_amount", _("Amount refunded")),
]


# Why a part of a template failed, one sentence per part so each translates as a whole.
RENDER_FAILURES = {
    "subject": _("The subject does not render: %(error)s"),
    "body_text": _("The body_text does not render: %(error)s"),
    "body_html": _("The body_html does not render: %(error)s"),
}


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body_text: str
    body_html: str


def format_amount(amount: Decimal | str | None, *, currency: str, language: str) -> str:
    """'1.234,50 €' in German, '€1,234.50' in English; other currencies by code."""
    if amount in (None, ""):
        return ""
    value = round_money(Decimal(str(amount)))
    with translation.override(language):
        number = formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
    if currency != "EUR":
        return f"{number} {currency}"
    return f"{number} €" if language == "de" else f"€{number}"


def _format_datetime(value: Any, language: str) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        from django.utils.dateparse import parse_datetime

        parsed = parse_datetime(value)
        if parsed is None:
            return value
        value = parsed
    with translation.override(language):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def _address_lines(address: dict[str, Any]) -> list[str]:
    name = " ".join(p for p in (address.get("first_name"), address.get("last_name")) if p)
    city = " ".join(p for p in (address.get("postal_code"), address.get("city")) if p)
    parts = [
        address.get("company"),
        name,
        address.get("line1"),
        address.get("line2"),
        city,
        address.get("country"),
    ]
    return [str(p) for p in parts if p]


def build_order_context(
    order: Order, *, language: str, event_data: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Everything a template may show about `order`, as plain values (no internal notes)."""
    data = event_data or {}
    currency = order.currency

    def money(amount: Any) -> str:
        return format_amount(amount, currency=currency, language=language)

    billing = order.billing_address or {}
    shipping = billing if order.shipping_same_as_billing else (order.shipping_address or {})
    customer = order.customer
    first_name = billing.get("first_name") or (customer.first_name if customer else "")
    last_name = billing.get("last_name") or (customer.last_name if customer else "")
    with translation.override(language):
        status_label = str(OrderStatus(order.status).label)
        payment_status_label = str(PaymentStatus(order.payment_status).label)
        payment_method = order.payment_method.label if order.payment_method else ""
        shipping_method = order.shipping_method.label if order.shipping_method else ""
    shipments = [
        {
            "carrier": s.carrier_name,
            "tracking_code": s.tracking_code,
            "tracking_url": s.tracking_url,
        }
        for s in order.shipments.all()
    ]
    latest = shipments[-1] if shipments else {}
    return {
        "shop_name": ShopSettings.load().shop_name,
        "order_number": str(order.number),
        "order_date": _format_datetime(order.placed_at or order.created_at, language),
        "status": order.status,
        "status_label": status_label,
        "payment_status_label": payment_status_label,
        "customer_name": " ".join(p for p in (first_name, last_name) if p),
        "customer_first_name": first_name,
        "customer_email": billing.get("email") or (customer.email if customer else "") or "",
        "billing_address": _address_lines(billing),
        "shipping_address": _address_lines(shipping),
        "lines": [
            {
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price": money(line.unit_price),
                "total": money(line.subtotal),
            }
            for line in order.lines.all()
        ],
        "subtotal": money(order.subtotal),
        "discount_total": money(order.discount_total) if order.discount_total else "",
        "shipping_total": money(order.shipping_total),
        "tax_total": money(order.tax_total),
        "total": money(order.total),
        "payment_method": payment_method,
        "shipping_method": shipping_method,
        "shipments": shipments,
        "carrier": data.get("carrier", latest.get("carrier", "")),
        "tracking_code": data.get("tracking_code", latest.get("tracking_code", "")),
        "tracking_url": data.get("tracking_url", latest.get("tracking_url", "")),
        "comment": str(data.get("comment") or ""),
        "payment_link_url": str(data.get("url") or ""),
        "payment_link_expires_at": _format_datetime(data.get("expires_at"), language),
        "payment_link_amount": money(data.get("amount")) if "url" in data else "",
        "refund_amount": money(data.get("amount")) if "notify_customer" in data else "",
    }


def render_template_strings(
    *, subject: str, body_text: str, body_html: str, context: dict[str, Any]
) -> RenderedEmail:
    """Render one template; a syntax error is a ServiceError naming the part at fault."""
    parts = {}
    for field, source, autoescape in (
        ("subject", subject, False),
        ("body_text", body_text, False),
        ("body_html", body_html, True),
    ):
        try:
            template = _compile(source)
            rendered = template.render(Context(context, autoescape=autoescape))
            # Template.render marks its output safe; a rendered e-mail is data to whatever
            # shows it (the admin's preview escapes it), never trusted markup.
            parts[field] = "".join(rendered)
        except (TemplateSyntaxError, TemplateDoesNotExist) as exc:
            raise ServiceError(
                "invalid_template",
                RENDER_FAILURES[field] % {"error": exc},
                fields={field: str(exc)},
            ) from exc
    return RenderedEmail(
        subject=" ".join(parts["subject"].split())[:300],
        body_text=parts["body_text"],
        body_html=parts["body_html"] if body_html.strip() else "",
    )
