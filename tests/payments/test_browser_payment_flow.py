"""The demo path of `make run` in a real Chromium: staff send a payment link, the customer
pays in the demo checkout, the signed notification marks the order paid, staff refund a
part with restock."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from bestellwerk.catalog.models import Product, StockMovement, StockReason
from bestellwerk.catalog.services import create_product
from bestellwerk.core.actors import Actor
from bestellwerk.orders.inputs import LineInput
from bestellwerk.orders.models import Order, OrderEventType
from bestellwerk.orders.services import create_order
from tests.browser_support import screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def demo_card_order(payment_settings, browser_user, settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""
    settings.PAYMENTS_DEMO_CHECKOUT = True
    actor = Actor.for_user(browser_user)
    create_product(
        sku="KAF-1",
        name="Kaffee Crema 1 kg",
        price="19.90",
        vat_rate="7",
        stock_quantity=10,
        actor=actor,
    )
    return create_order(
        actor=actor,
        status="processing",
        billing_address={
            "first_name": "Erika",
            "last_name": "Mustermann",
            "line1": "Hauptstraße 1",
            "postal_code": "10115",
            "city": "Berlin",
            "country": "DE",
            "email": "erika@example.de",
        },
        lines=[LineInput(quantity=2, sku="KAF-1")],
        payment_method="card",
        shipping_method="standard",
    )


def test_link_demo_payment_and_partial_refund_with_restock(
    logged_in_page, live_server, demo_card_order, settings
):
    # Links and the demo checkout's callback go to the public address: this server.
    settings.PUBLIC_BASE_URL = live_server.url
    page = logged_in_page
    number = demo_card_order.number
    page.goto(f"{live_server.url}/orders/{number}/payments/")

    page.get_by_role("button", name="Zahlungslink senden").click()
    link = page.get_by_test_id("payment-link-url")
    expect(link).to_be_visible()
    url = link.inner_text()
    assert url.startswith(live_server.url + "/pay/")

    customer = page.context.new_page()
    customer.goto(url)
    expect(customer.get_by_text("Bestellung " + str(number)).first).to_be_visible()
    customer.get_by_role("button", name="Jetzt bezahlen").click()
    expect(customer.get_by_test_id("demo-label")).to_have_text("Demo-Checkout (kein echtes Geld)")
    screenshot(customer, "payments-demo-checkout")
    customer.get_by_role("button", name="Bezahlen (Demo)").click()
    expect(customer.get_by_test_id("paid")).to_be_visible()
    order = Order.objects.get(pk=demo_card_order.pk)
    assert order.payment_status == "paid"

    page.goto(f"{live_server.url}/orders/{number}/payments/")
    page.get_by_role("link", name="Erstatten").click()
    page.get_by_label("KAF-1 · Kaffee Crema 1 kg").fill("1")
    # The dialog computes the amount as the server does; staff could change it.
    expect(page.get_by_label("Betrag (EUR)")).to_have_value("19.90")
    page.get_by_label("Grund").fill("Packung beschädigt")
    page.get_by_role("button", name="Erstatten").click()
    expect(page.get_by_test_id("refund-list")).to_contain_text("Erfolgreich")
    screenshot(page, "payments-after-refund")

    order = Order.objects.get(pk=demo_card_order.pk)
    assert order.payment_status == "partially_refunded"
    assert Product.objects.get(sku="KAF-1").stock_quantity == 9
    [movement] = StockMovement.objects.filter(reason=StockReason.REFUND_RESTOCK)
    assert movement.delta == 1
    refunded = order.events.get(type=OrderEventType.REFUNDED)
    assert refunded.data["amount"] == str(Decimal("19.90"))
