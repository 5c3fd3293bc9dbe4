"""What an answer holds: orders, their parts and their events."""

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from bestellwerk.api.schemas import MoneyOut
from bestellwerk.orders.models import Order, OrderEvent


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
    paid: MoneyOut = Field(description="payments minus voids")
    refunded: MoneyOut = Field(description="refunds that succeeded")
    credited: MoneyOut = Field(
        description="the part of the refunds that lowered what the order costs (returns, "
        "goodwill), beyond paying back an overpayment"
    )
    balance: MoneyOut = Field(
        description="total − credited − paid + refunded: positive is owed by the customer, "
        "negative is owed back to the customer"
    )


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
            "paid": obj.paid_total,
            "refunded": obj.refunded_total,
            "credited": obj.credited_total,
            "balance": obj.balance,
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
