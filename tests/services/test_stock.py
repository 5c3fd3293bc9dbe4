"""Stock follows the order status: deducted once when an order starts holding stock,
given back once when it stops, never below zero without backorders."""

import pytest

from bestellwerk.catalog.models import Product, StockMovement, StockReason
from bestellwerk.catalog.services import adjust_product_stock, create_product
from bestellwerk.core.errors import ServiceError
from bestellwerk.orders.inputs import LineInput
from bestellwerk.orders.models import OrderEventType
from bestellwerk.orders.services import (
    create_order,
    place_order,
    set_order_lines,
    set_order_status,
)


def stock(*skus: str) -> dict[str, int]:
    return dict(Product.objects.filter(sku__in=skus).values_list("sku", "stock_quantity"))


def movements(order=None) -> list[tuple[str, int, int, str]]:
    qs = StockMovement.objects.order_by("id")
    if order is not None:
        qs = qs.filter(order=order)
    return list(qs.values_list("product__sku", "delta", "quantity_after", "reason"))


def assert_refused(code, snapshot, call) -> ServiceError:
    before = snapshot()
    with pytest.raises(ServiceError) as exc:
        call()
    assert exc.value.code == code
    assert snapshot() == before
    return exc.value


@pytest.mark.parametrize("status", ["processing", "on_hold", "shipped", "completed"])
def test_crossing_into_a_stock_holding_status_deducts_every_tracked_line(actor, order, status):
    # given a pending order of 2 × coffee (10 in stock) and 1 × mug (5 in stock)
    assert stock("KAF-1", "TAS-1") == {"KAF-1": 10, "TAS-1": 5}
    # when it moves into a status that holds stock
    order = set_order_status(number=order.number, status=status, actor=actor)
    # then stock is taken, one movement per product, and the order knows it holds stock
    assert stock("KAF-1", "TAS-1") == {"KAF-1": 8, "TAS-1": 4}
    assert movements(order) == [
        ("KAF-1", -2, 8, StockReason.ORDER_DEDUCTED),
        ("TAS-1", -1, 4, StockReason.ORDER_DEDUCTED),
    ]
    assert order.stock_held
    assert list(order.lines.values_list("stock_deducted", flat=True)) == [2, 1]
    event = order.events.get(type=OrderEventType.STOCK_DEDUCTED)
    assert event.data["movements"] == [
        {"sku": "KAF-1", "delta": -2, "quantity_after": 8},
        {"sku": "TAS-1", "delta": -1, "quantity_after": 4},
    ]
    movement = StockMovement.objects.filter(order=order).first()
    assert (movement.actor_kind, movement.actor_user) == ("user", actor.user)


@pytest.mark.parametrize("status", ["cancelled", "pending"])
def test_crossing_back_restocks(actor, order, status):
    # given an order in processing (stock deducted)
    set_order_status(number=order.number, status="processing", actor=actor)
    # when it leaves the stock-holding statuses
    order = set_order_status(number=order.number, status=status, actor=actor)
    # then the stock is back, with a restock movement per product
    assert stock("KAF-1", "TAS-1") == {"KAF-1": 10, "TAS-1": 5}
    assert movements(order)[2:] == [
        ("KAF-1", 2, 10, StockReason.ORDER_RESTOCKED),
        ("TAS-1", 1, 5, StockReason.ORDER_RESTOCKED),
    ]
    assert not order.stock_held
    assert list(order.lines.values_list("stock_deducted", flat=True)) == [0, 0]
    assert order.events.filter(type=OrderEventType.STOCK_RESTOCKED).count() == 1


def test_moving_between_holding_statuses_deducts_only_once(actor, order):
    for status in ("processing", "on_hold", "processing", "shipped", "completed"):
        set_order_status(number=order.number, status=status, actor=actor)
    assert stock("KAF-1", "TAS-1") == {"KAF-1": 8, "TAS-1": 4}
    assert len(movements(order)) == 2


