"""Shapes the order services take, and their bounds (checked in the services)."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from bestellwerk.core.errors import ServiceError
from bestellwerk.core.money import MAX_AMOUNT

MAX_LINES = 250
MAX_QUANTITY = 10_000
MAX_NOTE_LENGTH = 5000
# The largest order (goods before discount, plus shipping): 9,999,999.99, the most a money
# amount may be anywhere; 250 lines of large amounts would otherwise outgrow the columns.
MAX_ORDER_TOTAL = MAX_AMOUNT

ADDRESS_FIELD_LENGTHS: dict[str, int] = {
    "first_name": 100,
    "last_name": 100,
    "company": 150,
    "line1": 150,
    "line2": 150,
    "postal_code": 20,
    "city": 100,
    "region": 100,
    "country": 2,
    "phone": 40,
}
BILLING_FIELD_LENGTHS: dict[str, int] = {**ADDRESS_FIELD_LENGTHS, "email": 254, "vat_id": 30}


class Unset:
    """Marks an argument the caller did not give (None may be a real value: 'clear it')."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = Unset()


@dataclass(frozen=True)
class LineInput:
    """A product line (`sku`) or a custom line (`name`, `unit_price`, `vat_rate`).

    A product line may override the unit price (a staff discount)."""

    quantity: int
    sku: str | None = None
    name: str | None = None
    unit_price: Decimal | None = None
    vat_rate: Decimal | None = None


def clean_address(data: dict[str, Any] | None, *, billing: bool, field: str) -> dict[str, str]:
    """Strip and bound an address; unknown keys, over-long values and bad e-mails are refused."""
    if not data:
        return {}
    if not isinstance(data, dict):
        raise ServiceError(
            "invalid_address",
            _("An address is a set of named fields."),
            fields={field: _("not an object")},
        )
    lengths = BILLING_FIELD_LENGTHS if billing else ADDRESS_FIELD_LENGTHS
    errors: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    for key, value in data.items():
        if key not in lengths:
            errors[f"{field}.{key}"] = _("unknown field")
            continue
        if value is None:
            continue
        if not isinstance(value, str):
            errors[f"{field}.{key}"] = _("must be text")
            continue
        text = " ".join(value.split())
        if len(text) > lengths[key]:
            errors[f"{field}.{key}"] = _("at most %(max)d characters") % {"max": lengths[key]}
        elif text:
            cleaned[key] = text
    if "country" in cleaned:
        cleaned["country"] = cleaned["country"].upper()
        if len(cleaned["country"]) != 2 or not cleaned["country"].isalpha():
            errors[f"{field}.country"] = _("an ISO 3166 alpha-2 code such as DE")
    if cleaned.get("email"):
        try:
            validate_email(cleaned["email"])
        except ValidationError:
            errors[f"{field}.email"] = _("not a valid e-mail address")
    if errors:
        raise ServiceError("invalid_address", _("The address has invalid fields."), fields=errors)
    return cleaned
