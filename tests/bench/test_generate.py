"""The bench's data generator at a tiny size: what it writes is a consistent shop."""

from collections import Counter
from decimal import Decimal

import pytest
from django.db.models import Count, Sum

from bench.generate import ORDERS_PER_CUSTOMER, load
from bench.orders import PAYMENT_STATES
from bestellwerk.core.search import fold
from bestellwerk.customers.models import Customer
from bestellwerk.demo.seed import seed_demo_shop
from bestellwerk.orders.models import Order, OrderStatus
from bestellwerk.payments.models import Payment, Refund
from bestellwerk.shipping.models import Shipment

BASE, GENERATED = 60, 240


@pytest.fixture
def shop(db) -> list[Order]:
    seed_demo_shop(orders=BASE, customers=30)
    before = set(Order.objects.values_list("pk", flat=True))
    load(GENERATED, report=lambda message: None)
    return list(
        Order.objects.exclude(pk__in=before)
        .select_related("customer")
        .prefetch_related("lines", "events", "shipments")
    )


def test_generated_orders_add_up(shop) -> None:
    assert len(shop) == GENERATED
    numbers = [order.number for order in shop]
    assert len(set(numbers)) == GENERATED
    # The counter the services use moved past every generated number.
    follow_up = Order.objects.order_by("-number").first().number
    assert follow_up == max(numbers)
    paid = dict(Payment.objects.values_list("order_id").annotate(s=Sum("amount")))
    refunded = dict(
        Refund.objects.filter(status="succeeded").values_list("order_id").annotate(s=Sum("amount"))
    )
    for order in shop:
        lines = list(order.lines.all())
        assert 1 <= len(lines) <= 5
        assert order.subtotal == sum(line.subtotal for line in lines)
        assert order.total == order.subtotal - order.discount_total + order.shipping_total
        assert order.net_total + order.tax_total == order.total
        assert order.balance == (
            order.total - order.credited_total - order.paid_total + order.refunded_total
        )
        assert order.paid_total == paid.get(order.pk, Decimal(0))
        assert order.refunded_total == refunded.get(order.pk, Decimal(0))
        events = [event.type for event in order.events.all()]
        assert events, order.number
        assert events[0] == ("draft_created" if order.status == "draft" else "created")
        assert all(event.dispatched_at for event in order.events.all())
        tracking = [s.tracking_code for s in order.shipments.all()]
        if order.status in ("shipped", "completed") and order.shipping_method.code != "pickup":
            assert tracking, order.number
        document = order.search_document
        assert str(order.number) in document
        assert all(fold(code) in document for code in tracking)
        assert all(fold(line.sku) in document for line in lines)
        if order.customer:
            assert fold(order.customer.last_name) in document
            assert order.billing_address["email"] == order.customer.email


def test_every_status_and_payment_status_pair_is_there(shop) -> None:
    pairs = set(Order.objects.values_list("status", "payment_status"))
    wanted = {(s, str(p)) for s in OrderStatus.values for p in PAYMENT_STATES}
    assert wanted <= pairs


def test_customers_are_distinct_people(shop) -> None:
    customers = Customer.objects.all()
    assert customers.count() >= (BASE + GENERATED) // ORDERS_PER_CUSTOMER
    emails = [c.email.lower() for c in customers if c.email]
    assert len(emails) == len(set(emails))
    names = Counter((c.first_name, c.last_name) for c in customers)
    assert len(names) > customers.count() * 0.8
    ordering = Order.objects.values("customer").annotate(n=Count("pk")).order_by("-n")
    assert ordering[0]["n"] > 1  # some come back
    totals = sorted(order.total for order in shop)
    assert totals[len(totals) // 10] * 3 < totals[-len(totals) // 10]  # spread out
    assert Shipment.objects.filter(order__in=shop).exclude(tracking_code="").exists()
