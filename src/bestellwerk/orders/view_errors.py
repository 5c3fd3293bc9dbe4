"""Service errors as the order page shows them: translated, with the details that help.

The services speak English with stable codes; staff read German (or English). Codes the
page meets often get their own text; any other falls back to the service's message.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bestellwerk.core.errors import ServiceError
from bestellwerk.orders.inputs import MAX_LINES, MAX_QUANTITY
from bestellwerk.orders.models import OrderStatus

LINE_FIELD = re.compile(r"^lines\.(\d+)\.(\w+)$")


@dataclass(frozen=True)
class DescribedError:
    code: str
    message: str
    details: list[str] = field(default_factory=list)

    @property
    def is_conflict(self) -> bool:
        """Someone else changed the order: the page offers to reload."""
        return self.code in ("version_conflict", "version_missing")


def _status_label(value: Any) -> str:
    return str(OrderStatus(value).label) if value in OrderStatus.values else str(value)


def _line_problem(field_name: str) -> str:
    problems = {
        "quantity": _("the quantity must be a whole number from 1 to %(max)s")
        % {"max": MAX_QUANTITY},
        "unit_price": _("the price must be an amount such as 12.50, not negative"),
        "name": _("a custom line needs a name (up to 200 characters)"),
        "vat_rate": _("the VAT rate must be 19, 7 or 0"),
        "sku": _("the product is not for sale"),
    }
    return problems.get(field_name, _("invalid"))


def _line_details(fields: dict[str, Any]) -> list[str]:
    details = []
    for key in fields:
        match = LINE_FIELD.match(key)
        if match:
            details.append(
                _("Line %(number)s: %(problem)s")
                % {"number": int(match.group(1)) + 1, "problem": _line_problem(match.group(2))}
            )
    return details


def describe_service_error(error: ServiceError) -> DescribedError:
    """A `ServiceError` in the user's language."""
    code, fields = error.code, error.fields
    coupon = fields.get("coupon_code", "")
    messages: dict[str, str] = {
        "version_conflict": _(
            "This order was changed by someone else in the meantime. Reload the page to see "
            "the current state; your change was not saved."
        ),
        "version_missing": _("The page is out of date. Reload it; your change was not saved."),
        "invalid_transition": _("This status change is not allowed."),
        "order_is_draft": _("A draft must be placed first."),
        "not_a_draft": _("This order has been placed already."),
        "empty_order": _("The order needs at least one line."),
        "order_locked": _("The cart of a %(status)s order cannot be changed any more.")
        % {"status": _status_label(fields.get("status"))},
        "too_many_lines": _("An order has at most %(max)s lines.") % {"max": MAX_LINES},
        "unknown_sku": _("Unknown SKU: %(skus)s") % {"skus": ", ".join(fields.get("skus", []))},
        "invalid_lines": _("Some lines are invalid."),
        "coupon_invalid": _("The coupon %(code)s does not exist or is not active.")
        % {"code": coupon},
        "coupon_expired": _("The coupon %(code)s has expired.") % {"code": coupon},
        "coupon_not_yet_valid": _("The coupon %(code)s is not valid yet.") % {"code": coupon},
        "coupon_min_subtotal": _(
            "The coupon %(code)s needs a higher order value (goods before discount)."
        )
        % {"code": coupon},
        "coupon_usage_limit": _("The coupon %(code)s has been used up.") % {"code": coupon},
        "invalid_address": _("The address has invalid fields."),
        "invalid_note": _("A note needs 1 to 5000 characters."),
        "invalid_carrier": _("Choose a carrier from the list or enter its name."),
        "invalid_tracking": _("The tracking code is too long (at most 100 characters)."),
        "customer_exists": _("A customer with the e-mail address %(email)s exists already.")
        % {"email": fields.get("email", "")},
        "invalid_tag": _("A tag has at most 50 characters."),
        "invalid_status": _("This status cannot be chosen here."),
        "invalid_payment_status": _("Choose paid or unpaid."),
    }
    details: list[str] = []
    if code == "stock_short":
        skus = fields.get("skus", [])
        message = ngettext(
            "Not enough stock for %(skus)s.", "Not enough stock for: %(skus)s.", len(skus)
        ) % {"skus": ", ".join(skus)}
        available = fields.get("available") or {}
        if isinstance(available, dict):
            details = [
                _("%(sku)s: %(count)s in stock") % {"sku": sku, "count": count}
                for sku, count in available.items()
            ]
    elif code == "invalid_transition":
        message = messages[code]
        allowed = fields.get("allowed") or []
        if allowed:
            details = [
                _("Allowed next: %(statuses)s")
                % {"statuses": ", ".join(_status_label(s) for s in allowed)}
            ]
    else:
        message = messages.get(code, error.message)
        if code == "invalid_lines":
            details = _line_details(fields)
        elif code == "invalid_address":
            details = [str(key).split(".")[-1] + ": " + str(value) for key, value in fields.items()]
    return DescribedError(code=code, message=message, details=details)
