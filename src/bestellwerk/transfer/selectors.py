"""Reads of the order export: the matching orders in chunks by number, each chunk with its
lines, ledger, shipments, notes and tags in a fixed number of queries.

Built for speed (a million orders stream at thousands a second), each read costing what
its answer needs and no more: rows are plain tuples (`values_list`), not model instances;
moments come as ISO text (`parse_moment` reads it), not the driver's datetimes, which cost
ten times as much to read and would only become text again; the address snapshots come
as one column per part, not JSON to decode; a chunk's ids go to PostgreSQL as one array,
not a thousand placeholders.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import (
    Func,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce

from bestellwerk.core.bulk import AnyOf
from bestellwerk.orders.models import (
    Order,
    OrderEvent,
    OrderEventType,
    OrderLine,
    OrderNote,
    OrderStatus,
)
from bestellwerk.orders.selectors import OrderFilters, filter_orders
from bestellwerk.payments.models import Payment, Refund, RefundStatus
from bestellwerk.shipping.models import Shipment
from bestellwerk.transfer.native import ADDRESS_PARTS

CHUNK_SIZE = 1_000


class MomentText(Func):
    """A moment as ISO 8601 text in UTC, read back by `parse_moment`. PostgreSQL writes it
    through JSON (ISO whatever the session's DateStyle); SQLite stores it as text (the cast
    keeps the driver from parsing it)."""

    output_field = TextField()
    template = "CAST(%(expressions)s AS text)"

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        return self.as_sql(
            compiler, connection, template="(to_json(%(expressions)s) #>> '{}')", **extra
        )


def parse_moment(text: str | None) -> datetime | None:
    """A moment `MomentText` wrote, as an aware datetime (None for none)."""
    if not text:
        return None
    value = datetime.fromisoformat(text)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class OrderRow(NamedTuple):
    """The order columns the export reads, named as `values_list` takes them (`*_iso`:
    moments as `MomentText`)."""

    id: int
    number: int
    external_source: str | None
    external_id: str | None
    external_number: str
    created_iso: str
    placed_iso: str | None
    status: str
    payment_status: str
    channel: str
    lead_source_id: int | None
    assignee__username: str | None
    currency: str
    customer__language: str | None
    payment_method_id: int | None
    payment_method_name: str
    shipping_method_id: int | None
    shipping_method_name: str
    coupon__code: str | None
    coupon_code: str
    subtotal: Decimal
    discount_total: Decimal
    shipping_total: Decimal
    net_total: Decimal
    tax_total: Decimal
    total: Decimal
    paid_total: Decimal
    refunded_total: Decimal
    balance: Decimal
    # The address snapshots' parts (None when missing), as `ADDRESS_ANNOTATIONS` reads them.
    billing_email: str | None
    billing_first_name: str | None
    billing_last_name: str | None
    billing_company: str | None
    billing_line1: str | None
    billing_line2: str | None
    billing_postal_code: str | None
    billing_city: str | None
    billing_region: str | None
    billing_country: str | None
    billing_phone: str | None
    billing_vat_id: str | None
    shipping_first_name: str | None
    shipping_last_name: str | None
    shipping_company: str | None
    shipping_line1: str | None
    shipping_line2: str | None
    shipping_postal_code: str | None
    shipping_city: str | None
    shipping_region: str | None
    shipping_country: str | None
    shipping_phone: str | None


def _address_part(field: str, part: str) -> Cast:
    # Text whatever the JSON holds (SQLite's ->> gives a number as a number).
    return Cast(KeyTextTransform(part, field), TextField())


# Each part of the address snapshots as a column of its own: the database takes the JSON
# apart faster than Python decodes it, and the export needs nothing else of it.
ADDRESS_ANNOTATIONS = {
    **{
        f"billing_{part}": _address_part("billing_address", part)
        for part in ("email", *ADDRESS_PARTS, "vat_id")
    },
    **{f"shipping_{part}": _address_part("shipping_address", part) for part in ADDRESS_PARTS},
}


# The related rows: tuples of (order id, *these fields), moments (`*_iso`) as MomentText.
LINE_FIELDS = ("sku", "name", "quantity", "unit_price", "vat_rate", "discount", "total", "tax")
PAYMENT_FIELDS = ("amount", "paid_iso", "reference", "method_id")
REFUND_FIELDS = ("amount", "credited_amount", "refunded_iso", "reason")
SHIPMENT_FIELDS = ("carrier_name", "tracking_code", "created_iso")


@dataclass
class ExportChunk:
    """Up to CHUNK_SIZE orders by number and, by order id, their related rows, in their
    order on the order page: tuples of (order id, *the _FIELDS above); note bodies and tag
    names (unsorted) as plain lists."""

    orders: list[OrderRow]
    lines: dict[int, list[tuple[Any, ...]]] = field(default_factory=dict)
    payments: dict[int, list[tuple[Any, ...]]] = field(default_factory=dict)
    refunds: dict[int, list[tuple[Any, ...]]] = field(default_factory=dict)
    shipments: dict[int, list[tuple[Any, ...]]] = field(default_factory=dict)
    notes: dict[int, list[str]] = field(default_factory=dict)
    tags: dict[int, list[str]] = field(default_factory=dict)
    # Read only for Shopify's format: each order's VAT breakdown ({"rate", "net", "tax"}),
    # and when each cancelled order was cancelled (MomentText): its last change to
    # cancelled, else its last change at all (an imported order has no such event).
    tax_breakdowns: dict[int, list[dict[str, str]]] = field(default_factory=dict)
    cancelled_iso: dict[int, str] = field(default_factory=dict)


def select_export_orders(filters: OrderFilters, *, numbers: Sequence[int] = ()) -> QuerySet[Order]:
    """The orders an export writes: the order list's filters, and with `numbers` only those
    orders (the selected ones). Raises ServiceError at once for a filter that cannot be."""
    orders = filter_orders(filters)
    if numbers:
        orders = orders.filter(number__in=sorted(set(numbers)))
    return orders.order_by()


def count_export_orders(filters: OrderFilters, *, numbers: Sequence[int] = ()) -> int:
    return select_export_orders(filters, numbers=numbers).count()


def export_chunks(
    orders: QuerySet[Order], *, chunk_size: int = CHUNK_SIZE, for_shopify: bool = False
) -> Iterator[ExportChunk]:
    """`orders` by number ascending, in chunks read by keyset (number > the last one seen),
    so a deep chunk costs what the first one does and memory stays flat. Seven queries a
    chunk; `for_shopify` adds the two of `ExportChunk.tax_breakdowns` and `cancelled_iso`."""
    after: int | None = None
    orders = orders.annotate(
        created_iso=MomentText("created_at"),
        placed_iso=MomentText("placed_at"),
        **ADDRESS_ANNOTATIONS,
    )
    while True:
        page = orders if after is None else orders.filter(number__gt=after)
        values = page.order_by("number").values_list(*OrderRow._fields)[:chunk_size]
        rows = list(map(OrderRow._make, values))
        if not rows:
            return
        yield _chunk(rows, for_shopify=for_shopify)
        if len(rows) < chunk_size:
            return
        after = rows[-1].number


def _chunk(rows: list[OrderRow], *, for_shopify: bool) -> ExportChunk:
    ids = [row.id for row in rows]
    chunk = ExportChunk(orders=rows)
    of_chunk = AnyOf("order_id", ids)
    chunk.lines = _grouped(
        OrderLine.objects.filter(of_chunk).order_by("order_id", "position", "id"), LINE_FIELDS
    )
    chunk.payments = _standing_payments(of_chunk)
    chunk.refunds = _grouped(
        Refund.objects.filter(of_chunk, status=RefundStatus.SUCCEEDED)
        .annotate(refunded_iso=MomentText(Coalesce("completed_at", "created_at")))
        .order_by("order_id", "created_at", "id"),
        REFUND_FIELDS,
    )
    chunk.shipments = _grouped(
        Shipment.objects.filter(of_chunk)
        .annotate(created_iso=MomentText("created_at"))
        .order_by("order_id", "id"),
        SHIPMENT_FIELDS,
    )
    chunk.notes = _grouped_values(
        OrderNote.objects.filter(of_chunk).order_by("order_id", "created_at", "id"), "body"
    )
    chunk.tags = _grouped_values(Order.tags.through.objects.filter(of_chunk), "tag__name")
    if for_shopify:
        chunk.tax_breakdowns = dict(
            Order.objects.filter(AnyOf("id", ids)).order_by().values_list("id", "tax_breakdown")
        )
        cancelled = [row.id for row in rows if row.status == OrderStatus.CANCELLED]
        if cancelled:
            chunk.cancelled_iso = dict(
                Order.objects.filter(AnyOf("id", cancelled))
                .annotate(cancelled_iso=MomentText(Coalesce(_last_cancelled(), "updated_at")))
                .order_by()
                .values_list("id", "cancelled_iso")
            )
    return chunk


def _standing_payments(of_chunk: AnyOf) -> dict[int, list[tuple[Any, ...]]]:
    """The ledger as it stands: neither a voided payment nor the void that cancels it (one
    read by the order index; a join to find the voids would scan every payment)."""
    rows = list(
        Payment.objects.filter(of_chunk)
        .annotate(paid_iso=MomentText("paid_at"))
        .order_by("order_id", "paid_at", "id")
        .values_list("order_id", *PAYMENT_FIELDS, "id", "voided_payment_id")
    )
    voided = {row[-1] for row in rows if row[-1] is not None}
    grouped: dict[int, list[tuple[Any, ...]]] = {}
    for row in rows:
        if row[-1] is None and row[-2] not in voided:
            grouped.setdefault(row[0], []).append(row[:-2])
    return grouped


def _last_cancelled() -> Subquery:
    return Subquery(
        OrderEvent.objects.filter(
            order_id=OuterRef("pk"),
            type=OrderEventType.STATUS_CHANGED,
            data__to=OrderStatus.CANCELLED,
        )
        .order_by("-created_at", "-id")
        .values("created_at")[:1]
    )


def _grouped(rows: QuerySet[Any], fields: tuple[str, ...]) -> dict[int, list[tuple[Any, ...]]]:
    grouped: dict[int, list[tuple[Any, ...]]] = {}
    for row in rows.values_list("order_id", *fields):
        grouped.setdefault(row[0], []).append(row)
    return grouped


def _grouped_values(rows: QuerySet[Any], name: str) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = {}
    for order_id, value in rows.values_list("order_id", name):
        grouped.setdefault(order_id, []).append(value)
    return grouped
