"""A payment link sent from the payments box asks for what is still open, not the total:
in the link, its e-mail and on the customer's payment page."""

import re
from decimal import Decimal

import pytest

from bestellwerk.notifications.handlers import send_order_emails
from bestellwerk.notifications.models import EmailLog
from bestellwerk.orders.models import OrderEventType
from bestellwerk.payments.models import PaymentLink
from bestellwerk.payments.services import record_manual_payment


@pytest.fixture
def partly_paid(actor, order):
    """The 54.60 order with 20.00 paid: 34.60 open."""
    record_manual_payment(number=order.number, actor=actor, amount="20.00")
    order.refresh_from_db()
    return order


@pytest.fixture
def sent_link(sales_client, partly_paid) -> str:
    """The link staff send from the order page's payments box (its public path)."""
    response = sales_client.post(
        f"/orders/{partly_paid.number}/payment-link/",
        {"version": partly_paid.version},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver/orders/{partly_paid.number}/",
    )
    url = re.search(r'data-testid="payment-link-url"[^>]*>([^<]+)<', response.content.decode())
    assert url is not None
    return "/pay/" + url.group(1).split("/pay/")[1]


def test_the_link_asks_for_the_open_amount(partly_paid, sent_link):
    link = PaymentLink.objects.get(order=partly_paid)
    event = partly_paid.events.get(type=OrderEventType.PAYMENT_LINK_SENT)

    assert link.amount == Decimal("34.60")
    assert event.data["amount"] == "34.60"


def test_sending_from_the_order_page_keeps_its_version_current(sales_client, partly_paid):
    response = sales_client.post(
        f"/orders/{partly_paid.number}/payment-link/",
        {"version": partly_paid.version},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver/orders/{partly_paid.number}/",
    )

    partly_paid.refresh_from_db()
    html = response.content.decode()
    assert f'id="order-version" name="version" value="{partly_paid.version}"' in html
    assert "Zahlungslink gesendet" in html  # the timeline came along


def test_the_email_asks_for_the_open_amount(partly_paid, sent_link):
    event = partly_paid.events.get(type=OrderEventType.PAYMENT_LINK_SENT)

    send_order_emails(event)

    email = EmailLog.objects.get(template_code="payment_link")
    assert "bitte bezahlen Sie 34,60 € für Ihre Bestellung" in email.body_text
    assert "54,60 €" in email.body_text  # the order's total stays listed below


def test_the_payment_page_shows_what_was_paid_and_what_is_open(client, partly_paid, sent_link):
    html = client.get(sent_link).content.decode()

    assert 'data-testid="order-total">54,60 EUR<' in html
    assert 'data-testid="already-paid">−20,00 EUR<' in html
    assert 'data-testid="still-to-pay">34,60 EUR<' in html
    assert "Zu zahlen: 34,60 EUR" in html
