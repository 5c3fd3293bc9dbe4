"""Types and schemas every app's API shares: money, VAT rates, the error shape, pages."""

import re
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
from bestellwerk.core.money import VAT_RATE_VALUES, format_money, parse_money

MONEY_PATTERN = r"^-?[0-9]{1,7}(\.[0-9]{1,2})?$"
MAX_DB_INT = 2**63 - 1


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
    WithJsonSchema({"type": "string", "pattern": MONEY_PATTERN, "examples": ["19.90"]}),
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
    WithJsonSchema({"type": "string", "enum": ["19.00", "7.00", "0.00"]}),
]
# Identifiers in the one alphabet each (core.identifiers), checked in the schema so the
# OpenAPI document states them.
SkuIn = Annotated[str, StringConstraints(pattern=SKU_PATTERN)]
CodeIn = Annotated[str, StringConstraints(pattern=CODE_PATTERN)]
# A version the client last saw (optimistic locking): a stale one gets 409.
VersionIn = Annotated[StrictInt, Field(ge=0, le=MAX_DB_INT)]


# Line breaks and tabs belong in notes and reasons; every other control character (NUL,
# escape sequences, C1 codes) and a lone surrogate is refused in every text field.
_FORBIDDEN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _refuse_control_characters(value: object) -> None:
    if isinstance(value, str):
        if _FORBIDDEN_TEXT.search(value):
            raise ValueError(_("control characters are not allowed"))
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_control_characters(item)


class InputSchema(Schema):
    """A request body: unknown fields are refused (a typo must not be silently ignored),
    no value is coerced into another type (flags and counts use StrictBool and StrictInt:
    `"yes"` is no boolean, `"1"` no number; a test holds every body to it), and no text
    carries control characters."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_characters(cls, value: object) -> object:
        _refuse_control_characters(value)
        return value


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
    422: ErrorOut,
}