def test_each_crossing_counts_once_back_and_forth(actor, order):
    # processing → cancelled → processing → pending: deduct, restock, deduct, restock
    for status in ("processing", "cancelled", "processing"):
        set_order_status(number=order.number, status=status, actor=actor)
    assert stock("KAF-1", "TAS-1") == {"KAF-1": 8, "TAS-1": 4}
    set_order_status(number=order.number, status="pending", actor=actor)
    assert stock("KAF-1", "TAS-1") == {"KAF-1": 10, "TAS-1": 5}
    assert [m[1] for m in movements(order) if m[0] == "KAF-1"] == [-2, 2, -2, 2]


def test_non_holding_moves_leave_stock_alone(actor, order):
    set_order_status(number=order.number, status="cancelled", actor=actor)
    set_order_status(number=order.number, status="pending", actor=actor)
    assert stock("KAF-1", "TAS-1") == {"KAF-1": 10, "TAS-1": 5}
    assert movements(order) == []


def test_setting_the_same_status_changes_nothing(actor, order, snapshot):
    set_order_status(number=order.number, status="processing", actor=actor)
    before = snapshot()
    set_order_status(number=order.number, status="processing", actor=actor)
    assert snapshot() == before


def test_adjust_stock_false_leaves_stock_alone_and_says_so(actor, order):
    # when the order goes to processing without adjusting stock
    order = set_order_status(
        number=order.number, status="processing", actor=actor, adjust_stock=False
    )
    # then stock is untouched and the event records the choice
    assert stock("KAF-1", "TAS-1") == {"KAF-1": 10, "TAS-1": 5}
    assert movements(order) == []
    assert not order.stock_held
    event = order.events.get(type=OrderEventType.STATUS_CHANGED)
    assert event.data["stock"] == "deduct"
    assert event.data["stock_adjusted"] is False
    # and since nothing was taken, cancelling gives nothing back
    set_order_status(number=order.number, status="cancelled", actor=actor)
    assert stock("KAF-1", "TAS-1") == {"KAF-1": 10, "TAS-1": 5}


def test_not_restocking_on_cancel_keeps_the_units_with_the_order(actor, order):
    # given an order whose stock was deducted
    set_order_status(number=order.number, status="processing", actor=actor)
    # when it is cancelled without restocking (the parcel is gone)
    order = set_order_status(
        number=order.number, status="cancelled", actor=actor, adjust_stock=False
    )
    assert stock("KAF-1", "TAS-1") == {"KAF-1": 8, "TAS-1": 4}
    assert (
        order.events.filter(type=OrderEventType.STATUS_CHANGED).last().data["stock_adjusted"]
        is False
    )
    # then the order still holds those units: re-opening does not take them a second time
    order = set_order_status(number=order.number, status="processing", actor=actor)
    assert stock("KAF-1", "TAS-1") == {"KAF-1": 8, "TAS-1": 4}
    assert order.stock_held


def test_placing_in_a_holding_status_deducts(actor, coffee, billing):
    order = create_order(
        actor=actor,
        status="processing",
        billing_address=billing,
        lines=[LineInput(quantity=3, sku=coffee.sku)],
    )
    assert stock("KAF-1") == {"KAF-1": 7}
    assert order.stock_held
    created = order.events.get(type=OrderEventType.CREATED)
    assert created.data["adjust_stock"] is True


def test_placing_a_draft_in_processing_without_adjusting(actor, coffee, billing):
    draft = create_order(
        actor=actor, status="draft", billing_address=billing, lines=[LineInput(3, sku="KAF-1")]
    )
    order = place_order(number=draft.number, status="processing", actor=actor, adjust_stock=False)
    assert stock("KAF-1") == {"KAF-1": 10}
    assert not order.stock_held
    assert order.events.get(type=OrderEventType.CREATED).data["adjust_stock"] is False


def test_backorders_may_go_negative(actor, billing):
    create_product(
        sku="BACK-1",
        name="Nachbestellbar",
        price="5.00",
        stock_quantity=1,
        allow_backorder=True,
        actor=actor,
    )
    order = create_order(
        actor=actor,
        status="processing",
        billing_address=billing,
        lines=[LineInput(3, sku="BACK-1")],
    )
    assert stock("BACK-1") == {"BACK-1": -2}
    assert movements(order) == [("BACK-1", -3, -2, StockReason.ORDER_DEDUCTED)]


