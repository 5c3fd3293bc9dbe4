"""The list's status tabs count from per-status counters the database keeps (triggers), and
filtered tabs count up to a cap: the numbers must be the orders' true counts."""

from collections import Counter

import pytest
from django.db import connection

from bestellwerk.orders import selectors
from bestellwerk.orders.inputs import LineInput
from bestellwerk.orders.models import Order, OrderStatus
from bestellwerk.orders.selectors import OrderFilters, count_orders_by_status
from bestellwerk.orders.services import create_order, set_order_status


def true_counts() -> dict[str, int]:
    counts = Counter(Order.objects.values_list("status", flat=True))
    return {status: counts.get(status, 0) for status in OrderStatus.values}


@pytest.fixture
def mixed_orders(actor, coffee, billing) -> list[Order]:
    def order(status: str, last_name: str) -> Order:
        return create_order(
            actor=actor,
            status=status,
            billing_address={**billing, "last_name": last_name},
            lines=[LineInput(quantity=1, sku=coffee.sku)],
        )

    return [
        order(OrderStatus.PENDING, "Fuchs"),
        order(OrderStatus.PENDING, "Müller"),
        order(OrderStatus.PROCESSING, "Fuchs"),
        order(OrderStatus.DRAFT, "Fuchs"),
    ]


def test_the_counters_follow_creation_status_changes_and_deletion(actor, mixed_orders):
    first, second, third, _draft = mixed_orders
    set_order_status(number=first.number, status=OrderStatus.PROCESSING, actor=actor)
    set_order_status(number=third.number, status=OrderStatus.CANCELLED, actor=actor)
    Order.objects.filter(pk=second.pk).delete()

    counts = count_orders_by_status(OrderFilters())

    assert counts.counts == true_counts()
    assert counts.counts[OrderStatus.PROCESSING] == 1
    assert counts.counts[OrderStatus.DRAFT] == 1
    assert counts.at_least == frozenset()


def test_the_unfiltered_tabs_read_the_counters_not_the_orders(
    mixed_orders, django_assert_num_queries
):
    with django_assert_num_queries(1):
        count_orders_by_status(OrderFilters(status=[OrderStatus.PENDING]))


def test_filtered_tabs_count_the_matching_orders_exactly_below_the_cap(mixed_orders):
    counts = count_orders_by_status(OrderFilters(q="fuchs"))

    assert counts.counts[OrderStatus.PENDING] == 1
    assert counts.counts[OrderStatus.PROCESSING] == 1
    assert counts.at_least == frozenset()


def test_filtered_tabs_over_the_cap_are_bounded_or_estimated(mixed_orders, monkeypatch):
    monkeypatch.setattr(selectors, "STATUS_COUNT_CAP", 1)

    counts = count_orders_by_status(OrderFilters(q="e"))

    if connection.vendor == "postgresql":
        # the planner estimates every status instead of counting a million rows
        assert counts.estimated == frozenset(OrderStatus.values) - {OrderStatus.DRAFT}
        assert all(n >= 0 for n in counts.counts.values())
    else:
        # SQLite counts each status up to the cap: more than 1 pending, exactly 1 processing
        assert counts.counts[OrderStatus.PENDING] == 1
        assert counts.at_least == {OrderStatus.PENDING}
        assert counts.counts[OrderStatus.PROCESSING] == 1
    assert counts.counts[OrderStatus.DRAFT] == 1


def test_the_list_marks_counts_that_are_not_exact(mixed_orders, sales_client, monkeypatch):
    monkeypatch.setattr(selectors, "STATUS_COUNT_CAP", 1)

    response = sales_client.get("/orders/", {"q": "e"})

    tabs = {tab.status: tab for tab in response.context["status_tabs"]}
    if connection.vendor == "postgresql":
        assert tabs[OrderStatus.PENDING].precision == "estimated"
        assert 'title="Geschätzt">≈ ' in response.text
        assert "Alle Bestellungen zum Filter (etwa " in response.text
    else:
        assert tabs[OrderStatus.PENDING].precision == "at_least"
        assert ">1+</span>" in response.text
        # pending: more than 1; processing: 1
        assert "Alle Bestellungen zum Filter (mehr als 2)" in response.text


def test_unfiltered_tabs_are_exact(mixed_orders, sales_client):
    response = sales_client.get("/orders/")

    assert all(tab.precision == "" for tab in response.context["status_tabs"])
    assert "≈" not in response.text
