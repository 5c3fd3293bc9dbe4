"""Bugs the property test (test_order_money_properties.py) found, each as the smallest
example that showed it, fixed in the services or the schema."""

from decimal import Decimal

import pytest

from bestellwerk.orders.inputs import LineInput
from bestellwerk.orders.models import Order, OrderEvent
from bestellwerk.orders.services import create_order, set_order_coupon
from bestellwerk.payments.services import record_manual_payment
from bestellwerk.promotions.services import create_coupon

pytestmark = pytest.mark.django_db


def test_a_balance_that_floats_cannot_add_up_exactly_is_still_derived(actor, coffee, billing):
    # given an order of 4 × 19.90 + a custom line of 0.02 = 79.62 (no shipping)
    order = create_order(
        actor=actor,
        billing_address=billing,
        lines=[
            LineInput(quantity=4, sku=coffee.sku),
            LineInput(quantity=1, name="Kleinteil", unit_price=Decimal("0.02"), vat_rate=19),
        ],
    )
    assert order.total == Decimal("79.62")
    # when 0.80 of it is paid (79.62 − 0.80 is 78.82000000000001 in binary floating point,
    # which is how SQLite computed the balance constraint)
    record_manual_payment(number=order.number, amount="0.80", actor=actor)
    # then the payment is recorded and the balance derived to the cent
    order = Order.objects.get(pk=order.pk)
    assert (order.paid_total, order.balance) == (Decimal("0.80"), Decimal("78.82"))
    assert order.payment_status == "partially_paid"


@pytest.mark.parametrize("code", [None, "SPAR10"])
def test_setting_the_coupon_an_order_has_already_changes_nothing(actor, order, code):
    # given an order with (or without) a coupon
    create_coupon(code="SPAR10", kind="percent", value="10")
    if code:
        order = set_order_coupon(number=order.number, coupon_code=code, actor=actor)
    version, events = order.version, OrderEvent.objects.filter(order=order).count()
    # when the same coupon (or none again) is set
    set_order_coupon(number=order.number, coupon_code=code, actor=actor)
    # then nothing was written: no new version (a change nobody sees on the timeline would
    # only make other people's pages stale), no event
    order = Order.objects.get(pk=order.pk)
    assert order.version == version
    assert OrderEvent.objects.filter(order=order).count() == events
