"""Races on PostgreSQL: real threads, real connections, real row locks.

Each thread opens its own connection (Django's are per thread) and closes it at the end.
The tests are transactional so every thread sees what the others committed."""

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection

from bestellwerk.catalog.models import Product, StockMovement, StockReason
from bestellwerk.catalog.services import create_product
from bestellwerk.core.errors import ServiceError
from bestellwerk.core.models import Tag
from bestellwerk.customers.models import Customer
from bestellwerk.orders.inputs import LineInput
from bestellwerk.orders.models import Order
from bestellwerk.orders.services import (
    change_order_tags,
    create_order,
    place_order,
    set_order_status,
)
from bestellwerk.promotions.models import Coupon, CouponRedemption
from bestellwerk.promotions.services import create_coupon
from tests.conftest import requires_postgres

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def race(calls: list[Callable[[], Any]]) -> list[str]:
    """Run every call in its own thread, all released at once; 'ok' or the error code each."""
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> str:
        try:
            start.wait(timeout=30)
            call()
            return "ok"
        except ServiceError as exc:
            return exc.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def customer_billing(i: int) -> dict[str, str]:
    return {"first_name": f"Kunde{i}", "last_name": "Test", "email": f"kunde{i}@example.de"}


@pytest.fixture
def last_units(actor) -> Product:
    return create_product(
        sku="LAST-5", name="Letzte Stücke", price="10.00", stock_quantity=5, actor=actor
    )


def test_twenty_orders_race_for_five_units(actor, last_units):
    # given 20 pending orders, each for 1 unit of a product with 5 in stock
    numbers = [
        create_order(
            actor=actor, billing_address=customer_billing(i), lines=[LineInput(1, sku="LAST-5")]
        ).number
        for i in range(20)
    ]

    # when all 20 move to processing at the same moment
    results = race(
        [lambda n=n: set_order_status(number=n, status="processing", actor=actor) for n in numbers]
    )

    # then exactly 5 get a unit, 15 are refused as short, stock is 0 and never went below
    assert Counter(results) == {"ok": 5, "stock_short": 15}
    assert Product.objects.get(sku="LAST-5").stock_quantity == 0
    deducted = StockMovement.objects.filter(product=last_units, reason=StockReason.ORDER_DEDUCTED)
    assert deducted.count() == 5
    assert sorted(deducted.values_list("quantity_after", flat=True)) == [0, 1, 2, 3, 4]
    assert Order.objects.filter(status="processing", stock_held=True).count() == 5
    assert Order.objects.filter(status="pending", stock_held=False).count() == 15
    # each refused order is untouched: version 1, no stock held on its lines
    assert set(Order.objects.filter(status="pending").values_list("version", flat=True)) == {1}


def test_twenty_new_orders_race_for_five_units(actor, last_units):
    # orders created directly in processing race for the same last units
    results = race(
        [
            lambda i=i: create_order(
                actor=actor,
                status="processing",
                billing_address=customer_billing(i),
                lines=[LineInput(1, sku="LAST-5")],
            )
            for i in range(20)
        ]
    )
    assert Counter(results) == {"ok": 5, "stock_short": 15}
    assert Product.objects.get(sku="LAST-5").stock_quantity == 0
    assert Order.objects.count() == 5
    assert len(set(Order.objects.values_list("number", flat=True))) == 5


def test_two_requests_move_the_same_order_stock_is_deducted_once(actor, last_units):
    # given one pending order for 2 units
    number = create_order(
        actor=actor, billing_address=customer_billing(1), lines=[LineInput(2, sku="LAST-5")]
    ).number
    # when two requests set it to processing at once
    results = race([lambda: set_order_status(number=number, status="processing", actor=actor)] * 2)
    # then both succeed (the second finds it done) and the stock moved once
    assert results == ["ok", "ok"]
    assert Product.objects.get(sku="LAST-5").stock_quantity == 3
    assert StockMovement.objects.filter(order__number=number).count() == 1
    assert Order.objects.get(number=number).version == 2


