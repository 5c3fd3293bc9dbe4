"""Types and schemas every app's API shares: money, VAT rates, the error shape, pages."""

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema
from pydantic import (
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    StrictInt,
    StringConstraints,
    WithJsonSchema,
    field_validator,
)

from bestellwerk.core.identifiers import CODE_PATTERN, SKU_PATTERN
from bestellwerk.core.money import MAX_AMOUNT, VAT_RATE_VALUES, format_money, parse_money

MONEY_PATTERN = r"^-?[0-9]{1,7}(\.[0-9]{1,2})?$"
MAX_DB_INT = 2**63 - 1
MAX_WHOLE_AMOUNT = int(MAX_AMOUNT)


def _money_from_input(value: object) -> Decimal:
    """Amounts come as strings ("12.50") or whole numbers; JSON floats are refused."""
    if isinstance(value, Decimal):
        return value
    return parse_money(value)


def _vat_rate_from_input(value: object) -> Decimal:
    if isinstance(value, bool | float):
        raise ValueError(_("a VAT rate is given as a string or whole number: 19, 7 or 0"))
    rate = parse_money(value)
    if rate not in VAT_RATE_VALUES:
        raise ValueError(_("the VAT rate is 19, 7 or 0"))
    return rate


# An amount in a request body or query: "12.50" (string) or a whole number; never a float.
MoneyIn = Annotated[
    Decimal,
    BeforeValidator(_money_from_input),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": MONEY_PATTERN},
                {"type": "integer", "minimum": -MAX_WHOLE_AMOUNT, "maximum": MAX_WHOLE_AMOUNT},
            ],
            "examples": ["19.90"],
        }
    ),
]
# An amount in a response: always a string with two decimals.
MoneyOut = Annotated[
    Decimal,
    PlainSerializer(format_money, return_type=str),
    WithJsonSchema({"type": "string", "pattern": MONEY_PATTERN, "examples": ["19.90"]}),
]
VatRateIn = Annotated[
    Decimal,
    BeforeValidator(_vat_rate_from_input),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "enum": ["19", "7", "0", "19.00", "7.00", "0.00"]},
                {"type": "integer", "enum": [19, 7, 0]},
            ]
        }
    ),
]
_DAY = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_RFC3339_DATE = re.compile(_DAY, re.ASCII)
_RFC3339_DATE_TIME = re.compile(
    _DAY + r"[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?([Zz]|[+-][0-9]{2}:[0-9]{2})", re.ASCII
)


def _date_from_input(value: object) -> date:
    """A day as RFC 3339 writes it ("2026-03-01"); no timestamps, no other notation."""
    if not isinstance(value, str) or not _RFC3339_DATE.fullmatch(value):
        raise ValueError(_("a date is written as YYYY-MM-DD"))
    return date.fromisoformat(value)


def _date_time_from_input(value: object) -> datetime:
    """A moment as RFC 3339 writes it, with its offset ("2026-03-01T14:30:00+01:00"): a
    time without an offset would mean a different moment on every server."""
    if not isinstance(value, str) or not _RFC3339_DATE_TIME.fullmatch(value):
        raise ValueError(_("a time is written as 2026-03-01T14:30:00+01:00 (with its offset)"))
    return datetime.fromisoformat(value)


DateIn = Annotated[
    date, BeforeValidator(_date_from_input), WithJsonSchema({"type": "string", "format": "date"})
]
DateTimeIn = Annotated[
    datetime,
    BeforeValidator(_date_time_from_input),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
# Identifiers in the one alphabet each (core.identifiers), checked in the schema so the
# OpenAPI document states them.
SkuIn = Annotated[str, StringConstraints(pattern=SKU_PATTERN)]
CodeIn = Annotated[str, StringConstraints(pattern=CODE_PATTERN)]
# A version the client last saw (optimistic locking): a stale one gets 409.
VersionIn = Annotated[StrictInt, Field(ge=0, le=MAX_DB_INT)]


# Line breaks and tabs belong in notes and reasons; every other control character (NUL,
# escape sequences, C1 codes) and a lone surrogate is refused in every text field.
# Written as regex escapes, which JSON Schema (ECMA-262), Python and Rust regexes all read;
# lone surrogates stay out of the documented pattern (no JSON Schema regex engine takes them).
_CONTROL_CHARACTERS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_FORBIDDEN_TEXT = re.compile(f"[{_CONTROL_CHARACTERS}\ud800-\udfff]")
TEXT_PATTERN = f"^[^{_CONTROL_CHARACTERS}]*$"


def _refuse_control_characters(value: object) -> None:
    if isinstance(value, str):
        if _FORBIDDEN_TEXT.search(value):
            raise ValueError(_("control characters are not allowed"))
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_control_characters(item)


def _state_text_pattern(field: dict[str, Any]) -> None:
    """Free text (a string without its own pattern, format or choices) gets TEXT_PATTERN
    in the OpenAPI document, so clients and fuzzers see the rule the validator applies."""
    for option in field.get("anyOf", ()):
        _state_text_pattern(option)
    if field.get("type") == "array" and isinstance(field.get("items"), dict):
        _state_text_pattern(field["items"])
    if field.get("type") == "string" and not {"pattern", "format", "enum", "const"} & field.keys():
        field["pattern"] = TEXT_PATTERN


def _state_text_patterns(schema: dict[str, Any]) -> None:
    for field in schema.get("properties", {}).values():
        _state_text_pattern(field)


class TextSchema(Schema):
    """Request data, body or query: no text carries control characters."""

    model_config = ConfigDict(json_schema_extra=_state_text_patterns)

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_characters(cls, value: object) -> object:
        _refuse_control_characters(value)
        return value


class InputSchema(TextSchema):
    """A request body: unknown fields are refused (a typo must not be silently ignored),
    no value is coerced into another type (flags and counts use StrictBool and StrictInt:
    `"yes"` is no boolean, `"1"` no number; a test holds every body to it), and no text
    carries control characters."""

    model_config = ConfigDict(extra="forbid")


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, Any]


class ErrorOut(Schema):
    """The one error shape of the API."""

    error: ErrorBody


class SettingOut(Schema):
    """A row of a settings list (payment methods, lead sources, …)."""

    code: str
    name: str = Field(description="German label")
    name_en: str = Field(description="English label")
    label: str = Field(description="Label in the language of the request")
    position: int


class SettingListOut(Schema):
    items: list[SettingOut]


# The error answers every endpoint may give, for the OpenAPI document.
COMMON_ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    415: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}
