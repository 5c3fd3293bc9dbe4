"""The shapes of orders in the REST API: what a request may send, what an answer holds."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, StrictBool, StrictInt, StringConstraints

from bestellwerk.api.pagination import MAX_CURSOR_LENGTH
from bestellwerk.api.schemas import MAX_DB_INT, MoneyIn, MoneyOut, VatRateIn, VersionIn
from bestellwerk.core.tags import MAX_TAG_LENGTH, MAX_TAGS
from bestellwerk.orders.inputs import (
    ADDRESS_FIELD_LENGTHS,
    BILLING_FIELD_LENGTHS,
    MAX_LINES,
    MAX_NOTE_LENGTH,
    MAX_QUANTITY,
    LineInput,
)
from bestellwerk.orders.models import Channel, Order, OrderEvent, OrderStatus, PaymentStatus
from bestellwerk.orders.selectors import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    MAX_QUERY_LENGTH,
    OrderFilters,
)

CODE_LENGTH = 40  # payment/shipping methods, carriers, lead sources (SlugField max_length)
USERNAME_LENGTH = 150
COUPON_CODE_LENGTH = 40

TagName = Annotated[str, StringConstraints(max_length=MAX_TAG_LENGTH)]


def _code_field(description: str = "") -> Any:
    return Field(None, max_length=CODE_LENGTH, description=description or None)


# --------------------------------------------------------------------------- requests


class InputSchema(Schema):
    """Request bodies refuse unknown fields: a typo must not be silently ignored."""

    model_config = ConfigDict(extra="forbid")


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
    sku: str | None = Field(None, min_length=1, max_length=64)
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
    coupon_code: str | None = Field(None, max_length=COUPON_CODE_LENGTH)
    payment_method: str | None = _code_field()
    shipping_method: str | None = _code_field()
    assignee: str | None = Field(None, max_length=USERNAME_LENGTH, description="username")
    lead_source: str | None = _code_field()
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
    lead_source: str | None = _code_field()
    channel: Channel | None = None
    payment_method: str | None = _code_field()
    shipping_method: str | None = _code_field()
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
    coupon_code: str | None = Field(
        None,
        max_length=COUPON_CODE_LENGTH,
        description="Left out: unchanged; null or empty: removed",
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
    carrier: str | None = Field(None, max_length=CODE_LENGTH, description="carrier code")
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


OrderSort = Literal["created", "-created", "total", "-total", "number", "-number"]


class OrderListQuery(Schema):
    q: str = Field("", max_length=MAX_QUERY_LENGTH)
    number: int | None = Field(None, ge=1, le=MAX_DB_INT)
    customer: int | None = Field(None, ge=1, le=MAX_DB_INT, description="customer id")
    status: list[OrderStatus] = Field(
        default_factory=list, description="repeatable; drafts only with status=draft"
    )
    payment_status: list[PaymentStatus] = Field(default_factory=list)
    payment_method: str = Field("", max_length=CODE_LENGTH)
    shipping_method: str = Field("", max_length=CODE_LENGTH)
    tag: list[TagName] = Field(
        default_factory=list, max_length=MAX_TAGS, description="repeatable: all must match"
    )
    assignee: str = Field("", max_length=USERNAME_LENGTH, description="username, or `none`")
    lead_source: str = Field("", max_length=CODE_LENGTH)
    channel: Channel | None = None
    total_min: MoneyIn | None = None
    total_max: MoneyIn | None = None
    created_from: date | None = None
    created_to: date | None = None
    sort: OrderSort = "-created"
    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    cursor: str | None = Field(None, max_length=MAX_CURSOR_LENGTH)

    def as_filters(self) -> OrderFilters:
        return OrderFilters(
            q=self.q,
            number=self.number,
            customer=self.customer,
            status=[status.value for status in self.status],
            payment_status=[status.value for status in self.payment_status],
            payment_method=self.payment_method,
            shipping_method=self.shipping_method,
            tag=self.tag,
            assignee=self.assignee,
            lead_source=self.lead_source,
            channel=self.channel.value if self.channel else "",
            total_min=self.total_min,
            total_max=self.total_max,
            created_from=self.created_from,
            created_to=self.created_to,
        )


# --------------------------------------------------------------------------- answers


class CustomerRefOut(Schema):
    id: int
    email: str | None
    name: str = Field(alias="display_name")


class LineOut(Schema):
    id: int
    sku: str
    name: str
    unit_price: MoneyOut
    vat_rate: MoneyOut
    quantity: int
    subtotal: MoneyOut
    discount: MoneyOut
    total: MoneyOut
    tax: MoneyOut


class TaxOut(Schema):
    rate: str
    net: str
    tax: str


class TotalsOut(Schema):
    subtotal: MoneyOut
    discount: MoneyOut
    shipping: MoneyOut
    net: MoneyOut
    tax: list[TaxOut]
    tax_total: MoneyOut
    total: MoneyOut


class ShipmentOut(Schema):
    id: int
    carrier: str = Field(alias="carrier_name")
    carrier_code: str | None
    tracking_code: str
    tracking_url: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_carrier_code(obj: Any) -> str | None:
        return obj.carrier.code if obj.carrier_id else None


class NoteOut(Schema):
    id: int
    body: str
    author: str = Field(alias="author_label")
    created_at: datetime


def _code(obj: Any) -> str | None:
    return obj.code if obj is not None else None


class OrderSummaryOut(Schema):
    """An order as the list shows it: everything but lines, shipments and notes."""

    number: int
    status: str
    payment_status: str
    channel: str
    customer: CustomerRefOut | None
    billing_address: dict[str, str]
    shipping_address: dict[str, str]
    shipping_same_as_billing: bool
    totals: TotalsOut
    currency: str
    payment_method: str | None
    shipping_method: str | None
    assignee: str | None = Field(description="username")
    lead_source: str | None
    tags: list[str]
    external_source: str | None
    external_id: str | None
    external_number: str
    version: int
    created_at: datetime
    updated_at: datetime
    placed_at: datetime | None

    @staticmethod
    def resolve_totals(obj: Order) -> dict[str, Any]:
        return {
            "subtotal": obj.subtotal,
            "discount": obj.discount_total,
            "shipping": obj.shipping_total,
            "net": obj.net_total,
            "tax": obj.tax_breakdown,
            "tax_total": obj.tax_total,
            "total": obj.total,
        }

    @staticmethod
    def resolve_payment_method(obj: Order) -> str | None:
        return _code(obj.payment_method)

    @staticmethod
    def resolve_shipping_method(obj: Order) -> str | None:
        return _code(obj.shipping_method)

    @staticmethod
    def resolve_lead_source(obj: Order) -> str | None:
        return _code(obj.lead_source)

    @staticmethod
    def resolve_assignee(obj: Order) -> str | None:
        return obj.assignee.username if obj.assignee is not None else None

    @staticmethod
    def resolve_tags(obj: Order) -> list[str]:
        return [tag.name for tag in obj.tags.all()]


class OrderOut(OrderSummaryOut):
    """The whole order (from `orders.selectors.get_order`)."""

    lines: list[LineOut]
    coupon_code: str | None
    shipments: list[ShipmentOut]
    notes: list[NoteOut]

    @staticmethod
    def resolve_coupon_code(obj: Order) -> str | None:
        return _code(obj.coupon)


class OrderListOut(Schema):
    items: list[OrderSummaryOut]
    next_cursor: str | None


class EventActorOut(Schema):
    kind: str
    label: str
    username: str | None


class EventOut(Schema):
    id: int
    type: str
    data: dict[str, Any]
    actor: EventActorOut
    created_at: datetime

    @staticmethod
    def resolve_actor(obj: OrderEvent) -> dict[str, Any]:
        return {
            "kind": obj.actor_kind,
            "label": obj.actor_label,
            "username": obj.actor_user.username if obj.actor_user is not None else None,
        }


class EventListOut(Schema):
    items: list[EventOut]
    next_cursor: str | None


class EventListQuery(Schema):
    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    cursor: str | None = Field(None, max_length=MAX_CURSOR_LENGTH)
