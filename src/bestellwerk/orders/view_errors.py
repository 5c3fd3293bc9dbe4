"""Service errors as the order page shows them: in the user's language, with the details
that help.

The services translate their messages and the messages of the fields at fault; the page
shows them as they are. Its own texts only say what the page knows better: reload after a
conflict, status labels where the services name status codes, and the stock, line or
address field each detail is about.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bestellwerk.core.errors import ServiceError
from bestellwerk.orders.forms import FIELD_LABELS
from bestellwerk.orders.models import OrderStatus

LINE_FIELD = re.compile(r"^lines\.(\d+)\.(\w+)$")
# The cart table's column headings, naming the field a line's problem is about.
LINE_FIELD_LABELS = {
    "sku": gettext_lazy("SKU"),
    "name": gettext_lazy("Name"),
    "unit_price": gettext_lazy("Unit price"),
    "vat_rate": gettext_lazy("VAT"),
    "quantity": gettext_lazy("Quantity"),
}


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


def _line_details(fields: dict[str, Any]) -> list[str]:
    details = []
    for key, problem in fields.items():
        match = LINE_FIELD.match(key)
        if match:
            field_name = match.group(2)
            details.append(
                _("Line %(number)s, %(field)s: %(problem)s")
                % {
                    "number": int(match.group(1)) + 1,
                    "field": LINE_FIELD_LABELS.get(field_name, field_name),
                    "problem": problem,
                }
            )
    return details


def _address_details(fields: dict[str, Any]) -> list[str]:
    details = []
    for key, problem in fields.items():
        field_name = str(key).split(".")[-1]
        details.append(f"{FIELD_LABELS.get(field_name, field_name)}: {problem}")
    return details


def describe_service_error(error: ServiceError) -> DescribedError:
    """A `ServiceError` in the user's language."""
    code, fields = error.code, error.fields
    messages: dict[str, str] = {
        "version_conflict": _(
            "This order was changed by someone else in the meantime. Reload the page to see "
            "the current state; your change was not saved."
        ),
        "invalid_transition": _("This status change is not allowed."),
        "order_locked": _("The cart of a %(status)s order cannot be changed any more.")
        % {"status": _status_label(fields.get("status"))},
        "invalid_status": _("This status cannot be chosen here."),
    }
    message = messages.get(code, error.message)
    details: list[str] = []
    if code == "stock_short":
        available = fields.get("available") or {}
        if isinstance(available, dict):
            details = [
                _("%(sku)s: %(count)s in stock") % {"sku": sku, "count": count}
                for sku, count in available.items()
            ]
    elif code == "invalid_transition":
        allowed = fields.get("allowed") or []
        if allowed:
            details = [
                _("Allowed next: %(statuses)s")
                % {"statuses": ", ".join(_status_label(s) for s in allowed)}
            ]
    elif code == "invalid_lines":
        details = _line_details(fields)
    elif code == "invalid_address":
        details = _address_details(fields)
    return DescribedError(code=code, message=message, details=details)
