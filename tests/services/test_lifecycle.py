"""The transition table and the stock rule, as a whole."""

import itertools

import pytest

from bestellwerk.catalog.models import Product
from bestellwerk.core.actors import Actor
from bestellwerk.core.errors import ServiceError
from bestellwerk.orders.inputs import LineInput
from bestellwerk.orders.lifecycle import (
    PLACEABLE,
    STOCK_HOLDING,
    TRANSITIONS,
    can_transition,
    stock_effect,
)
from bestellwerk.orders.models import OrderStatus
from bestellwerk.orders.services import (
    add_order_note,
    add_shipment,
    change_order_tags,
    create_order,
    set_order_coupon,
    set_order_lines,
    set_order_status,
    update_order,
)

ALL = list(OrderStatus.values)


def test_every_status_has_a_row_and_no_status_goes_to_itself_or_to_draft():
    assert set(TRANSITIONS) == set(ALL)
    for current, targets in TRANSITIONS.items():
        assert current not in targets
        assert OrderStatus.DRAFT not in targets
        assert targets <= set(ALL)
    assert TRANSITIONS[OrderStatus.REFUNDED] == frozenset()
    assert OrderStatus.DRAFT not in PLACEABLE
    assert {"processing", "on_hold", "shipped", "completed"} == STOCK_HOLDING


@pytest.mark.parametrize(
    ("current", "new", "held"), list(itertools.product(ALL, ALL, [False, True]))
)
def test_stock_moves_only_on_a_crossing(current, new, held):
    effect = stock_effect(current, new, stock_held=held)
    crosses_in = current not in STOCK_HOLDING and new in STOCK_HOLDING
    crosses_out = current in STOCK_HOLDING and new not in STOCK_HOLDING
    if crosses_in and not held:
        assert effect == "deduct"
    elif crosses_out and held:
        assert effect == "restock"
    else:
        assert effect == "none"


def test_can_transition_matches_the_table():
    assert can_transition("pending", "processing")
    assert not can_transition("pending", "refunded")
    assert not can_transition("refunded", "pending")
    assert not can_transition("nonsense", "pending")


def test_units_kept_on_cancel_are_not_given_back_by_a_later_non_holding_move(actor, order):
    # given an order cancelled without restocking (its parcel is gone)
    set_order_status(number=order.number, status="processing", actor=actor)
    set_order_status(number=order.number, status="cancelled", actor=actor, adjust_stock=False)
    # when it is re-opened as pending, then the kept units are not restocked
    order = set_order_status(number=order.number, status="pending", actor=actor)
    assert Product.objects.get(sku="KAF-1").stock_quantity == 8
    assert order.stock_held
    # and its next crossing out of processing gives them back once
    set_order_status(number=order.number, status="processing", actor=actor)
    assert Product.objects.get(sku="KAF-1").stock_quantity == 8
    set_order_status(number=order.number, status="cancelled", actor=actor)
    assert Product.objects.get(sku="KAF-1").stock_quantity == 10


@pytest.mark.parametrize(
    ("path", "target", "allowed"),
    [
        (["processing"], "shipped", True),
        (["processing"], "on_hold", True),
        (["processing", "on_hold"], "processing", True),
        (["processing", "shipped"], "completed", True),
        (["processing", "shipped"], "processing", False),
        (["processing", "shipped", "completed"], "processing", False),
        (["processing"], "pending", False),
        ([], "cancelled", False),
        (["cancelled"], "processing", False),
    ],
)
def test_the_warehouse_moves_orders_forward_through_fulfilment_only(
    actor, order, warehouse_user, path, target, allowed
):
    # given an order some way along its path (moved by sales)
    for status in path:
        set_order_status(number=order.number, status=status, actor=actor)
    warehouse = Actor.for_user(warehouse_user)

    # when the warehouse moves it
    if allowed:
        assert (
            set_order_status(number=order.number, status=target, actor=warehouse).status == target
        )
    else:
        with pytest.raises(ServiceError) as refused:
            set_order_status(number=order.number, status=target, actor=warehouse)
        assert refused.value.code == "permission_denied"
        assert refused.value.http_status == 403


def test_the_warehouse_may_not_change_the_cart_or_the_order_but_adds_parcels_and_notes(
    order, warehouse_user, coffee
):
    # given the warehouse at work on an order
    warehouse = Actor.for_user(warehouse_user)
    number = order.number

    # then what is sales work is refused in the services too, whoever calls them
    for refused_call in (
        lambda: set_order_lines(number=number, lines=[LineInput(1, coffee.sku)], actor=warehouse),
        lambda: set_order_coupon(number=number, coupon_code=None, actor=warehouse),
        lambda: update_order(number=number, assignee=None, actor=warehouse),
        lambda: change_order_tags(number=number, add=["eilig"], actor=warehouse),
        lambda: create_order(actor=warehouse),
    ):
        with pytest.raises(ServiceError) as refused:
            refused_call()
        assert refused.value.code == "permission_denied"
    # and parcels and notes are the warehouse's own work
    add_shipment(number=number, carrier_name="DHL", tracking_code="0034", actor=warehouse)
    add_order_note(number=number, body="Gepackt", actor=warehouse)
