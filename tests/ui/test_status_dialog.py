"""The status dialog of the order page: it proposes the way forward, never a way back,
offers only the moves the user's role may make, and asks about restocking without a default."""

import re

import pytest

from bestellwerk.orders.models import Order, OrderStatus
from bestellwerk.orders.services import set_order_status

HX = {"HTTP_HX_REQUEST": "true"}
OPTION = re.compile(r'<option value="(\w*)"(?: data-effect="(\w+)")?( selected)?>')

# How each status is reached from pending (the order fixture's status).
PATHS: dict[str, tuple[str, ...]] = {
    OrderStatus.PENDING: (),
    OrderStatus.PROCESSING: (OrderStatus.PROCESSING,),
    OrderStatus.ON_HOLD: (OrderStatus.ON_HOLD,),
    OrderStatus.SHIPPED: (OrderStatus.SHIPPED,),
    OrderStatus.COMPLETED: (OrderStatus.SHIPPED, OrderStatus.COMPLETED),
    OrderStatus.CANCELLED: (OrderStatus.CANCELLED,),
}


def dialog_of(client, order: Order) -> str:
    html = client.get(f"/orders/{order.number}/").content.decode()
    if 'id="status-dialog"' not in html:
        return ""
    return html[html.index('id="status-dialog"') : html.index("</dialog>")]


def offered(dialog: str) -> list[str]:
    return [value for value, _effect, _selected in OPTION.findall(dialog) if value]


def proposed(dialog: str) -> str | None:
    """The status selected when the dialog opens ("" for the "please choose" entry)."""
    chosen = [value for value, _effect, selected in OPTION.findall(dialog) if selected]
    assert len(chosen) <= 1, chosen
    return chosen[0] if chosen else None


@pytest.fixture
def order_in(actor, order):
    def move(status: str) -> Order:
        for step in PATHS[status]:
            set_order_status(number=order.number, status=step, actor=actor)
        order.refresh_from_db()
        return order

    return move


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (OrderStatus.PENDING, OrderStatus.PROCESSING),
        (OrderStatus.ON_HOLD, OrderStatus.PROCESSING),
        (OrderStatus.PROCESSING, OrderStatus.SHIPPED),
        (OrderStatus.SHIPPED, OrderStatus.COMPLETED),
    ],
)
def test_the_next_step_forward_is_proposed(sales_client, order_in, status, expected):
    # given an order on its way through fulfilment
    order = order_in(status)

    # when sales staff open its status dialog
    dialog = dialog_of(sales_client, order)

    # then the next status forward is selected, and no "please choose" entry is needed
    assert proposed(dialog) == expected
    assert 'value=""' not in dialog


@pytest.mark.parametrize("status", [OrderStatus.COMPLETED, OrderStatus.CANCELLED])
def test_without_a_way_forward_nothing_is_proposed(sales_client, order_in, status):
    # given a completed or a cancelled order (only moves back or reopening are left)
    order = order_in(status)

    # when the dialog opens
    dialog = dialog_of(sales_client, order)

    # then the user must choose: "please choose" is selected and the select is required
    assert proposed(dialog) == ""
    assert "— bitte wählen —" in dialog
    assert "data-status-select required" in dialog
    assert offered(dialog)


def test_a_move_back_is_offered_but_never_proposed(sales_client, order_in):
    # given a processing order that holds stock
    order = order_in(OrderStatus.PROCESSING)

    # when the dialog opens
    dialog = dialog_of(sales_client, order)

    # then going back to pending or cancelling restocks and is offered, not selected
    options = {value: (effect, selected) for value, effect, selected in OPTION.findall(dialog)}
    assert options["pending"] == ("restock", "")
    assert options["cancelled"] == ("restock", "")
    assert proposed(dialog) == "shipped"


def test_restocking_asks_yes_or_no_without_a_default(sales_client, order_in):
    order = order_in(OrderStatus.PROCESSING)

    dialog = dialog_of(sales_client, order)

    restock = dialog[dialog.index('data-effect-panel="restock"') :]
    restock = restock[: restock.index('data-effect-panel="none"')]
    radios = re.findall(r'<input[^>]*type="radio"[^>]*>', restock)
    assert len(radios) == 2
    assert all("required" in radio and "checked" not in radio for radio in radios)
    assert "Ware zurück in den Bestand buchen?" in restock
    # while deducting keeps its default "yes"
    assert 'name="adjust_stock" value="1" id="adjust-stock" checked' in dialog


def test_choosing_no_on_a_restocking_move_leaves_the_stock(sales_client, order_in, coffee):
    order = order_in(OrderStatus.PROCESSING)
    coffee.refresh_from_db()
    held_stock = coffee.stock_quantity

    sales_client.post(
        f"/orders/{order.number}/status",
        {"version": order.version, "status": "cancelled", "adjust_stock": "0"},
        **HX,
    )

    order.refresh_from_db()
    coffee.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert coffee.stock_quantity == held_stock


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (OrderStatus.PENDING, ["processing", "on_hold", "shipped", "completed"]),
        (OrderStatus.PROCESSING, ["on_hold", "shipped", "completed"]),
        (OrderStatus.ON_HOLD, ["processing", "shipped", "completed"]),
        (OrderStatus.SHIPPED, ["completed"]),
    ],
)
def test_the_warehouse_is_offered_fulfilment_moves_only(
    warehouse_client, order_in, status, expected
):
    # given an order the warehouse works on
    order = order_in(status)

    # when the warehouse opens the status dialog
    dialog = dialog_of(warehouse_client, order)

    # then neither cancelling nor going back to pending is offered
    assert offered(dialog) == expected
    assert "Storniert" not in dialog and "Ausstehend" not in dialog


def test_the_warehouse_gets_no_dialog_for_a_cancelled_order(warehouse_client, order_in):
    order = order_in(OrderStatus.CANCELLED)

    html = warehouse_client.get(f"/orders/{order.number}/").content.decode()

    assert 'id="status-dialog"' not in html and "Status ändern…" not in html


def test_sales_may_cancel_what_the_warehouse_may_not(sales_client, order_in):
    order = order_in(OrderStatus.PROCESSING)

    assert "cancelled" in offered(dialog_of(sales_client, order))
    assert "pending" in offered(dialog_of(sales_client, order))


def test_the_warehouse_posting_a_cancellation_is_refused(warehouse_client, order_in):
    # given a processing order
    order = order_in(OrderStatus.PROCESSING)

    # when the warehouse posts a cancellation anyway (a crafted request)
    response = warehouse_client.post(
        f"/orders/{order.number}/status",
        {"version": order.version, "status": "cancelled", "adjust_stock": "1"},
        **HX,
    )

    # then the service refuses it inside the dialog and nothing changes
    assert "Ihre Rolle darf das nicht." in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.PROCESSING


def test_a_draft_is_placed_as_pending_by_default(sales_client, actor):
    from bestellwerk.orders.services import create_order

    draft = create_order(actor=actor, status=OrderStatus.DRAFT)

    dialog = dialog_of(sales_client, draft)

    assert proposed(dialog) == "pending"
    assert offered(dialog) == ["pending", "processing", "on_hold", "shipped", "completed"]
