"""Benchmark of the order list and the order page: `make bench` (or `python -m bench`).

It builds its own database (never the one `make run` uses): the demo shop through the real
services as templates, then copies of those orders by bulk insert up to --orders, and
measures `orders.selectors.list_orders` (first page, filters, search, tags, sorting, a
deep cursor page), the status counts of the list's tabs and `get_order`: milliseconds per
call (median of --repeat calls) and the number of SQL queries.

    make bench                                   # 20,000 orders on SQLite (var/bench.sqlite3)
    make bench BENCH_ARGS="--orders 1000000"     # a million (generation takes a while)
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bw_bench make bench

The data is kept between runs and only topped up, so a second run measures at once.
"""

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

DEFAULT_ORDERS = 20_000
TEMPLATE_ORDERS = 600
INSERT_CHUNK = 5_000


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=DEFAULT_ORDERS, help="orders in the DB")
    parser.add_argument("--repeat", type=int, default=7, help="calls per case (median)")
    parser.add_argument(
        "--database",
        default=os.environ.get("BENCH_DATABASE_URL", ""),
        help="database URL (default: BENCH_DATABASE_URL or sqlite:///var/bench.sqlite3)",
    )
    return parser.parse_args(argv)


def prepare_database(url: str) -> None:
    """Point Django at the bench database; create it on PostgreSQL when missing."""
    if not url:
        Path("var").mkdir(exist_ok=True)
        url = f"sqlite:///{Path('var/bench.sqlite3').resolve()}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bestellwerk.settings")
    parsed = urlparse(url)
    if parsed.scheme.startswith("postgres"):
        import psycopg

        name = parsed.path.lstrip("/")
        admin_url = parsed._replace(path="/postgres").geturl()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()


def generate(target: int) -> None:
    """Top the database up to `target` orders: demo templates, then bulk copies of them."""
    from django.core.management import call_command

    from bestellwerk.demo.seed import seed_demo_shop
    from bestellwerk.orders.models import Order

    call_command("migrate", verbosity=0)
    if not Order.objects.exists():
        started = time.perf_counter()
        seed_demo_shop(orders=min(target, TEMPLATE_ORDERS), customers=300)
        print(f"templates: {Order.objects.count()} demo orders in {elapsed(started)}")
    missing = target - Order.objects.count()
    if missing > 0:
        started = time.perf_counter()
        copy_orders(missing)
        print(f"bulk copies: {missing:,} orders in {elapsed(started)}")
    # Fresh planner statistics, as autovacuum (PostgreSQL) or a maintenance job would keep.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def copy_orders(count: int) -> None:
    """Insert `count` copies of the template orders with new numbers, dates and tracking."""
    from django.db import transaction
    from django.db.models import F
    from django.utils import timezone

    from bestellwerk.core.models import Counter
    from bestellwerk.demo.plan import HISTORY_DAYS
    from bestellwerk.orders.models import Order, OrderLine, OrderNote
    from bestellwerk.orders.services import ORDER_NUMBER_COUNTER
    from bestellwerk.shipping.models import Shipment

    rng = random.Random(count)
    templates = list(
        Order.objects.order_by("pk").prefetch_related("lines", "tags", "shipments", "notes")[
            :TEMPLATE_ORDERS
        ]
    )
    now = timezone.now()
    copied = 0
    while copied < count:
        chunk = min(INSERT_CHUNK, count - copied)
        with transaction.atomic():
            # Reserve a block of order numbers from the same counter the services use.
            Counter.objects.filter(name=ORDER_NUMBER_COUNTER).update(value=F("value") + chunk)
            last = Counter.objects.get(name=ORDER_NUMBER_COUNTER).value
            sources = [templates[(copied + i) % len(templates)] for i in range(chunk)]
            orders, tracking = [], []
            for offset, source in enumerate(sources):
                number = last - chunk + 1 + offset
                codes = {
                    s.tracking_code: f"{s.tracking_code[:-8]}{number:08d}"
                    for s in source.shipments.all()
                    if s.tracking_code
                }
                tracking.append(codes)
                orders.append(copy_order(source, number, codes, now, rng.random() * HISTORY_DAYS))
            Order.objects.bulk_create(orders)
            lines, shipments, notes, tags = [], [], [], []
            through = Order.tags.through
            for order, source, codes in zip(orders, sources, tracking, strict=True):
                for line in source.lines.all():
                    line.pk, line.order_id = None, order.pk
                    lines.append(copy_model(line))
                for shipment in source.shipments.all():
                    new = copy_model(shipment)
                    new.pk, new.order_id = None, order.pk
                    new.tracking_code = codes.get(shipment.tracking_code, "")
                    shipments.append(new)
                for note in source.notes.all():
                    new = copy_model(note)
                    new.pk, new.order_id = None, order.pk
                    notes.append(new)
                tags += [through(order_id=order.pk, tag_id=tag.pk) for tag in source.tags.all()]
            OrderLine.objects.bulk_create(lines)
            Shipment.objects.bulk_create(shipments)
            OrderNote.objects.bulk_create(notes)
            through.objects.bulk_create(tags)
        copied += chunk
        print(f"  {copied:,} / {count:,}", file=sys.stderr)


