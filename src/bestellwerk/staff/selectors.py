"""Reads the staff screens need on top of the apps' own selectors."""

from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext

from bestellwerk.catalog.models import Product
from bestellwerk.core.search import matching
from bestellwerk.customers.models import Customer
from bestellwerk.orders.lifecycle import can_transition, stock_effect
from bestellwerk.orders.models import Order, OrderStatus
from bestellwerk.orders.selectors import StatusCounts, filter_orders
from bestellwerk.staff.forms import FILTER_FIELDS, MAX_BULK_ORDERS, OrderFilterForm

# The quick tabs over the list, in the order work flows through a shop.
TAB_STATUSES: tuple[str, ...] = (
    OrderStatus.PENDING,
    OrderStatus.PROCESSING,
    OrderStatus.ON_HOLD,
    OrderStatus.SHIPPED,
    OrderStatus.COMPLETED,
    OrderStatus.CANCELLED,
    OrderStatus.REFUNDED,
    OrderStatus.DRAFT,
)


@dataclass(frozen=True)
class StatusTab:
    status: str  # "" is the tab of every non-draft order
    label: str
    count: int
    active: bool
    # "at_least": more orders match ("1.000+"); "estimated": the database's estimate ("≈")
    precision: str = ""


def _precision(counts: StatusCounts, statuses: set[str]) -> str:
    if statuses & counts.estimated:
        return "estimated"
    if statuses & counts.at_least:
        return "at_least"
    return ""


def status_tabs(counts: StatusCounts, *, selected: list[str]) -> list[StatusTab]:
    labels = dict(OrderStatus.choices)
    all_orders, precision = matching_count(counts, selected=[])
    tabs = [StatusTab("", gettext("All"), all_orders, not selected, precision)]
    tabs += [
        StatusTab(
            status,
            str(labels[status]),
            counts.counts.get(status, 0),
            selected == [status],
            _precision(counts, {status}),
        )
        for status in TAB_STATUSES
    ]
    return tabs


def matching_count(counts: StatusCounts, *, selected: list[str]) -> tuple[int, str]:
    """How many orders the filter matches, from the counts per status (no extra query), and
    how precise that is (`StatusTab.precision`)."""
    statuses = set(selected) or set(counts.counts) - {OrderStatus.DRAFT}
    total = sum(counts.counts.get(status, 0) for status in statuses)
    return total, _precision(counts, statuses)


def filter_querystring(params: QueryDict) -> str:
    """The filters of a list URL without sort and paging: what "all matching" refers to."""
    kept = QueryDict(mutable=True)
    for name in FILTER_FIELDS:
        values = [value for value in params.getlist(name) if value]
        if values:
            kept.setlist(name, values)
    return kept.urlencode()


def numbers_matching(query: str) -> list[int]:
    """Order numbers the list filter in `query` matches (bulk "all matching"), at most
    MAX_BULK_ORDERS + 1 so the caller can refuse an oversized selection."""
    form = OrderFilterForm(QueryDict(query))
    if not form.is_valid():
        return []
    qs = filter_orders(form.to_filters()).order_by("number").values_list("number", flat=True)
    return list(qs[: MAX_BULK_ORDERS + 1])


@dataclass(frozen=True)
class StatusChangeGroup:
    """Orders of one current status (and stock state) and what a bulk change does to them."""

    current_status: str
    current_label: str
    count: int
    outcome: str  # "change", "unchanged" or "not_allowed"
    stock: str  # "deduct", "restock" or "none"


@dataclass(frozen=True)
class StatusChangeSummary:
    groups: list[StatusChangeGroup]
    found: int
    missing: int

    @property
    def changing(self) -> int:
        return sum(group.count for group in self.groups if group.outcome == "change")

    @property
    def refused(self) -> int:
        return sum(group.count for group in self.groups if group.outcome == "not_allowed")


def summarize_status_change(*, numbers: list[int], status: str) -> StatusChangeSummary:
    """What moving `numbers` to `status` would do, per current status: the preview of a
    bulk status change. One query whatever the number of orders."""
    labels = dict(OrderStatus.choices)
    rows = (
        Order.objects.filter(number__in=numbers)
        .order_by()
        .values("status", "stock_held")
        .annotate(n=Count("pk"))
    )
    groups = []
    for row in sorted(rows, key=lambda r: (list(labels).index(r["status"]), r["stock_held"])):
        current = row["status"]
        if current == status:
            outcome, stock = "unchanged", "none"
        elif current == OrderStatus.DRAFT or not can_transition(current, status):
            outcome, stock = "not_allowed", "none"
        else:
            outcome = "change"
            stock = stock_effect(current, status, stock_held=row["stock_held"])
        groups.append(StatusChangeGroup(current, str(labels[current]), row["n"], outcome, stock))
    found = sum(group.count for group in groups)
    return StatusChangeSummary(groups=groups, found=found, missing=len(set(numbers)) - found)


def search_customers(query: str) -> QuerySet[Customer]:
    """Customers found by `query` (`core.search`), by name."""
    customers = Customer.objects.prefetch_related("tags").order_by("last_name", "first_name", "pk")
    return matching(customers, query)


def search_products(query: str, *, low_stock_below: int | None = None) -> QuerySet[Product]:
    """Products found by `query` (`core.search`: SKU, name); with `low_stock_below` only
    stock-tracked products at or under that quantity."""
    qs = matching(Product.objects.order_by("sku"), query)
    if low_stock_below is not None:
        qs = qs.filter(track_stock=True, stock_quantity__lte=low_stock_below)
    return qs
