"""Types and schemas every app's API shares: money, VAT rates, the error shape, pages."""

from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import BeforeValidator, PlainSerializer, StrictInt, WithJsonSchema

from bestellwerk.core.money import VAT_RATE_VALUES, format_money, parse_money

MONEY_PATTERN = r"^-?\d{1,7}(\.\d{1,2})?$"
MAX_DB_INT = 2**63 - 1


def _money_from_input(value: object) -> Decimal:
    """Amounts come as strings ("12.50") or whole numbers; JSON floats are refused."""
    if isinstance(value, Decimal):
        return value
    return parse_money(value)


def _vat_rate_from_input(value: object) -> Decimal:
    if isinstance(value, bool | float):
        raise ValueError("a VAT rate is given as a string or whole number: 19, 7 or 0")
    rate = parse_money(value)
    if rate not in VAT_RATE_VALUES:
        raise ValueError("the VAT rate is 19, 7 or 0")
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
# A version the client last saw (optimistic locking): a stale one gets 409.
VersionIn = Annotated[StrictInt, Field(ge=0, le=MAX_DB_INT)]


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
