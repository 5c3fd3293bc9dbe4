"""What a request may send in its body."""

from typing import Any, Literal

from ninja import Field
from pydantic import StrictBool, StrictInt

from bestellwerk.api.schemas import (
    MAX_DB_INT,
    CodeIn,
    InputSchema,
    MoneyIn,
    SkuIn,
    VatRateIn,
    VersionIn,
)
from bestellwerk.core.tags import MAX_TAGS
from bestellwerk.orders.inputs import (
    ADDRESS_FIELD_LENGTHS,
    BILLING_FIELD_LENGTHS,
    MAX_LINES,
    MAX_NOTE_LENGTH,
    MAX_QUANTITY,
    LineInput,
)
from bestellwerk.orders.models import Channel, OrderStatus
from bestellwerk.orders.schemas.fields import USERNAME_LENGTH, TagName


def _code_field(description: str = "") -> Any:
    return Field(None, description=description or None)


class AddressIn(InputSchema):
    first_name: str | None = Field(None, max_length=ADDRESS_FIELD_LENGTHS["first_name"])
    last_name: str | None = Field(None, max_length=ADDRESS_FIELD_LENGTHS["last_name"])
    company: str | None = Field(None, max_length=ADDRESS_FIELD_LENGTHS["company"])
    line1: str | None = Field(None, max_length=ADDRESS_FIELD_LENGTHS["line1"])
    line2: str | None = Field(None, max_length=ADDRESS_FIELD_LENGTHS["line2"])
    postal_code: str | None = Field(None, max_length=ADDRESS_FIELD_LENGTHS["postal_code"])
    city: str | None = Field(None, max_length=ADDRESS_FIELD_LENGTHS["city"])
    region: str | None = Field(None, max_length=ADDRESS_FIELD_LENGTHS["region"])
    country: str | None = Field(
        None, max_length=ADDRESS_FIELD_LENGTHS["country"], description="ISO 3166 alpha-2"
    )
    phone: str | None = Field(None, max_length=ADDRESS_FIELD_LENGTHS["phone"])


class BillingAddressIn(AddressIn):
    email: str | None = Field(None, max_length=BILLING_FIELD_LENGTHS["email"])
    vat_id: str | None = Field(None, max_length=BILLING_FIELD_LENGTHS["vat_id"])


def address_values(address: AddressIn | None) -> dict[str, str] | None:
    return address.model_dump(exclude_none=True) if address is not None else None


class LineIn(InputSchema):
    """A product line `{sku, quantity}` (optionally with its own `unit_price`), or a custom
    line `{name, unit_price, vat_rate, quantity}`."""

    quantity: StrictInt = Field(ge=1, le=MAX_QUANTITY)
    sku: SkuIn | None = None
    name: str | None = Field(None, max_length=200)
    unit_price: MoneyIn | None = None
    vat_rate: VatRateIn | None = None

    def as_input(self) -> LineInput:
        return LineInput(
            quantity=self.quantity,
            sku=self.sku,
            name=self.name,
            unit_price=self.unit_price,
            vat_rate=self.vat_rate,
        )


def line_inputs(lines: list[LineIn]) -> list[LineInput]:
    return [line.as_input() for line in lines]


class OrderCreateIn(InputSchema):
    status: OrderStatus = Field(
        OrderStatus.PENDING, description="`draft` for a cart, else the status it is placed in"
    )
    channel: Channel = Channel.API
    customer_id: StrictInt | None = Field(None, ge=1, le=MAX_DB_INT)
    billing_address: BillingAddressIn | None = None
    shipping_address: AddressIn | None = None
    shipping_same_as_billing: StrictBool | None = None
    lines: list[LineIn] = Field(default_factory=list, max_length=MAX_LINES)
    coupon_code: CodeIn | None = None
    payment_method: CodeIn | None = _code_field()
    shipping_method: CodeIn | None = _code_field()
    assignee: str | None = Field(None, max_length=USERNAME_LENGTH, description="username")
    lead_source: CodeIn | None = _code_field()
    tags: list[TagName] = Field(default_factory=list, max_length=MAX_TAGS)
    note: str | None = Field(None, max_length=MAX_NOTE_LENGTH, description="internal note")

    def service_arguments(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "channel": self.channel.value,
            "customer_id": self.customer_id,
            "billing_address": address_values(self.billing_address),
            "shipping_address": address_values(self.shipping_address),
            "shipping_same_as_billing": self.shipping_same_as_billing,
            "lines": line_inputs(self.lines),
            "coupon_code": self.coupon_code,
            "payment_method": self.payment_method,
            "shipping_method": self.shipping_method,
            "assignee": self.assignee,
            "lead_source": self.lead_source,
            "tags": self.tags,
            "note": self.note,
        }


class OrderUpdateIn(InputSchema):
    """Only the fields sent are changed; `null` clears a field that may be empty."""

    billing_address: BillingAddressIn | None = None
    shipping_address: AddressIn | None = None
    shipping_same_as_billing: StrictBool | None = None
    customer_id: StrictInt | None = Field(None, ge=1, le=MAX_DB_INT)
    assignee: str | None = Field(None, max_length=USERNAME_LENGTH)
    lead_source: CodeIn | None = _code_field()
    channel: Channel | None = None
    payment_method: CodeIn | None = _code_field()
    shipping_method: CodeIn | None = _code_field()
    tags: list[TagName] | None = Field(None, max_length=MAX_TAGS)
    version: VersionIn | None = None

    def service_arguments(self) -> dict[str, Any]:
        given = self.model_fields_set - {"version"}
        values: dict[str, Any] = {}
        for name in given:
            value = getattr(self, name)
            if name in ("billing_address", "shipping_address"):
                value = address_values(value)
            elif name == "channel" and value is not None:
                value = value.value
            elif name == "tags":
                value = value or []
            values[name] = value
        return values


class OrderLinesIn(InputSchema):
    lines: list[LineIn] = Field(max_length=MAX_LINES)
    coupon_code: CodeIn | Literal[""] | None = Field(
        None, description="Left out: unchanged; null or empty: removed"
    )
    version: VersionIn | None = None


class PlaceOrderIn(InputSchema):
    status: OrderStatus = OrderStatus.PENDING
    adjust_stock: StrictBool = True
    version: VersionIn | None = None


class OrderStatusIn(InputSchema):
    status: OrderStatus
    adjust_stock: StrictBool = True
    notify_customer: StrictBool = False
    notify_admins: StrictBool = False
    comment: str = Field("", max_length=MAX_NOTE_LENGTH)
    version: VersionIn | None = None


class PaymentStatusIn(InputSchema):
    payment_status: Literal["paid", "unpaid"]
    version: VersionIn | None = None


class NoteIn(InputSchema):
    body: str = Field(min_length=1, max_length=MAX_NOTE_LENGTH)
    version: VersionIn | None = None


class ShipmentIn(InputSchema):
    carrier: CodeIn | None = Field(None, description="carrier code")
    carrier_name: str | None = Field(
        None, max_length=100, description="a carrier that is not in the list"
    )
    tracking_code: str = Field("", max_length=100)
    tracking_url: str = Field(
        "", max_length=500, description="only for a custom carrier; derived for listed ones"
    )
    version: VersionIn | None = None


class ShipmentTrackingIn(InputSchema):
    tracking_code: str = Field(max_length=100)
    version: VersionIn | None = None
