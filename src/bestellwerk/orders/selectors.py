"""Reading orders: the filtered, keyset-paginated list and the full order, each in a fixed
number of queries whatever their size."""

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    Expression,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from bestellwerk.core.cursors import decode_cursor, encode_cursor
from bestellwerk.core.errors import ServiceError
from bestellwerk.core.models import Tag
from bestellwerk.core.row_cache import attach_cached
from bestellwerk.core.search import matching
from bestellwerk.orders.models import (
    LeadSource,
    Order,
    OrderEvent,
    OrderLine,
    OrderNote,
    OrderStatus,
    OrderStatusCount,
)
from bestellwerk.payments.models import PaymentMethod
from bestellwerk.shipping.models import Shipment, ShippingMethod

MAX_PAGE_SIZE = 200
# Filtered tabs count up to this many orders exactly; beyond, they estimate.
STATUS_COUNT_CAP = 1_000
DEFAULT_PAGE_SIZE = 50

# sort key -> (model field, the field's type in a cursor)
SORTS: dict[str, str] = {"created": "created_at", "total": "total", "number": "number"}


BALANCE_FILTERS: dict[str, Q] = {
    "due": Q(balance__gt=0),
    "refund_due": Q(balance__lt=0),
    "settled": Q(balance=0),
}


def money_touched(*, number: int) -> bool:
    """Whether money was paid on the order: a change to its money (cart, coupon, shipping) is
    then shown with its effect on the balance and confirmed before it is saved."""
    return Order.objects.filter(number=number, paid_total__gt=0).exists()


@dataclass
class OrderFilters:
    """Every filter of the order list; the API's query parameters and the UI's form fill it."""

    q: str = ""
    number: int | None = None
    customer: int | None = None
    status: list[str] = field(default_factory=list)
    payment_status: list[str] = field(default_factory=list)
    payment_method: str = ""
    shipping_method: str = ""
    tag: list[str] = field(default_factory=list)
    assignee: str = ""
    lead_source: str = ""
    channel: str = ""
    total_min: Decimal | None = None
    total_max: Decimal | None = None
    # "due": the customer owes money; "refund_due": money is owed back; "settled": neither.
    balance: str = ""
    created_from: date | None = None
    created_to: date | None = None


@dataclass
class OrderPage:
    items: list[Order]
    next_cursor: str | None


def filter_orders(filters: OrderFilters, *, exclude_status: bool = False) -> QuerySet[Order]:
    """Orders matching `filters`. Drafts only when asked for with status=draft.

    `exclude_status` leaves the status filter out (for counts per status as quick tabs).
    """
    qs = Order.objects.all()
    statuses = [] if exclude_status else [s for s in filters.status if s]
    if statuses:
        unknown = set(statuses) - set(OrderStatus.values)
        if unknown:
            raise ServiceError(
                "invalid_filter", _("Unknown status."), fields={"status": sorted(unknown)}
            )
        qs = qs.filter(status__in=statuses)
    else:
        qs = qs.exclude(status=OrderStatus.DRAFT)
    if filters.q:
        qs = matching(qs, filters.q)
    if filters.number is not None:
        qs = qs.filter(number=filters.number)
    if filters.customer is not None:
        qs = qs.filter(customer_id=filters.customer)
    if filters.payment_status:
        qs = qs.filter(payment_status__in=filters.payment_status)
    if filters.payment_method:
        qs = qs.filter(payment_method__code=filters.payment_method)
    if filters.shipping_method:
        qs = qs.filter(shipping_method__code=filters.shipping_method)
    if names := [name.strip() for name in filters.tag if name.strip()]:
        qs = _with_every_tag(qs, names)
    if filters.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif filters.assignee:
        qs = qs.filter(assignee__username=filters.assignee)
    if filters.lead_source:
        qs = qs.filter(lead_source__code=filters.lead_source)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.total_min is not None:
        qs = qs.filter(total__gte=filters.total_min)
    if filters.total_max is not None:
        qs = qs.filter(total__lte=filters.total_max)
    if filters.balance:
        if filters.balance not in BALANCE_FILTERS:
            raise ServiceError(
                "invalid_filter", _("Unknown balance filter."), fields={"balance": filters.balance}
            )
        qs = qs.filter(BALANCE_FILTERS[filters.balance])
    if filters.created_from and (start := _day_bound(filters.created_from, time.min)):
        qs = qs.filter(created_at__gte=start)
    if filters.created_to and (end := _day_bound(filters.created_to, time.max)):
        qs = qs.filter(created_at__lte=end)
    return qs


