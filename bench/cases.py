"""The read cases: what staff and API clients ask the order list for, picked from the data.

One list feeds the three layers: `orders.selectors` in process, the API (GET /api/v1/orders)
and the staff list page (GET /orders/ with the same filters as its form)."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.report import p50_p95, table, timed


@dataclass
class ReadCase:
    name: str
    filters: dict[str, Any] = field(default_factory=dict)  # OrderFilters fields
    sort: str = "-created"

    def api_params(self) -> list[tuple[str, str]]:
        """Query parameters of GET /api/v1/orders (lists repeat the parameter)."""
        params = [(key, v) for key, value in self.filters.items() for v in _listed(value)]
        return [*params, ("sort", self.sort)]

    def page_params(self) -> list[tuple[str, str]]:
        """Query parameters of the staff list page (its tags field takes commas)."""
        params = []
        for key, value in self.filters.items():
            if key == "tag":
                params.append(("tag", ", ".join(value)))
            else:
                params += [(key, v) for v in _listed(value)]
        return [*params, ("sort", self.sort)]


def _listed(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def common_name() -> str:
    """The most frequent customer last name (what a search for "Müller" costs)."""
    from bestellwerk.customers.models import Customer

    names = Customer.objects.order_by("-pk").values_list("last_name", flat=True)[:20_000]
    return Counter(names).most_common(1)[0][0] if names else "Müller"


def read_cases() -> list[ReadCase]:
    """The cases the issue measures on every layer."""
    return [
        ReadCase("first page (newest 50)"),
        ReadCase("status = processing", {"status": ["processing"]}),
        ReadCase(
            "on hold + unpaid + invoice + tag",
            {
                "status": ["on_hold"],
                "payment_status": ["unpaid"],
                "payment_method": "invoice",
                "tag": ["Stammkunde"],
            },
        ),
        ReadCase("tags = Großkunde + Stammkunde", {"tag": ["Großkunde", "Stammkunde"]}),
        ReadCase(f"search: common name ({common_name()})", {"q": common_name()}),
        ReadCase("search: SKU fragment (TEE-00)", {"q": "TEE-00"}),
        ReadCase("processing, sort by total", {"status": ["processing"]}, sort="-total"),
    ]


def selector_cases() -> list[tuple[str, Callable[[], Any]]]:
    """The read cases and more, straight on `orders.selectors` (no HTTP)."""
    from bestellwerk.customers.models import Customer
    from bestellwerk.orders.models import Order
    from bestellwerk.orders.selectors import (
        OrderFilters,
        count_orders_by_status,
        get_order,
        list_orders,
    )
    from bestellwerk.shipping.models import Shipment

    def page(sort: str = "-created", cursor: str | None = None, **filters: Any) -> Callable:
        return lambda: [
            (o.customer, list(o.tags.all()))
            for o in list_orders(OrderFilters(**filters), sort=sort, cursor=cursor).items
        ]

    # A cursor 5,000 rows deep, found by paging as a client would.
    cursor = None
    for _ in range(25):
        cursor = list_orders(OrderFilters(), limit=200, cursor=cursor).next_cursor
    customer = Customer.objects.filter(orders__isnull=False).order_by("pk").first()
    tracking = Shipment.objects.exclude(tracking_code="").order_by("-pk").first()
    numbers = iter(sample_numbers(1000) * 10)
    middle = sample_numbers(1)[0]
    cases = [(case.name, page(case.sort, **case.filters)) for case in read_cases()]
    return [
        *cases,
        ("payment status = unpaid", page(payment_status=["unpaid"])),
        ("channel = pos, assignee = none", page(channel="pos", assignee="none")),
        ("tag = VIP", page(tag=["VIP"])),
        ("search: customer last name", page(q=customer.last_name if customer else "x")),
        ("search: e-mail", page(q=customer.email if customer else "x")),
        ("search: order number", page(q=str(middle))),
        ("search: tracking code", page(q=tracking.tracking_code if tracking else "x")),
        ("search: no match", page(q="zzzqxj")),
        ("sort by total (highest first)", page(sort="-total")),
        ("status = completed, sort by total", page(status=["completed"], sort="total")),
        ("deep cursor page (after 5,000 rows)", page(cursor=cursor)),
        ("status counts (list tabs)", lambda: count_orders_by_status(OrderFilters())),
        ("get_order (order page)", lambda: get_order(number=next(numbers))),
        ("orders in the database", lambda: Order.objects.count()),
    ]


def sample_numbers(count: int) -> list[int]:
    """`count` order numbers spread over the table (placed orders, not drafts)."""
    from bestellwerk.orders.models import Order

    numbers = Order.objects.exclude(status="draft").order_by("number")
    total = numbers.count()
    step = max(1, total // max(count, 1))
    picked = list(numbers.values_list("number", flat=True)[: step * count : step])
    return picked or [0]


def run_selectors(*, warmups: int, calls: int) -> str:
    """Time every selector case; the table (ms p50/p95 and SQL queries of one call)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rows = []
    for name, call in selector_cases():
        p50, p95 = p50_p95(timed(call, warmups=warmups, calls=calls))
        with CaptureQueriesContext(connection) as queries:
            call()
        rows.append((name, p50, p95, len(queries)))
    return table(["selector case", "p50 ms", "p95 ms", "queries"], rows)
