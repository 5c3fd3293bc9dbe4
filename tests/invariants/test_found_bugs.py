"""Bugs the property test (test_order_money_properties.py) found, each as the smallest
example that showed it, fixed in the services or the schema."""

from decimal import Decimal

import pytest

from bestellwerk.orders.inputs import LineInput
from bestellwerk.orders.models import Order
from bestellwerk.orders.services import create_order
from bestellwerk.payments.services import record_manual_payment

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
