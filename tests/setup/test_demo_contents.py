"""What the demo shop holds: built by the services, covering every value."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from bestellwerk.accounts.models import User
from bestellwerk.catalog.models import Product, StockMovement
from bestellwerk.demo.seed import seed_demo_shop
from bestellwerk.orders.models import Channel, Order, OrderEvent, OrderStatus, PaymentStatus
from bestellwerk.orders.selectors import OrderFilters, list_orders
from bestellwerk.orders.totals import LineAmountsInput, compute_totals
from bestellwerk.payments.models import Refund
from bestellwerk.promotions.models import Coupon
from bestellwerk.shipping.models import Shipment

SMALL = {"orders": 60, "customers": 30}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One small demo for every test of this module, rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed_demo_shop(**SMALL)
        transaction.set_rollback(True)


def test_a_small_demo_covers_every_status_channel_and_payment_state(demo, db):
    orders = Order.objects.all()
    assert set(orders.values_list("status", flat=True)) == set(OrderStatus.values)
    assert set(orders.values_list("channel", flat=True)) == set(Channel.values)
    assert set(orders.values_list("payment_status", flat=True)) == set(PaymentStatus.values)
    # Refunded orders got their money back through the refund service
    for order in orders.filter(status=OrderStatus.REFUNDED):
        assert order.payment_status == PaymentStatus.REFUNDED
        assert Refund.objects.filter(order=order, amount=order.total).exists()
    assert orders.filter(assignee__isnull=True).exists()
    assert set(orders.values_list("assignee__username", flat=True)) >= {"sofia", "lars", "admin"}
    assert set(orders.values_list("lead_source__code", flat=True)) >= {"google", "trade_fair"}
    assert set(orders.values_list("tags__name", flat=True)) >= {
        "VIP",
        "Geschenk",
        "Großkunde",
        "Eilig",
    }
    assert demo.orders == 60 and sum(demo.by_status.values()) == 60


def test_the_catalogue_is_german_with_both_vat_rates_and_stock_rules(demo, db):
    products = Product.objects.all()
    assert products.count() == 60
    assert set(products.values_list("vat_rate", flat=True)) >= {Decimal("19"), Decimal("7")}
    assert products.filter(allow_backorder=True).exists()
    assert products.filter(track_stock=False).exists()
    assert products.filter(customer_tags__name="Kaffeeliebhaber").exists()
    assert products.filter(name__contains="Kaffee").exists()
    # Stock never went below zero for products without backorders
    assert not products.filter(allow_backorder=False, stock_quantity__lt=0).exists()
    # Every tracked product got its initial stock as a movement (the ledger adds up)
    for product in products.filter(track_stock=True):
        moved = sum(product.stock_movements.values_list("delta", flat=True))
        assert moved == product.stock_quantity, product.sku


def test_orders_are_built_by_the_services(demo, db):
    # Totals come from the one totals function
    for order in Order.objects.prefetch_related("lines").select_related("coupon")[:20]:
        lines = list(order.lines.all())
        assert order.total == order.subtotal - order.discount_total + order.shipping_total
        assert order.subtotal == sum(line.subtotal for line in lines)
        assert order.search_document.startswith(str(order.number))
    placed = Order.objects.exclude(status=OrderStatus.DRAFT)
    # Each placed order has its 'created' event; drafts have none
    assert OrderEvent.objects.filter(type="created").count() == placed.count()
    # Shipped and completed orders that were sent have a parcel with tracking
    shipped = Order.objects.filter(status=OrderStatus.SHIPPED)
    assert shipped.exists()
    for order in shipped:
        shipment = Shipment.objects.get(order=order)
        assert shipment.tracking_code and shipment.tracking_url.startswith("https://")
    # Stock is held exactly by the orders in stock-holding statuses
    held = Order.objects.filter(stock_held=True).values_list("status", flat=True)
    assert set(held) <= {"processing", "on_hold", "shipped", "completed"}
    assert StockMovement.objects.filter(order__isnull=False).exists()


def test_history_is_backdated_and_not_dispatched_again(demo, db):
    # No event waits for dispatch: e-mails and webhooks never fire for demo history
    assert not OrderEvent.objects.filter(dispatched_at__isnull=True).exists()
    for order in Order.objects.exclude(status=OrderStatus.DRAFT)[:20]:
        created = order.events.get(type="created")
        assert created.created_at == order.created_at == order.placed_at
        times = list(order.events.order_by("id").values_list("created_at", flat=True))
        assert times == sorted(times)
        assert order.updated_at >= order.created_at
    oldest = Order.objects.order_by("created_at").first()
    newest = Order.objects.order_by("-created_at").first()
    assert (newest.created_at - oldest.created_at).days > 180


def test_coupons_and_staff_exist(demo, db):
    assert set(Coupon.objects.values_list("code", flat=True)) >= {
        "WILLKOMMEN10",
        "VERSANDFREI",
        "5EURO",
    }
    assert User.objects.get(username="sofia").role == "sales"
    assert User.objects.get(username="lars").role == "warehouse"
    assert User.objects.get(username="lars").check_password("bestellwerk")


def test_a_customer_is_found_by_e_mail_in_the_demo_list(demo, db):
    order = Order.objects.exclude(status=OrderStatus.DRAFT).select_related("customer").first()
    email = order.customer.email
    found = list_orders(OrderFilters(q=email), limit=50).items
    assert order in found
    assert all(o.customer.email == email for o in found)


def test_totals_of_a_demo_order_recompute_to_the_same_amounts(demo, db):
    order = Order.objects.exclude(status=OrderStatus.DRAFT).filter(coupon__isnull=True).first()
    lines = list(order.lines.all())
    totals = compute_totals(
        lines=[LineAmountsInput(line.unit_price, line.quantity, line.vat_rate) for line in lines],
        coupon=None,
        shipping_price=order.shipping_method.price,
    )
    assert totals.total == order.total


def test_seeding_refuses_a_shop_with_data(demo, db):
    with pytest.raises(CommandError, match="empty database"):
        call_command("seed_demo", orders=5)
    assert Order.objects.count() == 60
