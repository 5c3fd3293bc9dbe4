"""GET /orders: every filter, every sort paged through with cursors, a fixed number of queries."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bestellwerk.catalog.services import create_product
from bestellwerk.orders.inputs import LineInput
from bestellwerk.orders.models import Order
from bestellwerk.orders.services import add_shipment, create_order
from bestellwerk.payments.services import set_payment_status
from tests.api.conftest import send

BERLIN = ZoneInfo("Europe/Berlin")


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=BERLIN)


@pytest.fixture
def voucher(actor):
    """A product without stock tracking, so orders of any status can be made freely."""
    return create_product(
        sku="GUT-1", name="Gutschein", price="10.00", vat_rate="19", track_stock=False, actor=actor
    )


def make_order(actor, voucher, *, quantity=1, **values) -> Order:
    return create_order(
        actor=actor, lines=[LineInput(quantity=quantity, sku=voucher.sku)], **values
    )


@pytest.fixture
def orders(actor, voucher, billing, sales_user, admin_user) -> dict[str, int]:
    """Five orders and a draft that differ in every filtered field; name → number."""
    made = {
        "web": make_order(
            actor,
            voucher,
            billing_address=billing,
            channel="web",
            payment_method="invoice",
            shipping_method="standard",
            tags=["VIP"],
            assignee="sam",
            lead_source="google",
            created_at=at(1, 10),
        ),
        "phone": make_order(
            actor,
            voucher,
            quantity=3,
            billing_address={
                "first_name": "Hans",
                "last_name": "Hinz",
                "company": "Hinz & Kunz GmbH",
                "email": "hans@hinz.example",
                "phone": "+49 89 555",
            },
            status="processing",
            channel="manual",
            payment_method="prepayment",
            shipping_method="express",
            tags=["VIP", "Eilig"],
            lead_source="referral",
            created_at=at(2, 15),
        ),
        "shop": make_order(
            actor,
            voucher,
            quantity=5,
            status="completed",
            channel="pos",
            payment_method="cash",
            shipping_method="pickup",
            assignee="anna",
            created_at=at(3, 20),
        ),
        "app": make_order(
            actor,
            voucher,
            quantity=2,
            channel="api",
            payment_method="paypal",
            shipping_method="standard",
            tags=["Eilig"],
            created_at=at(3, 21),
        ),
        "draft": make_order(actor, voucher, status="draft", created_at=at(3, 22)),
    }
    add_shipment(number=made["phone"].number, actor=actor, carrier="dhl", tracking_code="JJD0099")
    set_payment_status(number=made["phone"].number, payment_status="paid", actor=actor)
    return {name: order.number for name, order in made.items()}


def listed(client, query: str) -> list[int]:
    response = send(client, "GET", f"/orders?{query}")
    assert response.status_code == 200, response.content
    return [item["number"] for item in response.json()["items"]]


FILTER_CASES = [
    ("", {"web", "phone", "shop", "app"}),
    ("status=draft", {"draft"}),
    ("status=pending", {"web", "app"}),
    ("status=pending&status=completed", {"web", "app", "shop"}),
    ("payment_status=paid", {"phone"}),
    ("payment_status=unpaid&payment_status=paid", {"web", "phone", "shop", "app"}),
    ("payment_method=cash", {"shop"}),
    ("shipping_method=standard", {"web", "app"}),
    ("tag=VIP", {"web", "phone"}),
    ("tag=vip&tag=Eilig", {"phone"}),
    ("assignee=sam", {"web"}),
    ("assignee=none", {"phone", "app"}),
    ("lead_source=referral", {"phone"}),
    ("channel=pos", {"shop"}),
    ("total_min=30.00", {"phone", "shop"}),
    ("total_max=24.90", {"web", "app"}),
    ("total_min=20&total_max=45.00", {"phone", "app"}),
    ("created_from=2026-02-15", {"phone", "shop", "app"}),
    ("created_to=2026-03-20", {"web", "phone", "shop"}),
    ("created_from=2026-02-01&created_to=2026-02-28", {"phone"}),
    ("q=hinz", {"phone"}),
    ("q=HINZ %26 KUNZ", {"phone"}),
    ("q=89 555", {"phone"}),
    ("q=erika@example", {"web"}),
    ("q=jjd0099", {"phone"}),
    ("q=gut-1", {"web", "phone", "shop", "app"}),
    ("channel=web&tag=VIP&assignee=sam&payment_method=invoice", {"web"}),
    ("channel=web&tag=Eilig", set()),
]


@pytest.mark.parametrize(("query", "expected"), FILTER_CASES)
def test_filters(admin_api, orders, query, expected):
    assert set(listed(admin_api, query)) == {orders[name] for name in expected}


def test_filter_by_number_and_customer(admin_api, orders):
    assert listed(admin_api, f"number={orders['shop']}") == [orders["shop"]]
    customer_id = Order.objects.get(number=orders["web"]).customer_id
    assert listed(admin_api, f"customer={customer_id}") == [orders["web"]]
    assert listed(admin_api, f"q={orders['app']}") == [orders["app"]]


def test_default_sort_is_newest_first(admin_api, orders):
    assert listed(admin_api, "") == [orders[n] for n in ("app", "shop", "phone", "web")]


@pytest.fixture
def many_orders(actor, voucher) -> None:
    """Thirteen orders with repeated totals and repeated creation times (ties to break)."""
    for index in range(13):
        make_order(actor, voucher, quantity=1 + index % 3, created_at=at(1, 1 + index % 4))


def expected_order(sort: str) -> list[int]:
    key = {"created": "created_at", "total": "total", "number": "number"}[sort.lstrip("-")]
    prefix = "-" if sort.startswith("-") else ""
    return list(
        Order.objects.exclude(status="draft")
        .order_by(f"{prefix}{key}", f"{prefix}pk")
        .values_list("number", flat=True)
    )


@pytest.mark.parametrize("sort", ["created", "-created", "total", "-total", "number", "-number"])
def test_cursor_pages_through_everything_once_for_each_sort(admin_api, many_orders, sort):
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        query = f"sort={sort}&limit=4" + (f"&cursor={cursor}" if cursor else "")
        page = send(admin_api, "GET", f"/orders?{query}").json()
        assert len(page["items"]) <= 4
        seen += [item["number"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 4
    assert seen == expected_order(sort)
    if sort.lstrip("-") == "total":
        totals = [Order.objects.get(number=n).total for n in seen]
        assert totals == sorted(totals, reverse=sort.startswith("-"))
        assert len(set(totals)) == 3


def test_cursor_keeps_the_filters(admin_api, orders):
    first = send(admin_api, "GET", "/orders?tag=VIP&limit=1").json()
    second = send(admin_api, "GET", f"/orders?tag=VIP&limit=1&cursor={first['next_cursor']}")
    numbers = [first["items"][0]["number"], second.json()["items"][0]["number"]]
    assert set(numbers) == {orders["web"], orders["phone"]}
    assert second.json()["next_cursor"] is None


def test_list_items_are_summaries_with_money_as_strings(admin_api, orders):
    item = send(admin_api, "GET", f"/orders?number={orders['phone']}").json()["items"][0]
    assert item["totals"]["total"] == "42.90"
    assert item["shipping_method"] == "express"
    assert sorted(item["tags"]) == ["Eilig", "VIP"]
    assert item["customer"]["email"] == "hans@hinz.example"
    assert "lines" not in item


def test_list_takes_a_fixed_number_of_queries(admin_api, actor, voucher, billing, sales_user):
    def add_orders(count: int, offset: int) -> None:
        for index in range(count):
            make_order(
                actor,
                voucher,
                billing_address=billing | {"email": f"k{offset + index}@example.de"},
                tags=["VIP", f"T{index}"],
                assignee="sam",
                lead_source="google",
                payment_method="invoice",
                shipping_method="standard",
            )

    # Given five orders with customer, assignee, tags and methods, the list costs n queries
    add_orders(5, 0)
    listed(admin_api, "limit=1")  # the token's first use of the minute also records it
    with CaptureQueriesContext(connection) as five:
        assert len(listed(admin_api, "limit=200")) == 5
    # When there are fifty
    add_orders(45, 5)
    # Then the list of all fifty costs no more
    with CaptureQueriesContext(connection) as fifty:
        assert len(listed(admin_api, "limit=200")) == 50
    assert len(fifty) == len(five)


def test_list_query_bound_with_pytest_django(
    admin_api, actor, voucher, django_assert_max_num_queries
):
    for index in range(50):
        make_order(actor, voucher, tags=[f"T{index}"], assignee="anna")
    listed(admin_api, "limit=1")  # methods and lead sources are read once per process
    # token lookup, token touch, orders, their tags
    with django_assert_max_num_queries(4):
        assert len(listed(admin_api, "limit=200")) == 50


def test_the_answer_to_a_create_is_the_order_as_read_back(admin_api, voucher, billing):
    """The 201 is built from what the service wrote (no read back): it must say exactly
    what a GET says, money formatting, tags, notes and lines included."""
    body = {
        "status": "processing",
        "billing_address": billing,
        "lines": [
            {"sku": voucher.sku, "quantity": 2},
            {"name": "Gravur", "unit_price": "5", "vat_rate": "19", "quantity": 1},
        ],
        "tags": ["Zeta", "alpha", "VIP"],
        "note": "Bitte als Geschenk verpacken.",
        "payment_method": "invoice",
        "shipping_method": "standard",
    }
    created = admin_api.post("/api/v1/orders", body, content_type="application/json")

    assert created.status_code == 201
    read = admin_api.get(f"/api/v1/orders/{created.json()['number']}")
    assert created.json() == read.json()