def test_cancel_and_ship_race_on_one_order_leaves_stock_consistent(actor, last_units):
    # given an order in processing (2 units held)
    number = create_order(
        actor=actor,
        status="processing",
        billing_address=customer_billing(1),
        lines=[LineInput(2, sku="LAST-5")],
    ).number
    # when one request cancels while another moves it back to pending
    race(
        [
            lambda: set_order_status(number=number, status="cancelled", actor=actor),
            lambda: set_order_status(number=number, status="pending", actor=actor),
        ]
    )
    # then whichever won, the stock was given back exactly once
    assert Product.objects.get(sku="LAST-5").stock_quantity == 5
    restocks = StockMovement.objects.filter(
        order__number=number, reason=StockReason.ORDER_RESTOCKED
    )
    assert restocks.count() == 1


def test_a_coupon_for_one_use_is_redeemed_once_by_racing_placements(actor, last_units):
    # given a coupon limited to 1 use and 10 drafts (of different customers) carrying it
    create_coupon(code="EINMAL", kind="percent", value="10", usage_limit=1)
    Product.objects.filter(sku="LAST-5").update(stock_quantity=100)
    numbers = [
        create_order(
            actor=actor,
            status="draft",
            billing_address=customer_billing(i),
            lines=[LineInput(1, sku="LAST-5")],
            coupon_code="EINMAL",
        ).number
        for i in range(10)
    ]
    # when all are placed at once
    results = race([lambda n=n: place_order(number=n, actor=actor) for n in numbers])
    # then exactly one succeeds
    assert Counter(results) == {"ok": 1, "coupon_usage_limit": 9}
    assert Coupon.objects.get(code="EINMAL").times_used == 1
    assert CouponRedemption.objects.count() == 1
    assert Order.objects.exclude(status="draft").count() == 1


def test_a_coupon_for_one_use_is_redeemed_once_by_racing_new_orders(actor, last_units):
    create_coupon(code="EINMAL", kind="fixed", value="1", usage_limit=1)
    results = race(
        [
            lambda i=i: create_order(
                actor=actor,
                billing_address=customer_billing(i),
                lines=[LineInput(1, sku="LAST-5")],
                coupon_code="EINMAL",
            )
            for i in range(10)
        ]
    )
    assert Counter(results) == {"ok": 1, "coupon_usage_limit": 9}
    assert Coupon.objects.get(code="EINMAL").times_used == 1


def test_once_per_customer_holds_under_a_race(actor, last_units):
    # the same customer places 5 orders at once with a once-per-customer coupon
    create_coupon(code="WILLKOMMEN", kind="percent", value="10", usage_limit_per_customer=1)
    results = race(
        [
            lambda: create_order(
                actor=actor,
                billing_address=customer_billing(7),
                lines=[LineInput(1, sku="LAST-5")],
                coupon_code="WILLKOMMEN",
            )
        ]
        * 5
    )
    assert Counter(results) == {"ok": 1, "coupon_usage_limit": 4}
    assert CouponRedemption.objects.count() == 1


def test_racing_first_orders_of_a_new_customer_create_them_once(actor, last_units):
    # given 5 drafts of a customer not known yet
    numbers = [
        create_order(
            actor=actor,
            status="draft",
            billing_address=customer_billing(3),
            lines=[LineInput(1, sku="LAST-5")],
        ).number
        for _ in range(5)
    ]
    # when all are placed at once, then all succeed with one customer
    results = race([lambda n=n: place_order(number=n, actor=actor) for n in numbers])
    assert results == ["ok"] * 5
    assert Customer.objects.count() == 1
    assert set(Order.objects.values_list("customer_id", flat=True)) == {Customer.objects.get().pk}


def test_racing_requests_create_a_new_tag_once_whatever_its_case(actor, last_units):
    # given 6 orders, and a tag nobody has used yet
    numbers = [
        create_order(
            actor=actor, billing_address=customer_billing(i), lines=[LineInput(1, sku="LAST-5")]
        ).number
        for i in range(6)
    ]
    spellings = ["Eilig", "EILIG", "eilig", "eiLig", "EIlig", "eilIG"]
    # when each order gets the tag at the same moment, spelled its own way
    results = race(
        [
            lambda n=n, name=name: change_order_tags(number=n, add=[name], actor=actor)
            for n, name in zip(numbers, spellings, strict=True)
        ]
    )
    # then all succeed and share one tag
    assert results == ["ok"] * 6
    assert Tag.objects.count() == 1
    assert Order.objects.filter(tags__isnull=False).count() == 6
