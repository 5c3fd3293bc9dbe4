"""The bench data: the demo shop through the real services as a base (catalogue, staff,
methods, a few hundred orders with their whole history), then generated customers and
orders written in bulk up to the size asked for (kept between runs, only topped up)."""

import random
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from itertools import product as pairs

from bench.database import (
    drop_secondary_indexes,
    is_postgres,
    next_id,
    reserve_order_numbers,
    restore_indexes,
    sync_sequences,
    vacuum_analyze,
)
from bench.orders import PAYMENT_STATES, Ids, OrderMaker, Refs, Rows
from bench.people import CUSTOMER_FIELDS, PeopleMaker, Person, customer_row, load_people
from bestellwerk.transfer.columns import (
    LINE_FIELDS,
    NOTE_FIELDS,
    PAYMENT_FIELDS,
    REFUND_FIELDS,
    SHIPMENT_FIELDS,
)

BASE_ORDERS = 300  # demo orders written through the services
HISTORY_DAYS = 3 * 365
ORDERS_PER_CUSTOMER = 4
GUEST_SHARE = 0.03  # walk-in sales without a customer
CHUNK = 10_000  # orders per transaction
BIG_LOAD = 100_000  # from here on, PostgreSQL's secondary indexes are built after the load

ORDER_FIELDS = [
    "id", "number", "status", "payment_status", "channel", "lead_source_id", "customer_id",
    "assignee_id", "billing_address", "shipping_address", "shipping_same_as_billing",
    "payment_method_id", "shipping_method_id", "coupon_id", "currency", "subtotal",
    "discount_total", "shipping_total", "net_total", "tax_total", "total", "tax_breakdown",
    "paid_total", "refunded_total", "credited_total", "balance", "version", "stock_held",
    "external_source", "external_id", "external_number", "search_document", "placed_at",
    "created_at", "updated_at",
]  # fmt: skip
EVENT_FIELDS = [
    "order_id", "type", "data", "actor_kind", "actor_user_id", "actor_label", "actor_token_id",
    "created_at", "dispatched_at",
]  # fmt: skip


