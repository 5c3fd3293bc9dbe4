"""Django test clients signed in as each role."""

import pytest
from django.test import Client

from bestellwerk.accounts.models import User


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_client_ui(admin_user) -> Client:
    return client_for(admin_user)


@pytest.fixture
def sales_client(sales_user) -> Client:
    return client_for(sales_user)


@pytest.fixture
def warehouse_client(warehouse_user) -> Client:
    return client_for(warehouse_user)


@pytest.fixture
def make_order(actor, coffee, mug, billing):
    """Create a placed order; keyword arguments go to create_order."""
    from bestellwerk.orders.inputs import LineInput
    from bestellwerk.orders.services import create_order
    from bestellwerk.payments.services import set_payment_status

    def make(
        *,
        email: str = "erika@example.de",
        last_name: str = "Mustermann",
        payment_status: str = "unpaid",
        **kwargs,
    ):
        fields = {
            "billing_address": {**billing, "email": email, "last_name": last_name},
            "lines": [LineInput(quantity=1, sku=mug.sku)],
            "payment_method": "invoice",
            "shipping_method": "standard",
            **kwargs,
        }
        order = create_order(actor=actor, **fields)
        if payment_status == "paid":
            order = set_payment_status(number=order.number, payment_status="paid", actor=actor)
        return order

    return make
