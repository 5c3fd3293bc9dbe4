"""The query parameters of the order list and of an order's event list."""

from typing import Literal

from ninja import Field

from bestellwerk.api.pagination import CursorIn
from bestellwerk.api.schemas import MAX_DB_INT, DateIn, MoneyIn, TextSchema
from bestellwerk.core.search import MAX_QUERY_LENGTH
from bestellwerk.core.tags import MAX_TAGS
from bestellwerk.orders.models import Channel, OrderStatus, PaymentStatus
from bestellwerk.orders.schemas.fields import CODE_LENGTH, USERNAME_LENGTH, TagName
from bestellwerk.orders.selectors import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    OrderFilters,
)

OrderSort = Literal["created", "-created", "total", "-total", "number", "-number"]


class OrderFilterQuery(TextSchema):
    """The order list's filters, shared by the list and the export."""

    q: str = Field("", max_length=MAX_QUERY_LENGTH)
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
    balance: Literal["due", "refund_due", "settled"] | None = Field(
        None,
        description="due: the customer owes money; refund_due: money is owed back; "
        "settled: neither",
    )
    created_from: DateIn | None = None
    created_to: DateIn | None = None

    def as_filters(self, *, number: int | None = None) -> OrderFilters:
        return OrderFilters(
            q=self.q,
            number=number,
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
            balance=self.balance or "",
            created_from=self.created_from,
            created_to=self.created_to,
        )


class OrderListQuery(OrderFilterQuery):
    number: int | None = Field(None, ge=1, le=MAX_DB_INT)
    sort: OrderSort = "-created"
    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    cursor: CursorIn | None = None

    def as_filters(self, *, number: int | None = None) -> OrderFilters:
        return super().as_filters(number=self.number if number is None else number)


class EventListQuery(TextSchema):
    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    cursor: CursorIn | None = None