def generate(
    target: int, *, base_orders: int = BASE_ORDERS, report: Callable[[str], None] = print
) -> None:
    """Top the database up to `target` orders, then refresh the planner's statistics."""
    from django.core.management import call_command

    from bestellwerk.demo.seed import seed_demo_shop
    from bestellwerk.orders.models import Order

    call_command("migrate", verbosity=0)
    restore_indexes(report)  # left saved by an interrupted load
    if not Order.objects.exists():
        started = time.perf_counter()
        count = max(1, min(target, base_orders))
        seed_demo_shop(orders=count, customers=max(1, count // 2))
        report(f"demo base: {count:,} orders through the services in {elapsed(started)}")
    missing = target - Order.objects.count()
    if missing > 0:
        started = time.perf_counter()
        load(missing, report)
        seconds = time.perf_counter() - started
        report(f"generated: {missing:,} orders in {seconds:.1f} s ({missing / seconds:,.0f}/s)")
    started = time.perf_counter()
    vacuum_analyze()
    report(f"{'VACUUM ANALYZE' if is_postgres() else 'ANALYZE'}: {elapsed(started)}")


def load(count: int, report: Callable[[str], None] = print) -> None:
    """Write `count` generated orders (and their new customers) in chunks."""
    _load(count, report)


def _load(count: int, report: Callable[[str], None]) -> None:
    from django.db import transaction
    from django.utils import timezone

    from bestellwerk.core.bulk import TableWriter
    from bestellwerk.customers.models import Customer
    from bestellwerk.orders.models import Order, OrderEvent, OrderLine, OrderNote
    from bestellwerk.payments.models import Payment, Refund
    from bestellwerk.shipping.models import Shipment

    existing_orders = Order.objects.count()
    rng = random.Random(20_250_000 + existing_orders)
    now = timezone.now()
    refs = load_refs()
    ids = Ids(
        payment=next_id(Payment),
        refund=next_id(Refund),
        shipment=next_id(Shipment),
        note=next_id(OrderNote),
    )
    maker = OrderMaker(rng, refs, ids, now)
    maker.forced = missing_pairs(rng)
    known: list[Person] = list(load_people().values())
    wanted = (existing_orders + count) // ORDERS_PER_CUSTOMER
    new_customers = max(0, wanted - len(known))
    people = PeopleMaker(rng)
    writers = {
        "customers": TableWriter(Customer, [*CUSTOMER_FIELDS, "search_document"]),
        "orders": TableWriter(Order, ORDER_FIELDS),
        "payments": TableWriter(Payment, PAYMENT_FIELDS),
        "refunds": TableWriter(Refund, REFUND_FIELDS),
        "shipments": TableWriter(Shipment, SHIPMENT_FIELDS),
        "notes": TableWriter(OrderNote, NOTE_FIELDS),
        "lines": TableWriter(OrderLine, LINE_FIELDS),
        "events": TableWriter(OrderEvent, EVENT_FIELDS),
        "tags": TableWriter(Order.tags.through, ["order_id", "tag_id"]),
    }
    if is_postgres() and count >= BIG_LOAD:
        report(f"  {drop_secondary_indexes()} secondary indexes dropped for the load")
    order_id, customer_id = next_id(Order), next_id(Customer)
    done = customers_done = 0
    started = time.perf_counter()
    while done < count:
        size = min(CHUNK, count - done)
        numbers = reserve_order_numbers(size)
        fresh = (
            new_customers - customers_done
            if done + size == count
            else round(new_customers * (done + size) / count) - customers_done
        )
        firsts = set(rng.sample(range(size), min(max(fresh, 0), size)))
        rows, customers = Rows(), []
        for j in range(size):
            quantile = (done + j + rng.random()) / count
            created = now - timedelta(days=HISTORY_DAYS * (1 - quantile) ** 1.3)
            created = created.replace(microsecond=0)
            person: Person | None = None
            if j in firsts or (not known and rng.random() > GUEST_SHARE):
                person = people.person(customer_id)
                customer_id += 1
                customers.append(customer_row(person, created))
                known.append(person)
            elif rng.random() > GUEST_SHARE:
                person = known[int(len(known) * rng.random() ** 1.5)]
            maker.make(rows, order_id=order_id, number=numbers[j], created=created, person=person)
            order_id += 1
        customers_done += len(customers)
        with transaction.atomic():
            writers["customers"].write(customers)
            for name in ("orders", "payments", "refunds", "shipments", "notes", "lines"):
                writers[name].write(getattr(rows, name))
            writers["events"].write(rows.events)
            writers["tags"].write(rows.tags)
        done += size
        rate = done / (time.perf_counter() - started)
        print(f"  {done:,} / {count:,} orders, {rate:,.0f}/s", file=sys.stderr)
    sync_sequences([Customer, Order, Payment, Refund, Shipment, OrderNote])
    restore_indexes(report)


def load_refs() -> Refs:
    """What the generated orders point at, from the demo shop's data."""
    from bench.orders import TAG_WEIGHTS
    from bestellwerk.accounts.models import ApiToken, User
    from bestellwerk.accounts.services import create_api_token
    from bestellwerk.catalog.models import Product
    from bestellwerk.core.models import Tag
    from bestellwerk.orders.models import LeadSource
    from bestellwerk.payments.models import PaymentMethod
    from bestellwerk.shipping.models import Carrier, ShippingMethod

    products = list(
        Product.objects.filter(is_active=True)
        .exclude(sku__startswith="BENCH-")
        .order_by("sku")
        .values_list("id", "sku", "name", "price", "vat_rate", "track_stock")
    )
    ranks = list(range(len(products)))
    random.Random(7).shuffle(ranks)
    for name in TAG_WEIGHTS:
        if not Tag.objects.filter(name__iexact=name).exists():
            Tag.objects.create(name=name)
    staff = dict(User.objects.values_list("username", "id"))
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    for name in ("admin", "sofia", "lars"):
        staff.setdefault(name, admin.pk)
    token = ApiToken.objects.filter(revoked_at__isnull=True).order_by("pk").first()
    if token is None:
        token, _raw = create_api_token(user=admin, name="ERP-Anbindung (Bench)")
    return Refs(
        products=products,
        product_weights=[1 / (rank + 2) for rank in ranks],
        payment_methods={m.code: (m.pk, m.provider) for m in PaymentMethod.objects.all()},
        shipping_methods={m.code: (m.pk, m.price) for m in ShippingMethod.objects.all()},
        carriers={c.code: (c.pk, c.name, c.tracking_url_template) for c in Carrier.objects.all()},
        lead_sources={s.code: s.pk for s in LeadSource.objects.all()},
        tags={t.name: t.pk for t in Tag.objects.all()},
        staff=staff,
        token=(token.pk, token.user_id, f"API: {token.name}"),
    )


def missing_pairs(rng: random.Random) -> list[tuple[str, str]]:
    """The (status, payment status) pairs no order has yet, each a few times, shuffled."""
    from bestellwerk.orders.models import Order, OrderStatus

    present = set(Order.objects.values_list("status", "payment_status").distinct())
    missing = [pair for pair in pairs(OrderStatus.values, PAYMENT_STATES) if pair not in present]
    missing = [(status, str(payment)) for status, payment in missing * 3]
    rng.shuffle(missing)
    return missing


def elapsed(started: float) -> str:
    return f"{time.perf_counter() - started:.1f} s"