def test_stock_short_lists_every_short_sku_and_changes_nothing(
    actor, coffee, mug, billing, snapshot
):
    # given a pending order for 11 coffees (10 in stock) and 6 mugs (5 in stock), plus tea
    order = create_order(
        actor=actor,
        billing_address=billing,
        lines=[LineInput(11, sku="KAF-1"), LineInput(6, sku="TAS-1")],
    )
    # when it should go to processing, then it is refused naming both SKUs
    error = assert_refused(
        "stock_short",
        snapshot,
        lambda: set_order_status(number=order.number, status="processing", actor=actor),
    )
    assert error.fields["skus"] == ["KAF-1", "TAS-1"]
    assert error.fields["available"] == {"KAF-1": 10, "TAS-1": 5}
    assert error.http_status == 409


def test_stock_short_when_one_of_two_products_is_short(actor, coffee, mug, billing, snapshot):
    # the coffee would fit: it must not be deducted when the mug is short
    order = create_order(
        actor=actor,
        billing_address=billing,
        lines=[LineInput(2, sku="KAF-1"), LineInput(6, sku="TAS-1")],
    )
    error = assert_refused(
        "stock_short",
        snapshot,
        lambda: set_order_status(number=order.number, status="shipped", actor=actor),
    )
    assert error.fields["skus"] == ["TAS-1"]


def test_creating_an_order_in_processing_with_short_stock_creates_nothing(
    actor, mug, billing, snapshot
):
    assert_refused(
        "stock_short",
        snapshot,
        lambda: create_order(
            actor=actor,
            status="processing",
            billing_address=billing,
            lines=[LineInput(6, sku="TAS-1")],
        ),
    )


def test_the_same_product_on_two_lines_is_deducted_as_one_movement(actor, mug, billing):
    order = create_order(
        actor=actor,
        status="processing",
        billing_address=billing,
        lines=[LineInput(2, sku="TAS-1"), LineInput(3, sku="TAS-1", unit_price="5.00")],
    )
    assert stock("TAS-1") == {"TAS-1": 0}
    assert movements(order) == [("TAS-1", -5, 0, StockReason.ORDER_DEDUCTED)]
    set_order_status(number=order.number, status="cancelled", actor=actor)
    assert stock("TAS-1") == {"TAS-1": 5}


def test_untracked_products_and_custom_lines_are_left_alone(actor, coffee, voucher, billing):
    order = create_order(
        actor=actor,
        status="processing",
        billing_address=billing,
        lines=[
            LineInput(1, sku="KAF-1"),
            LineInput(2, sku="GUT-25"),
            LineInput(1, name="Geschenkverpackung", unit_price="2.50", vat_rate="19"),
        ],
    )
    assert movements(order) == [("KAF-1", -1, 9, StockReason.ORDER_DEDUCTED)]
    assert list(order.lines.values_list("stock_deducted", flat=True)) == [1, 0, 0]
    assert stock("GUT-25") == {"GUT-25": 0}
    set_order_status(number=order.number, status="cancelled", actor=actor)
    assert stock("KAF-1", "GUT-25") == {"KAF-1": 10, "GUT-25": 0}


# ------------------------------------------------------- lines changed on a holding order


