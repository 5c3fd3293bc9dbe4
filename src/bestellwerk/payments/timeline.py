"""Ledger events in words on the order's timeline."""

from typing import Any

from django.utils.translation import gettext as _

from bestellwerk.orders.templatetags.order_page import money


def describe_payment_recorded(data: dict[str, Any]) -> str:
    text = _("Payment of %(amount)s recorded (%(provider)s)") % {
        "amount": money(data.get("amount"), data.get("currency") or "EUR"),
        "provider": data.get("method") or data.get("provider", ""),
    }
    if data.get("reference"):
        text += " · " + _("reference %(reference)s") % {"reference": data["reference"]}
    return text


def describe_payment_voided(data: dict[str, Any]) -> str:
    return _("Payment of %(amount)s voided: %(reason)s") % {
        "amount": money(data.get("amount"), data.get("currency") or "EUR"),
        "reason": data.get("reason", ""),
    }
