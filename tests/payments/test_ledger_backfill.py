"""The migration that brought the payments ledger (orders 0005): orders marked paid by hand
before it get a manual payment row, so the ledger explains every payment status; the sums,
balance and derived status are filled in, and refunded units copied onto the lines.

The test migrates the real database back to the schema before the ledger (orders 0004,
payments 0003), writes rows as that schema had them, and migrates forward again.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from bestellwerk.orders.models import Order, OrderLine
from bestellwerk.payments.models import Payment

# Migrations run outside a test transaction (SQLite cannot change its schema inside one);
# the serialized rollback restores the migrations' rows for the tests after it, as for every
# transactional test here (a plain flush would re-create content types those tests reload).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE_THE_LEDGER = [
    ("orders", "0004_search_trigram_index"),
    ("payments", "0003_refund_checked_at"),
]
D = Decimal
PLACED = timezone.now() - timedelta(days=30)


def _migrate(targets=None):
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return executor.loader.project_state(targets).apps if targets else None


@pytest.fixture
def old_schema():
    """The models as they were before the ledger; the latest schema is back afterwards."""
    apps = _migrate(BEFORE_THE_LEDGER)
    try:
        yield apps
    finally:
        _migrate()


def _old_order(apps, number, *, payment_status, total="54.60", status="processing", skus=()):
    Order = apps.get_model("orders", "Order")
    order = Order.objects.create(
        number=number,
        status=status,
        payment_status=payment_status,
        currency="EUR",
        subtotal=D(total),
        total=D(total),
        net_total=D(total),
        placed_at=PLACED,
        created_at=PLACED,
    )
    for position, (sku, quantity) in enumerate(skus):
        apps.get_model("orders", "OrderLine").objects.create(
            order=order,
            position=position,
            sku=sku,
            name=sku,
            unit_price=D("10.00"),
            vat_rate=D("19.00"),
            quantity=quantity,
            subtotal=D("10.00") * quantity,
            total=D("10.00") * quantity,
        )
    return order


def _old_refund(apps, order, amount, *, status="succeeded", lines=()):
    refund = apps.get_model("payments", "Refund").objects.create(
        order=order, provider="manual", status=status, amount=D(amount), currency="EUR"
    )
    for sku, quantity in lines:
        apps.get_model("payments", "RefundLine").objects.create(
            refund=refund, sku=sku, name=sku, quantity=quantity, amount=D("10.00") * quantity
        )


def test_orders_marked_paid_before_the_ledger_get_a_payment_row(old_schema):
    # given orders as the schema before the ledger kept them
    apps = old_schema
    _old_order(apps, 10001, payment_status="unpaid")
    _old_order(apps, 10002, payment_status="paid")  # marked paid by hand: no payment row
    card = _old_order(apps, 10003, payment_status="paid")  # paid by card: a payment row
    apps.get_model("payments", "Payment").objects.create(
        order=card,
        provider="stripe",
        reference="cs_1",
        refund_reference="pi_1",
        amount=D("54.60"),
        currency="EUR",
        paid_at=PLACED,
    )
    partly = _old_order(apps, 10004, payment_status="partially_refunded", skus=[("A", 3), ("B", 1)])
    _old_refund(apps, partly, "20.00", lines=[("A", 2)])
    _old_refund(apps, partly, "5.00", status="failed", lines=[("B", 1)])
    refunded = _old_order(apps, 10005, payment_status="refunded", status="refunded")
    _old_refund(apps, refunded, "54.60")

    # when the database is migrated to the ledger
    _migrate()

    # then each order's money is explained by its ledger
    orders = {o.number: o for o in Order.objects.all()}
    summary = {
        number: (o.payment_status, o.paid_total, o.refunded_total, o.balance)
        for number, o in orders.items()
    }
    assert summary == {
        10001: ("unpaid", D("0"), D("0"), D("54.60")),
        10002: ("paid", D("54.60"), D("0"), D("0")),
        10003: ("paid", D("54.60"), D("0"), D("0")),
        # refunds made before lowered what those orders cost: nothing is owed either way
        10004: ("partially_refunded", D("54.60"), D("20.00"), D("0.00")),
        10005: ("refunded", D("54.60"), D("54.60"), D("0.00")),
    }
    # and the orders marked paid by hand got one manual payment each, dated when placed
    backfilled = Payment.objects.filter(provider="manual").order_by("order__number")
    assert [(p.order.number, p.amount) for p in backfilled] == [
        (10002, D("54.60")),
        (10004, D("54.60")),
        (10005, D("54.60")),
    ]
    for payment in backfilled:
        assert payment.paid_at == PLACED
        assert (payment.actor_kind, payment.actor_label) == (
            "system",
            "Marked paid before the payment ledger",
        )
    assert Payment.objects.filter(order=orders[10003]).count() == 1
    # and the units refunded (succeeded refunds only) are on the lines
    assert dict(
        OrderLine.objects.filter(order=orders[10004]).values_list("sku", "refunded_quantity")
    ) == {"A": 2, "B": 0}
