"""Tag filters: every tag must match, on both databases. On PostgreSQL the filter reads the
orders' `tag_ids` arrays, which triggers keep equal to the order–tag rows however tags come
and go (services, bulk changes, a tag deleted, rows written without the ORM)."""

import pytest
from django.db import connection

from bestellwerk.core.models import Tag
from bestellwerk.orders.inputs import LineInput
from bestellwerk.orders.models import Order
from bestellwerk.orders.selectors import OrderFilters, count_orders_by_status, filter_orders
from bestellwerk.orders.services import change_order_tags, create_order
from tests.conftest import requires_postgres


@pytest.fixture
def tagged(actor, coffee, billing) -> dict[str, int]:
    def order(tags: list[str]) -> int:
        return create_order(
            actor=actor,
            billing_address=billing,
            lines=[LineInput(quantity=1, sku=coffee.sku)],
            tags=tags,
        ).number

    return {
        "vip": order(["VIP"]),
        "vip+messe": order(["VIP", "Messe"]),
        "messe": order(["messe"]),
        "none": order([]),
    }


def found(filters: OrderFilters, numbers: dict[str, int]) -> set[str]:
    by_number = {number: key for key, number in numbers.items()}
    return {by_number[n] for n in filter_orders(filters).values_list("number", flat=True)}


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (["VIP"], {"vip", "vip+messe"}),
        (["vip", "MESSE"], {"vip+messe"}),
        (["Messe"], {"vip+messe", "messe"}),
        (["VIP", "Unbekannt"], set()),
    ],
)
def test_every_named_tag_must_match(tagged, tags, expected):
    assert found(OrderFilters(tag=tags), tagged) == expected


def test_tags_follow_changes_and_count_in_the_tabs(actor, tagged):
    change_order_tags(number=tagged["none"], actor=actor, add=["VIP"])
    change_order_tags(number=tagged["vip"], actor=actor, remove=["VIP"], add=["Messe"])

    assert found(OrderFilters(tag=["VIP"]), tagged) == {"vip+messe", "none"}
    counts = count_orders_by_status(OrderFilters(tag=["VIP"], q="erika"))
    assert counts.counts["pending"] == 2


def _arrays_match_rows() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) FROM orders_order o WHERE o.tag_ids IS DISTINCT FROM ARRAY(
                SELECT tag_id FROM orders_order_tags t WHERE t.order_id = o.id ORDER BY tag_id
            )::bigint[]"""
        )
        return cursor.fetchone()[0] == 0


@requires_postgres
def test_the_tag_arrays_equal_the_order_tag_rows_whatever_writes_them(actor, tagged):
    # given tags added and removed by services, in bulk through the ORM, and by raw rows
    change_order_tags(number=tagged["messe"], actor=actor, add=["Eilig", "VIP"])
    through = Order.tags.through
    eilig = Tag.objects.get(name="Eilig")
    through.objects.bulk_create(
        [
            through(order_id=Order.objects.get(number=n).pk, tag_id=eilig.pk)
            for n in (tagged["vip"], tagged["none"])
        ]
    )
    through.objects.filter(tag__name="Messe", order__number=tagged["vip+messe"]).delete()
    # when a tag is deleted altogether
    Tag.objects.filter(name="VIP").delete()

    # then every order's array is exactly its rows, and the filter agrees
    assert _arrays_match_rows()
    assert found(OrderFilters(tag=["Eilig"]), tagged) == {"vip", "messe", "none"}
    assert found(OrderFilters(tag=["Messe"]), tagged) == {"messe"}