class TagIdsContain(Expression):
    """`orders_order.tag_ids @> ids` (PostgreSQL, migration 0013): the order has every tag of
    `ids`, answered by the GIN index. Compiled against the order table's alias of whatever
    query it is in (the list, or the tab counts' subquery)."""

    output_field = BooleanField()

    def __init__(self, tag_ids: list[int]) -> None:
        super().__init__()
        self.tag_ids = sorted(tag_ids)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return f"{table}.tag_ids @> %s::bigint[]", [self.tag_ids]


def _with_every_tag(orders: QuerySet[Order], names: list[str]) -> QuerySet[Order]:
    """Orders carrying every tag of `names` (case-insensitive); an unknown tag matches
    nothing. PostgreSQL asks the orders' tag arrays (one GIN condition, combined with the
    other filters' indexes); SQLite has one semi-join per tag on (order, tag)."""
    wanted = {name.lower() for name in names}
    ids = dict(
        Tag.objects.annotate(lower_name=Lower("name"))
        .filter(lower_name__in=wanted)
        .values_list("lower_name", "pk")
    )
    if len(ids) < len(wanted):
        return orders.none()
    if connection.vendor == "postgresql":
        return orders.filter(TagIdsContain(list(ids.values())))
    tagged = Order.tags.through.objects
    for tag_id in ids.values():
        orders = orders.filter(Exists(tagged.filter(order_id=OuterRef("pk"), tag_id=tag_id)))
    return orders


def _day_bound(day: date, at: time) -> datetime | None:
    """`at` on `day` in the shop's time zone, in UTC; None at the calendar's edges (from
    0001-01-01, to 9999-12-31), where UTC would leave the calendar and nothing is stored."""
    try:
        return datetime.combine(day, at, tzinfo=timezone.get_current_timezone()).astimezone(UTC)
    except OverflowError:
        return None


def _decode_order_cursor(cursor: str, sort: str) -> tuple[Any, int]:
    value, pk = decode_cursor(cursor, f"orders:{sort}")
    sort_field = SORTS[sort.lstrip("-")]
    if sort_field == "created_at":
        return datetime.fromisoformat(value), pk
    if sort_field == "total":
        return Decimal(value), pk
    return value, pk


def list_orders(
    filters: OrderFilters,
    *,
    sort: str = "-created",
    limit: int = DEFAULT_PAGE_SIZE,
    cursor: str | None = None,
) -> OrderPage:
    """One page of orders with what a list row shows, in a fixed number of queries."""
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in SORTS:
        raise ServiceError(
            "invalid_sort",
            _("Sort by one of %(sorts)s.") % {"sorts": ", ".join(SORTS)},
            fields={"sort": sort},
        )
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ServiceError(
            "invalid_limit",
            _("limit is 1 to %(max)d.") % {"max": MAX_PAGE_SIZE},
            fields={"limit": limit},
        )
    sort_field = SORTS[key]
    qs = filter_orders(filters)
    if cursor:
        value, pk = _decode_order_cursor(cursor, sort)
        before, beyond = ("lt", "lte") if descending else ("gt", "gte")
        # The first condition is implied by the others; it gives the index a range to start
        # from instead of a scan from the first row (an OR is not a range).
        qs = qs.filter(
            Q(**{f"{sort_field}__{beyond}": value}),
            Q(**{f"{sort_field}__{before}": value}) | Q(**{sort_field: value, f"pk__{before}": pk}),
        )
    prefix = "-" if descending else ""
    qs = (
        qs.order_by(f"{prefix}{sort_field}", f"{prefix}pk")
        .select_related("customer", "assignee")
        .defer("search_document")
        .prefetch_related("tags")
    )
    items = list(qs[: limit + 1])
    for relation, model in (
        ("payment_method", PaymentMethod),
        ("shipping_method", ShippingMethod),
        ("lead_source", LeadSource),
    ):
        attach_cached(items, relation, model)
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        last = items[-1]
        next_cursor = encode_cursor(f"orders:{sort}", [getattr(last, sort_field), last.pk])
    return OrderPage(items=items, next_cursor=next_cursor)


