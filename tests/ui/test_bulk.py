"""Bulk actions on the order list: a summary first, then each order in its own transaction."""

import pytest

from bestellwerk.catalog.models import Product
from bestellwerk.core.actors import Actor
from bestellwerk.orders.inputs import LineInput
from bestellwerk.orders.models import Order, OrderStatus
from bestellwerk.staff.services import bulk_set_order_status


def post_bulk(client, **fields):
    return client.post("/orders/bulk/", fields, follow=True)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def mixed_orders(make_order, coffee):
    """Two pending orders with coffee, one processing (stock held), one draft."""
    return {
        "pending_a": make_order(lines=[LineInput(quantity=2, sku=coffee.sku)]),
        "pending_b": make_order(lines=[LineInput(quantity=3, sku=coffee.sku)]),
        "processing": make_order(status=OrderStatus.PROCESSING),
        "draft": make_order(status=OrderStatus.DRAFT),
    }


def test_status_preview_groups_orders_and_names_the_stock_effect(sales_client, mixed_orders):
    numbers = [order.number for order in mixed_orders.values()]

    response = sales_client.post(
        "/orders/bulk/", {"action": "status", "status": "shipped", "orders": numbers}
    )

    assert response.status_code == 200
    groups = {g.current_status: g for g in response.context["summary"].groups}
    assert groups["pending"].count == 2
    assert (groups["pending"].outcome, groups["pending"].stock) == ("change", "deduct")
    assert (groups["processing"].outcome, groups["processing"].stock) == ("change", "none")
    assert groups["draft"].outcome == "not_allowed"
    assert "Lagerbestand wird abgebucht" in response.text
    assert "nicht erlaubt" in response.text
    # nothing changed yet
    assert Order.objects.filter(status=OrderStatus.SHIPPED).count() == 0


def test_preview_of_a_move_nobody_may_make_disables_confirm(sales_client, make_order):
    refunded_target = make_order()

    response = sales_client.post(
        "/orders/bulk/",
        {"action": "status", "status": "refunded", "orders": [refunded_target.number]},
    )

    assert response.context["summary"].changing == 0
    assert 'type="submit" class="btn btn-primary" disabled' in response.text


def test_confirmed_status_change_deducts_stock_and_reports_refusals(
    sales_client, mixed_orders, coffee
):
    # given: 10 coffee in stock, the pending orders want 2 and 3
    numbers = [order.number for order in mixed_orders.values()]

    # when
    response = post_bulk(
        sales_client,
        action="status",
        status="shipped",
        orders=numbers,
        adjust_stock="on",
        confirm="1",
    )

    # then
    statuses = dict(Order.objects.values_list("number", "status"))
    assert statuses[mixed_orders["pending_a"].number] == "shipped"
    assert statuses[mixed_orders["pending_b"].number] == "shipped"
    assert statuses[mixed_orders["processing"].number] == "shipped"
    assert statuses[mixed_orders["draft"].number] == "draft"
    coffee.refresh_from_db()
    assert coffee.stock_quantity == 5
    texts = messages_of(response)
    assert "3 Bestellungen geändert." in texts
    draft_number = mixed_orders["draft"].number
    assert f"Bestellung {draft_number} wurde nicht geändert: " in " ".join(texts)


def test_status_change_without_stock_adjustment_leaves_stock(sales_client, mixed_orders, coffee):
    post_bulk(
        sales_client,
        action="status",
        status="processing",
        orders=[mixed_orders["pending_a"].number],
        confirm="1",
    )

    coffee.refresh_from_db()
    assert coffee.stock_quantity == 10
    assert Order.objects.get(number=mixed_orders["pending_a"].number).status == "processing"


def test_one_order_short_of_stock_does_not_undo_the_others(admin_user, make_order, coffee):
    # given: the first order takes 8 of 10, the second wants 5 more
    first = make_order(lines=[LineInput(quantity=8, sku=coffee.sku)])
    second = make_order(lines=[LineInput(quantity=5, sku=coffee.sku)])

    # when
    outcome = bulk_set_order_status(
        numbers=[first.number, second.number],
        status="processing",
        actor=Actor.for_user(admin_user),
    )

    # then
    assert outcome.done == [first.number]
    assert [f.number for f in outcome.failed] == [second.number]
    assert outcome.failed[0].code == "stock_short"
    assert Product.objects.get(pk=coffee.pk).stock_quantity == 2
    assert Order.objects.get(number=second.number).status == "pending"