def test_changing_lines_of_a_holding_order_moves_stock_by_the_difference(actor, order, tea):
    # given an order in processing: 2 coffee and 1 mug deducted
    set_order_status(number=order.number, status="processing", actor=actor)
    # when the cart becomes 5 coffee, no mug, 1 tea
    order = set_order_lines(
        number=order.number,
        lines=[LineInput(5, sku="KAF-1"), LineInput(1, sku="TEE-1")],
        actor=actor,
    )
    # then 3 more coffee and a tea are taken, the mug is given back
    assert stock("KAF-1", "TAS-1", "TEE-1") == {"KAF-1": 5, "TAS-1": 5, "TEE-1": 19}
    assert sorted(m for m in movements(order) if m[3] == StockReason.ORDER_LINES_CHANGED) == [
        ("KAF-1", -3, 5, StockReason.ORDER_LINES_CHANGED),
        ("TAS-1", 1, 5, StockReason.ORDER_LINES_CHANGED),
        ("TEE-1", -1, 19, StockReason.ORDER_LINES_CHANGED),
    ]
    assert list(order.lines.values_list("sku", "stock_deducted")) == [("KAF-1", 5), ("TEE-1", 1)]
    # and cancelling gives back exactly what the order holds now
    set_order_status(number=order.number, status="cancelled", actor=actor)
    assert stock("KAF-1", "TAS-1", "TEE-1") == {"KAF-1": 10, "TAS-1": 5, "TEE-1": 20}


def test_changing_lines_without_a_quantity_change_moves_nothing(actor, order):
    set_order_status(number=order.number, status="processing", actor=actor)
    set_order_lines(
        number=order.number,
        lines=[LineInput(1, sku="TAS-1"), LineInput(2, sku="KAF-1", unit_price="18.00")],
        actor=actor,
    )
    assert stock("KAF-1", "TAS-1") == {"KAF-1": 8, "TAS-1": 4}
    assert len(movements(order)) == 2


def test_changing_lines_of_a_pending_order_moves_no_stock(actor, order):
    order = set_order_lines(number=order.number, lines=[LineInput(9, sku="KAF-1")], actor=actor)
    assert stock("KAF-1", "TAS-1") == {"KAF-1": 10, "TAS-1": 5}
    assert list(order.lines.values_list("stock_deducted", flat=True)) == [0]


def test_changing_lines_of_a_holding_order_beyond_stock_is_refused(actor, order, snapshot):
    set_order_status(number=order.number, status="processing", actor=actor)
    # 2 held + 8 left = 10 is the most coffee this order can have
    set_order_lines(number=order.number, lines=[LineInput(10, sku="KAF-1")], actor=actor)
    error = assert_refused(
        "stock_short",
        snapshot,
        lambda: set_order_lines(
            number=order.number, lines=[LineInput(11, sku="KAF-1")], actor=actor
        ),
    )
    assert error.fields["skus"] == ["KAF-1"]


def test_changing_lines_of_an_order_that_did_not_adjust_stock_moves_nothing(actor, order):
    set_order_status(number=order.number, status="processing", actor=actor, adjust_stock=False)
    set_order_lines(number=order.number, lines=[LineInput(5, sku="KAF-1")], actor=actor)
    assert stock("KAF-1", "TAS-1") == {"KAF-1": 10, "TAS-1": 5}


# ----------------------------------------------------------------- manual adjustments


def test_manual_adjustment_writes_a_movement(actor, coffee):
    product = adjust_product_stock(sku="KAF-1", delta=15, reason="Wareneingang", actor=actor)
    assert product.stock_quantity == 25
    movement = StockMovement.objects.filter(product=coffee).first()
    assert (movement.delta, movement.quantity_after, movement.reason, movement.note) == (
        15,
        25,
        StockReason.MANUAL,
        "Wareneingang",
    )
    product = adjust_product_stock(sku="KAF-1", delta=-25, reason="Inventur", actor=actor)
    assert product.stock_quantity == 0


@pytest.mark.parametrize(
    ("sku", "delta", "code"),
    [
        ("KAF-1", -11, "stock_short"),
        ("KAF-1", 0, "invalid_quantity"),
        ("KAF-1", 1_000_001, "invalid_quantity"),
        ("GUT-25", 5, "stock_not_tracked"),
        ("NOPE", 5, "not_found"),
    ],
)
def test_manual_adjustment_refusals(actor, coffee, voucher, snapshot, sku, delta, code):
    assert_refused(
        code, snapshot, lambda: adjust_product_stock(sku=sku, delta=delta, reason="x", actor=actor)
    )
