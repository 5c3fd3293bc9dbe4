"""The refunded-units bug of issue 9: a partly refunded order that is cancelled and later
held again must not deduct the refunded units a second time, and units written off by a
refund (the customer kept them) are never restocked."""

import pytest

from bestellwerk.catalog.models import Product, StockMovement
from bestellwerk.catalog.services import create_product
from bestellwerk.orders.inputs import LineInput
from bestellwerk.orders.models import OrderLine
from bestellwerk.orders.services import create_order, set_order_status
from bestellwerk.payments.services import RefundLineInput, refund_order, set_payment_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def lamp(actor):
    return create_product(
        sku="LAMPE", name="Stehlampe", price="40.00", vat_rate="19", stock_quantity=10, actor=actor
    )


def _movements(product):
    """The order's stock movements of `product`, oldest first: (delta, reason)."""
    return list(
        StockMovement.objects.filter(product=product, order__isnull=False)
        .order_by("id")
        .values_list("delta", "reason")
    )


def _stock(product) -> int:
    return Product.objects.get(pk=product.pk).stock_quantity


def _paid_lamp_order(actor, billing, quantity: int):
    """A paid order of `quantity` lamps in processing: the lamps are taken from stock."""
    order = create_order(
        actor=actor,
        billing_address=billing,
        lines=[LineInput(quantity=quantity, sku="LAMPE")],
        status="processing",
    )
    set_payment_status(number=order.number, payment_status="paid", actor=actor)
    return order


@pytest.mark.parametrize("held_again", ["processing", "on_hold"])
@pytest.mark.parametrize("restock", [True, False], ids=["restocked", "written_off"])
def test_refund_then_cancel_then_hold_again_moves_each_unit_once(
    actor, billing, lamp, restock, held_again
):
    # given a paid order of 3 lamps in processing: 3 taken from stock
    order = _paid_lamp_order(actor, billing, 3)
    assert _stock(lamp) == 7
    # when 1 lamp is refunded (put back on the shelf, or written off: the customer keeps it)
    refund_order(
        number=order.number,
        actor=actor,
        lines=[RefundLineInput(sku="LAMPE", quantity=1)],
        restock=restock,
    )
    on_shelf_after_refund = 8 if restock else 7
    assert _stock(lamp) == on_shelf_after_refund
    line = OrderLine.objects.get(order=order)
    assert (line.refunded_quantity, line.stock_deducted) == (1, 2)
    # and the order is cancelled: only the 2 units still held come back
    set_order_status(number=order.number, status="cancelled", actor=actor)
    assert _stock(lamp) == on_shelf_after_refund + 2
    # and it is held again: only the 2 units not refunded are taken again
    set_order_status(number=order.number, status=held_again, actor=actor)

    # then every unit moved exactly once each way
    assert _stock(lamp) == on_shelf_after_refund
    refund_restock = [(1, "refund_restock")] if restock else []
    assert _movements(lamp) == [
        (-3, "order_deducted"),
        *refund_restock,
        (2, "order_restocked"),
        (-2, "order_deducted"),
    ]
    line = OrderLine.objects.get(order=order)
    assert (line.quantity, line.refunded_quantity, line.stock_deducted) == (3, 1, 2)

    # and a second cancellation again gives back the 2 held units, never the refunded one
    set_order_status(number=order.number, status="cancelled", actor=actor)
    assert _stock(lamp) == on_shelf_after_refund + 2
    assert OrderLine.objects.get(order=order).stock_deducted == 0


def test_a_fully_refunded_line_is_not_taken_again(actor, billing, lamp):
    # given a paid processing order of 2 lamps, both refunded with restock
    order = _paid_lamp_order(actor, billing, 2)
    refund_order(
        number=order.number,
        actor=actor,
        lines=[RefundLineInput(sku="LAMPE", quantity=2)],
        restock=True,
    )
    assert _stock(lamp) == 10
    # when it is cancelled and held again
    set_order_status(number=order.number, status="cancelled", actor=actor)
    set_order_status(number=order.number, status="processing", actor=actor)
    # then no lamp moved after the refund: nothing was held, nothing is taken
    assert _stock(lamp) == 10
    assert _movements(lamp) == [(-2, "order_deducted"), (2, "refund_restock")]
