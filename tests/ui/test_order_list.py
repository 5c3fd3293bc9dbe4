"""The order list: roles, every filter, sorting, paging, status tabs, htmx and query counts."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from bestellwerk.orders.inputs import LineInput
from bestellwerk.orders.models import Channel, OrderStatus, PaymentStatus
from tests.api.test_cursors import FORGED


def numbers_in(response) -> set[int]:
    """The order numbers of the rows the page shows."""
    return {int(number) for number in re.findall(r'<tr data-order="(\d+)"', response.text)}


def test_every_role_sees_the_order_list(admin_client_ui, sales_client, warehouse_client, order):
    for client in (admin_client_ui, sales_client, warehouse_client):
        response = client.get("/orders/")

        assert response.status_code == 200
        assert f'data-order="{order.number}"' in response.text


def test_only_roles_that_edit_orders_see_the_new_order_button(sales_client, warehouse_client):
    assert 'action="/orders/new/"' in sales_client.get("/orders/").text
    assert 'action="/orders/new/"' not in warehouse_client.get("/orders/").text


def test_a_row_shows_every_column(sales_client, make_order, sales_user):
    # given
    order = make_order(
        tags=["VIP"], assignee="sam", lead_source="google", payment_status=PaymentStatus.PAID
    )

    # when
    page = sales_client.get("/orders/").text

    # then
    row = page.split(f'data-order="{order.number}"')[1].split("</tr>")[0]
    assert f'href="/orders/{order.number}/"' in row
    assert "Mustermann" in row
    assert "14,80 EUR" in row  # 9.90 mug + 4.90 shipping, German number format
    assert 'data-payment-status="paid"' in row and "Bezahlt" in row
    assert 'data-status="pending"' in row and "Ausstehend" in row
    assert "Rechnung" in row
    assert "Standardversand" in row
    assert "VIP" in row
    assert "sam" in row
    assert "Google" in row


@pytest.fixture
def varied_orders(make_order, sales_user, coffee):
    """Six orders that differ in one filterable field each."""
    now = timezone.now()
    return {
        "plain": make_order(),
        "paid_express": make_order(
            email="max@example.de",
            last_name="Schmidt",
            payment_status=PaymentStatus.PAID,
            shipping_method="express",
            payment_method="prepayment",
        ),
        "tagged_assigned": make_order(
            email="lena@example.de", last_name="Weber", tags=["VIP", "Messe"], assignee="sam"
        ),
        "web_google": make_order(
            email="otto@example.de",
            last_name="Fischer",
            channel=Channel.WEB,
            lead_source="google",
        ),
        "big_processing": make_order(
            email="ida@example.de",
            last_name="Becker",
            status=OrderStatus.PROCESSING,
            lines=[LineInput(quantity=5, sku=coffee.sku)],
        ),
        "old": make_order(
            email="old@example.de", last_name="Alt", created_at=now - timedelta(days=40)
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=schmidt", {"paid_express"}),
        ("q=max%40example", {"paid_express"}),
        ("status=processing", {"big_processing"}),
        ("status=processing&status=pending", "all"),
        ("payment_status=paid", {"paid_express"}),
        ("payment_method=prepayment", {"paid_express"}),
        ("shipping_method=express", {"paid_express"}),
        ("tag=vip", {"tagged_assigned"}),
        ("tag=VIP,Messe", {"tagged_assigned"}),
        ("tag=VIP,unknown", set()),
        ("assignee=sam", {"tagged_assigned"}),
        ("assignee=none", "all_but:tagged_assigned"),
        ("lead_source=google", {"web_google"}),
        ("channel=web", {"web_google"}),
        ("total_min=50", {"big_processing"}),
        ("total_max=14.80", "all_but:big_processing,paid_express"),
        ("total_min=20&total_max=30", {"paid_express"}),
    ],
)
def test_each_filter_shows_the_right_rows(sales_client, varied_orders, query, expected):
    if expected == "all":
        expected = set(varied_orders)
    elif isinstance(expected, str):
        expected = set(varied_orders) - set(expected.split(":")[1].split(","))

    response = sales_client.get(f"/orders/?{query}")

    assert response.status_code == 200
    assert numbers_in(response) == {varied_orders[name].number for name in expected}


def test_created_date_filters(sales_client, varied_orders):
    today = timezone.localdate()
    week_ago = (today - timedelta(days=7)).isoformat()

    recent = sales_client.get(f"/orders/?created_from={week_ago}")
    old = sales_client.get(f"/orders/?created_to={week_ago}")

    assert varied_orders["old"].number not in numbers_in(recent)
    assert numbers_in(old) == {varied_orders["old"].number}


def test_customer_filter_names_the_customer(sales_client, varied_orders):
    customer = varied_orders["paid_express"].customer

    response = sales_client.get(f"/orders/?customer={customer.pk}")

    assert numbers_in(response) == {varied_orders["paid_express"].number}
    assert f'href="/customers/{customer.pk}/"' in response.text


def test_drafts_only_on_their_own_tab(sales_client, make_order, varied_orders):
    draft = make_order(status=OrderStatus.DRAFT)

    assert draft.number not in numbers_in(sales_client.get("/orders/"))
    assert numbers_in(sales_client.get("/orders/?status=draft")) == {draft.number}


def test_status_tabs_count_per_status_under_the_other_filters(sales_client, varied_orders):
    response = sales_client.get("/orders/?payment_method=invoice")

    tabs = {tab.status: tab.count for tab in response.context["status_tabs"]}
    assert tabs[""] == 5  # every invoice order but the prepaid one
    assert tabs["pending"] == 4
    assert tabs["processing"] == 1
    assert tabs["shipped"] == 0
    assert response.context["matching_count"] == 5


def test_sorting_by_total_and_number(sales_client, varied_orders):
    by_total = sales_client.get("/orders/?sort=-total").context["orders"]
    by_number = sales_client.get("/orders/?sort=number").context["orders"]

    assert by_total[0].number == varied_orders["big_processing"].number
    assert [o.number for o in by_number] == sorted(o.number for o in varied_orders.values())


def test_cursor_paging_walks_every_order_once(sales_client, make_order):
    # given
    created = {make_order().number for _ in range(30)}

    # when
    first = sales_client.get("/orders/?limit=25&sort=number")
    cursor = first.context["next_cursor"]
    second = sales_client.get(f"/orders/?limit=25&sort=number&cursor={cursor}")

    # then
    assert len(first.context["orders"]) == 25
    assert 'rel="next"' in first.text
    assert len(second.context["orders"]) == 5
    assert second.context["next_cursor"] is None
    assert numbers_in(first) | numbers_in(second) == created
    assert "Erste Seite" in second.text


def test_htmx_request_renders_only_the_results(sales_client, varied_orders):
    response = sales_client.get("/orders/?q=weber", headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="order-results"')
    assert "navbar" not in response.text
    assert numbers_in(response) == {varied_orders["tagged_assigned"].number}


def test_bad_filter_input_is_explained_not_a_crash(sales_client, varied_orders):
    response = sales_client.get("/orders/?total_min=abc&status=bogus")

    assert response.status_code == 200
    assert "alert-danger" in response.text
    assert response.context["orders"] == []


def test_broken_cursor_is_explained(sales_client, varied_orders):
    response = sales_client.get("/orders/?cursor=not-a-cursor")

    assert response.status_code == 200
    assert "Dieser Seitenlink ist nicht mehr gültig" in response.text
    assert response.context["orders"] == []


@pytest.mark.parametrize("cursor", FORGED)
def test_a_forged_cursor_is_explained_not_a_500(sales_client, varied_orders, cursor):
    response = sales_client.get(f"/orders/?cursor={cursor}")

    assert response.status_code == 200
    assert "Dieser Seitenlink ist nicht mehr gültig" in response.text


def test_reset_link_appears_only_with_filters(sales_client, varied_orders):
    assert "Filter zurücksetzen" not in sales_client.get("/orders/").text
    assert "Filter zurücksetzen" in sales_client.get("/orders/?q=x").text


def test_labels_follow_the_users_language(sales_client, sales_user, varied_orders):
    sales_user.language = "en"
    sales_user.save()

    page = sales_client.get("/orders/").text

    assert "New order" in page
    assert "Invoice" in page
    assert "Neue Bestellung" not in page


@pytest.mark.parametrize("count", [5, 50])
def test_list_renders_in_a_fixed_number_of_queries(
    sales_client, make_order, django_assert_num_queries, count
):
    """Session, user, the active users (assignee choices), the status counters, the page of
    orders, its tags, the tag suggestions: 7, at any size (methods and lead sources, for the
    filter panel and the cells, are read once per process)."""
    for _ in range(count):
        make_order(tags=["VIP"], assignee="sam", lead_source="google")

    sales_client.get("/orders/?limit=1")
    with django_assert_num_queries(LIST_PAGE_QUERIES):
        response = sales_client.get("/orders/?limit=50")

    assert len(response.context["orders"]) == count


LIST_PAGE_QUERIES = 7
# A filter adds one: its orders counted per status (up to the cap).
FILTERED_LIST_PAGE_QUERIES = LIST_PAGE_QUERIES + 1


# --------------------------------------------------------------------------- open amount


@pytest.fixture
def balances(make_order, actor, mug):
    """Three orders of 14.80 (mug + shipping): one owing 4.80, one settled, one with 9.90 to
    give back (paid, then the mug's quantity lowered from 2 to 1)."""
    from bestellwerk.orders.services import set_order_lines
    from bestellwerk.payments.services import record_manual_payment

    due = make_order()
    record_manual_payment(number=due.number, actor=actor, amount="10.00")
    settled = make_order(payment_status=PaymentStatus.PAID)
    refund_due = make_order(lines=[LineInput(quantity=2, sku=mug.sku)], payment_status="paid")
    set_order_lines(
        number=refund_due.number, lines=[LineInput(quantity=1, sku=mug.sku)], actor=actor
    )
    return {"due": due, "settled": settled, "refund_due": refund_due}


def test_the_open_amount_column_tells_owed_from_owed_back(sales_client, balances):
    # given an order owing money, a settled one and one with money to give back
    # when the list is shown
    page = sales_client.get("/orders/").text

    # then each row shows its balance, marked by direction
    def cell(name: str) -> str:
        return page.split(f'data-order="{balances[name].number}"')[1].split("</tr>")[0]

    assert "Offener Betrag" in page
    assert 'data-balance="due">4,80 EUR<' in cell("due")
    assert 'data-balance="settled">0,00 EUR<' in cell("settled")
    assert 'data-balance="refund_due">−9,90 EUR' in cell("refund_due")
    assert "zu erstatten" in cell("refund_due")


@pytest.mark.parametrize("balance", ["due", "refund_due", "settled"])
def test_the_open_amount_filter(sales_client, balances, balance):
    response = sales_client.get(f"/orders/?balance={balance}")

    assert numbers_in(response) == {balances[balance].number}
    assert f'<option value="{balance}" selected>' in response.text


def test_an_unknown_open_amount_filter_is_explained(sales_client, balances):
    response = sales_client.get("/orders/?balance=everything")

    assert response.status_code == 200
    assert numbers_in(response) == set()
    assert "Bitte korrigieren Sie die Filter." in response.text


def test_the_open_amount_filter_keeps_the_list_at_its_queries(
    sales_client, balances, django_assert_num_queries
):
    sales_client.get("/orders/?limit=1")
    with django_assert_num_queries(FILTERED_LIST_PAGE_QUERIES):
        response = sales_client.get("/orders/?balance=due&limit=50")

    assert len(response.context["orders"]) == 1