def copy_model(instance: Any) -> Any:
    fields = {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}
    fields.pop(instance._meta.pk.attname)
    return type(instance)(**fields)


def copy_order(
    source: Any, number: int, tracking: dict[str, str], now: Any, days_ago: float
) -> Any:
    """A copy of `source` as order `number`, its search document following the changes."""
    order = copy_model(source)
    created = now - timedelta(days=days_ago)
    order.number = number
    order.created_at = order.updated_at = created
    order.placed_at = created if source.placed_at else None
    # Copies are not imports: the (source, id) pair is unique.
    dropped = {source.external_number.lower(), (source.external_id or "").lower()} - {""}
    order.external_source = order.external_id = None
    order.external_number = ""
    parts = source.search_document.split(" | ")
    parts[0] = str(number)
    lowered = {old.lower(): new.lower() for old, new in tracking.items()}
    order.search_document = " | ".join(lowered.get(p, p) for p in parts if p not in dropped)
    return order


def elapsed(started: float) -> str:
    return f"{time.perf_counter() - started:.1f} s"


def measure(call: Callable[[], Any], repeat: int) -> tuple[float, int]:
    """Median milliseconds of `repeat` calls, and the SQL queries of one call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()  # warm caches and the ORM's query compilation once
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        call()
    return statistics.median(timings), len(queries)


def cases(repeat: int) -> list[tuple[str, Callable[[], Any]]]:
    from bestellwerk.customers.models import Customer
    from bestellwerk.orders.models import Order
    from bestellwerk.orders.selectors import (
        OrderFilters,
        count_orders_by_status,
        get_order,
        list_orders,
    )
    from bestellwerk.shipping.models import Shipment

    def page(**kwargs: Any) -> Callable[[], Any]:
        sort = kwargs.pop("sort", "-created")
        cursor = kwargs.pop("cursor", None)
        return lambda: [
            (o.customer, list(o.tags.all()))
            for o in list_orders(OrderFilters(**kwargs), sort=sort, cursor=cursor).items
        ]

    # A cursor 5,000 rows deep, found by paging as a client would.
    cursor = None
    for _ in range(25):
        cursor = list_orders(OrderFilters(), limit=200, cursor=cursor).next_cursor
    customer = Customer.objects.filter(orders__isnull=False).order_by("pk").first()
    middle = Order.objects.order_by("number").values_list("number", flat=True)
    count = middle.count()
    number = middle[count // 2]
    tracking = Shipment.objects.exclude(tracking_code="").order_by("-pk").first()
    numbers = list(middle[count // 3 : count // 3 + repeat + 1])
    numbers_iter = iter(numbers * 100)
    return [
        ("first page (newest 50)", page()),
        ("status = processing", page(status=["processing"])),
        ("payment status = unpaid", page(payment_status=["unpaid"])),
        ("channel = pos, assignee = none", page(channel="pos", assignee="none")),
        ("tag = VIP", page(tag=["VIP"])),
        ("tags = Großkunde + Stammkunde", page(tag=["Großkunde", "Stammkunde"])),
        ("search: customer last name", page(q=customer.last_name)),
        ("search: e-mail", page(q=customer.email)),
        ("search: order number", page(q=str(number))),
        ("search: tracking code", page(q=tracking.tracking_code if tracking else "x")),
        ("search: no match", page(q="zzzqxj")),
        ("sort by total (highest first)", page(sort="-total")),
        ("status = completed, sort by total", page(status=["completed"], sort="total")),
        ("deep cursor page (after 5,000 rows)", page(cursor=cursor)),
        ("status counts (list tabs)", lambda: count_orders_by_status(OrderFilters())),
        ("get_order (order page)", lambda: get_order(number=next(numbers_iter))),
    ]


def main(argv: list[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    prepare_database(args.database)
    from django.db import connection

    from bestellwerk.orders.models import Order

    generate(args.orders)
    total = Order.objects.count()
    print(f"\n{connection.vendor}, {total:,} orders, median of {args.repeat} calls\n")
    print(f"{'case':<40} {'ms':>9} {'queries':>8}")
    for name, call in cases(args.repeat):
        ms, queries = measure(call, args.repeat)
        print(f"{name:<40} {ms:>9.1f} {queries:>8}")


if __name__ == "__main__":
    main()
