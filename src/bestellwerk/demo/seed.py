"""Filling an empty shop with the demo: what `seed_demo`, `bootstrap` and the bench call."""

import random
from collections import Counter as Tally
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from bestellwerk.catalog.models import Product
from bestellwerk.core.errors import ServiceError
from bestellwerk.demo.backdate import backdate_customers, backdate_orders
from bestellwerk.demo.catalog import create_coupons, create_products
from bestellwerk.demo.orders import OrderWriter
from bestellwerk.demo.people import create_customers, create_staff, plan_customers
from bestellwerk.demo.plan import plan_orders
from bestellwerk.orders.models import Order

DEFAULT_SEED = 20_240_601
DEFAULT_ORDERS = 3000
DEFAULT_CUSTOMERS = 300
BATCH_SIZE = 250  # orders whose history is backdated together


@dataclass
class DemoSummary:
    products: int
    customers: int
    coupons: int
    orders: int
    by_status: dict[str, int]
    seconds: float


def demo_data_present() -> bool:
    """Whether the shop has orders or products already (the demo goes into an empty shop)."""
    return Order.objects.exists() or Product.objects.exists()


def seed_demo_shop(
    *,
    orders: int = DEFAULT_ORDERS,
    customers: int = DEFAULT_CUSTOMERS,
    seed: int = DEFAULT_SEED,
    password: str = "bestellwerk",
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Fill an empty shop with the demo: catalogue, customers, coupons, staff and orders."""
    if demo_data_present():
        raise ServiceError(
            "not_empty",
            "The demo shop only goes into an empty database (it has orders or products).",
        )
    # One generator for the whole run, drawn from in a fixed order (customers, orders, stock,
    # then each batch's writing and backdating): reordering the steps changes a seed's shop.
    rng = random.Random(seed)
    now = timezone.localtime().replace(second=0, microsecond=0)
    report = progress or (lambda message: None)
    started = timezone.now()
    # The history is not news: nothing is queued; events are marked dispatched when backdated.
    # One transaction: an interrupted demo leaves an empty shop, seeded again next start.
    with (
        override_settings(
            TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
        ),
        transaction.atomic(),
    ):
        staff = create_staff(password)
        people = plan_customers(rng, max(1, customers))
        plans = plan_orders(rng, now=now, count=orders, customers=people)
        products = create_products(rng, now=now, plans=plans, admin=staff["admin"])
        coupons = create_coupons(now)
        customer_ids = create_customers(people)
        writer = OrderWriter(rng, staff=staff, customer_ids=customer_ids)
        for start in range(0, len(plans), BATCH_SIZE):
            batch = plans[start : start + BATCH_SIZE]
            numbers = [writer.write(plan) for plan in batch]
            backdate_orders(rng, now=now, plans=batch, numbers=numbers)
            report(f"{start + len(batch)} / {len(plans)} orders")
        backdate_customers(now=now, plans=plans, customer_ids=customer_ids)
    return DemoSummary(
        products=len(products),
        customers=len(customer_ids),
        coupons=coupons,
        orders=len(plans),
        by_status=dict(Tally(plan.status for plan in plans)),
        seconds=(timezone.now() - started).total_seconds(),
    )


# The amounts a run produced, for checking that a seed repeats itself.
def demo_fingerprint() -> list[tuple[Any, ...]]:
    """The demo's orders in number order (not the numbers: on PostgreSQL they come from a
    sequence, which a rolled-back seed does not rewind)."""
    return list(
        Order.objects.order_by("number").values_list(
            "status", "payment_status", "channel", "total", "customer__email"
        )
    )
