"""`make run` without keys: the card method walks the whole path through a demo checkout."""

from urllib.parse import urlsplit

import pytest
from django.test import Client

from bestellwerk.orders.models import Order, OrderEventType
from bestellwerk.payments.models import Payment
from bestellwerk.payments.providers.demo import signed_completed_event
from bestellwerk.payments.services import send_payment_link
from tests.payments.conftest import post_webhook


@pytest.fixture
def demo_settings(settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""
    settings.PAYMENTS_DEMO_CHECKOUT = True
    return settings


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_link_pay_button_signed_notification_order_paid(
    live_server, demo_settings, card_order, actor
):
    demo_settings.PUBLIC_BASE_URL = live_server.url
    sent = send_payment_link(number=card_order.number, actor=actor)
    # The customer's request names another port of this host: the demo checkout still posts
    # its signed notification to PUBLIC_BASE_URL, never to where the Host header points.
    customer = Client(HTTP_HOST="127.0.0.1:9")
    pay_path = urlsplit(sent.url).path

    page = customer.get(pay_path)
    assert "Demo" in page.content.decode()
    to_checkout = customer.post(pay_path + "checkout/")
    assert to_checkout.status_code == 302
    checkout_path = to_checkout["Location"]
    assert checkout_path.startswith("/pay/demo-checkout/")

    checkout_page = customer.get(checkout_path)
    html = checkout_page.content.decode()
    assert 'data-testid="demo-label"' in html
    assert "54,60" in html

    paid = customer.post(checkout_path)

    assert paid.status_code == 302
    assert paid["Location"].endswith(pay_path + "?paid=1")
    order = Order.objects.get(pk=card_order.pk)
    assert order.payment_status == "paid"
    payment = Payment.objects.get()
    assert payment.provider == "demo"
    assert payment.reference.startswith("cs_demo_")
    assert order.events.filter(type=OrderEventType.PAYMENT_STATUS_CHANGED).count() == 1
    # Paying the same demo session again is the same payment.
    customer.post(checkout_path)
    assert Payment.objects.count() == 1
    assert 'data-testid="paid"' in customer.get(pay_path).content.decode()


@pytest.mark.django_db
def test_a_forged_demo_checkout_token_is_not_found(client, demo_settings):
    assert client.get("/pay/demo-checkout/forged-token/").status_code == 404
    assert client.post("/pay/demo-checkout/forged-token/").status_code == 404


@pytest.mark.django_db
def test_demo_notifications_are_refused_once_stripe_keys_are_set(client, settings, card_order):
    settings.STRIPE_SECRET_KEY = "sk_live_real"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_real"
    settings.PAYMENTS_DEMO_CHECKOUT = True
    session = {
        "id": "cs_demo_abc",
        "order_number": card_order.number,
        "amount": "54.60",
        "currency": "EUR",
        "payment_link_id": 1,
    }
    payload, signature = signed_completed_event(session)

    assert post_webhook(client, payload, signature).status_code == 400
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_demo_notifications_are_refused_when_the_demo_is_off(client, settings, card_order):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""
    settings.PAYMENTS_DEMO_CHECKOUT = False
    session = {
        "id": "cs_demo_abc",
        "order_number": card_order.number,
        "amount": "54.60",
        "currency": "EUR",
        "payment_link_id": 1,
    }
    payload, signature = signed_completed_event(session)

    assert post_webhook(client, payload, signature).status_code == 400
    assert not Payment.objects.exists()