@dataclass(frozen=True)
class StatusCounts:
    """Orders per status for the list's tabs. Exact, except for filtered views matching more
    than STATUS_COUNT_CAP orders: then a status in `estimated` has the database's estimate
    (PostgreSQL), one in `at_least` a lower bound (SQLite, counted up to the cap)."""

    counts: dict[str, int]
    at_least: frozenset[str] = frozenset()
    estimated: frozenset[str] = frozenset()


def count_orders_by_status(filters: OrderFilters) -> StatusCounts:
    """How many orders match the other filters, per status (the list's quick tabs).

    Without other filters the counts are the exact per-status counters (`OrderStatusCount`).
    With filters, the first STATUS_COUNT_CAP matching orders are counted per status: exact
    when that is all of them; beyond, PostgreSQL's planner estimates each status (no scan of
    a million rows per page view) and SQLite counts each status up to the cap. Drafts are
    counted without filters, as their tab lists every draft.
    """
    totals = dict(
        OrderStatusCount.objects.values_list("status").annotate(n=Sum("count")).order_by()
    )
    counts = {status: int(totals.get(status, 0)) for status in OrderStatus.values}
    if replace(filters, status=[]) == OrderFilters():
        return StatusCounts(counts)
    matching = filter_orders(filters, exclude_status=True).order_by()
    sample = matching.values("pk")[: STATUS_COUNT_CAP + 1]
    found = dict(
        Order.objects.filter(pk__in=Subquery(sample))
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    listed = [status for status in OrderStatus.values if status != OrderStatus.DRAFT]
    counts.update({status: found.get(status, 0) for status in listed})
    if sum(found.values()) <= STATUS_COUNT_CAP:
        return StatusCounts(counts)
    if connection.vendor == "postgresql":
        for status in listed:
            counts[status] = _estimated_rows(matching.filter(status=status))
        return StatusCounts(counts, estimated=frozenset(listed))
    at_least = set()
    for status in listed:
        counts[status] = matching.filter(status=status)[: STATUS_COUNT_CAP + 1].count()
        if counts[status] > STATUS_COUNT_CAP:
            counts[status] = STATUS_COUNT_CAP
            at_least.add(status)
    return StatusCounts(counts, frozenset(at_least))


def _estimated_rows(rows: QuerySet[Order]) -> int:
    """The planner's estimate of how many rows `rows` has (PostgreSQL; planning only)."""
    plan = json.loads(rows.explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


def get_order(*, number: int) -> Order:
    """One order with everything its page and API answer show, in a fixed number of queries."""
    order = (
        Order.objects.select_related(
            "customer", "assignee", "payment_method", "shipping_method", "lead_source", "coupon"
        )
        .prefetch_related(
            "lines",
            "tags",
            Prefetch("shipments", queryset=Shipment.objects.select_related("carrier")),
            Prefetch("notes", queryset=OrderNote.objects.select_related("author")),
        )
        .filter(number=number)
        .first()
    )
    if order is None:
        raise ServiceError(
            "not_found",
            _("Order %(number)s does not exist.") % {"number": number},
            fields={"number": number},
        )
    return order


def as_read(
    order: Order,
    *,
    lines: list[OrderLine],
    tags: list[Tag],
    shipments: list[Shipment],
    notes: list[OrderNote],
) -> Order:
    """`order` as `get_order` reads it, from what the service that has just written it holds:
    its related rows are put where the prefetch would put them, so the answer to a create
    needs no read back."""
    cache = order.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, rows in (
        ("lines", sorted(lines, key=lambda line: (line.position, line.pk))),
        ("tags", sorted(tags, key=lambda tag: tag.name)),
        ("shipments", shipments),
        ("notes", notes),
    ):
        related = getattr(order, name).all()
        related._result_cache = list(rows)
        related._prefetch_done = True
        cache[name] = related
    return order


def list_order_events(*, order: Order) -> QuerySet[OrderEvent]:
    return order.events.select_related("actor_user").order_by("created_at", "id")
