"""seed_demo: the same seed gives the same shop; bad input is refused."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from bestellwerk.catalog.models import Product
from bestellwerk.customers.models import Customer
from bestellwerk.demo.seed import demo_fingerprint, seed_demo_shop
from bestellwerk.orders.models import Order

SMALL = {"orders": 60, "customers": 30}


def test_the_same_seed_gives_the_same_shop(db):
    # Given two runs of the same small demo, each rolled back afterwards
    fingerprints = []
    for _run in range(2):
        with transaction.atomic():
            seed_demo_shop(**SMALL)
            fingerprints.append(
                (
                    demo_fingerprint(),
                    sorted(Product.objects.values_list("sku", "stock_quantity")),
                    sorted(Customer.objects.values_list("email", "city")),
                )
            )
            transaction.set_rollback(True)
    # Then the orders in number order, statuses, totals, customers and stock are identical
    assert fingerprints[0] == fingerprints[1]
    assert len(fingerprints[0][0]) == 60
    assert Order.objects.count() == 0


def test_another_seed_gives_another_shop(db):
    with transaction.atomic():
        seed_demo_shop(**SMALL)
        first = demo_fingerprint()
        transaction.set_rollback(True)
    seed_demo_shop(**SMALL, seed=7)
    assert demo_fingerprint() != first


def test_bad_arguments_are_refused(db):
    with pytest.raises(CommandError):
        call_command("seed_demo", orders=-1)
    assert not Order.objects.exists()


def test_the_command_prints_what_it_made(db):
    out = StringIO()
    call_command("seed_demo", orders=12, customers=5, stdout=out)
    assert "Demo shop: 60 products, 5 customers, 4 coupons, 12 orders" in out.getvalue()
    assert Order.objects.count() == 12


class Interrupted(Exception):
    pass


def test_an_interrupted_demo_leaves_the_shop_empty(db):
    # Given a demo stopped after its orders were written (as Ctrl-C would)
    def interrupt(message: str) -> None:
        raise Interrupted(message)

    with pytest.raises(Interrupted):
        seed_demo_shop(orders=8, customers=4, progress=interrupt)
    # Then nothing of it stays, so the next start seeds again
    assert not Order.objects.exists()
    assert not Product.objects.exists()
    assert not Customer.objects.exists()