def test_bulk_add_and_remove_tags(sales_client, make_order):
    orders = [make_order(), make_order()]
    numbers = [order.number for order in orders]

    post_bulk(sales_client, action="add_tags", tags="VIP, Messe", orders=numbers, confirm="1")

    for order in orders:
        assert sorted(t.name for t in order.tags.all()) == ["Messe", "VIP"]

    post_bulk(sales_client, action="remove_tags", tags="vip", orders=numbers, confirm="1")

    for order in orders:
        assert [t.name for t in order.tags.all()] == ["Messe"]


def test_bulk_assign_and_unassign(sales_client, make_order, sales_user):
    order = make_order()

    post_bulk(sales_client, action="assign", assignee="sam", orders=[order.number], confirm="1")
    order.refresh_from_db()
    assert order.assignee == sales_user

    post_bulk(sales_client, action="assign", assignee="none", orders=[order.number], confirm="1")
    order.refresh_from_db()
    assert order.assignee is None


def test_all_matching_the_filter_freezes_the_numbers_in_the_preview(sales_client, make_order):
    # given
    tagged = make_order(tags=["Messe"])
    make_order()

    # when: preview for every order tagged "Messe"
    preview = sales_client.post(
        "/orders/bulk/",
        {"action": "add_tags", "tags": "erledigt", "all_matching": "on", "filters": "tag=Messe"},
    )

    # then
    assert preview.context["numbers"] == [tagged.number]
    confirm = post_bulk(
        sales_client,
        action="add_tags",
        tags="erledigt",
        orders=preview.context["numbers"],
        filters="tag=Messe",
        confirm="1",
    )
    assert confirm.redirect_chain[-1][0] == "/orders/?tag=Messe"
    assert Order.objects.filter(tags__name="erledigt").get() == tagged


def test_nothing_selected_is_explained(sales_client, make_order):
    make_order()

    response = post_bulk(sales_client, action="add_tags", tags="x")

    assert "Wählen Sie mindestens eine Bestellung aus." in messages_of(response)


def test_missing_parameters_are_explained(sales_client, make_order):
    order = make_order()

    response = post_bulk(sales_client, action="status", orders=[order.number])

    assert "Wählen Sie den neuen Status." in messages_of(response)


def test_unknown_assignee_is_refused(sales_client, make_order):
    order = make_order()

    response = post_bulk(
        sales_client, action="assign", assignee="ghost", orders=[order.number], confirm="1"
    )

    assert response.redirect_chain[-1][0] == "/orders/"
    assert any("ghost" in text for text in messages_of(response))
    order.refresh_from_db()
    assert order.assignee is None


def test_warehouse_may_change_status_but_not_tags(warehouse_client, make_order):
    order = make_order()

    tags = warehouse_client.post(
        "/orders/bulk/", {"action": "add_tags", "tags": "x", "orders": [order.number]}
    )
    status = warehouse_client.post(
        "/orders/bulk/", {"action": "status", "status": "processing", "orders": [order.number]}
    )

    assert tags.status_code == 403
    assert status.status_code == 200


def test_bulk_needs_post_and_a_session(sales_client, client, make_order):
    assert sales_client.get("/orders/bulk/").status_code == 405
    assert client.post("/orders/bulk/", {"action": "status"}).status_code == 302


def test_stock_refusal_is_shown_in_german_with_the_products_short(sales_client, make_order, coffee):
    # given: 10 coffee in stock, an order wants 11
    order = make_order(lines=[LineInput(quantity=11, sku=coffee.sku)])

    # when
    response = post_bulk(
        sales_client,
        action="status",
        status="processing",
        orders=[order.number],
        adjust_stock="on",
        confirm="1",
    )

    # then
    [text] = messages_of(response)
    assert text.startswith(f"Bestellung {order.number} wurde nicht geändert: ")
    assert "KAF-1" in text
    assert "Not enough" not in text
    order.refresh_from_db()
    assert order.status == "pending"
