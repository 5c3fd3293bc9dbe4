"""Payment links: sending, the public page, checkout through the Stripe stand-in."""

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from bestellwerk.core.errors import ServiceError
from bestellwerk.orders.models import OrderEventType
from bestellwerk.orders.services import add_order_note, create_order
from bestellwerk.payments.models import PaymentLink
from bestellwerk.payments.services import send_payment_link, set_payment_status

pytestmark = pytest.mark.django_db


def _path(url: str) -> str:
    return urlsplit(url).path


def test_sending_a_link_records_it_on_the_timeline_with_url_expiry_and_amount(order, actor):
    sent = send_payment_link(number=order.number, actor=actor)

    event = order.events.get(type=OrderEventType.PAYMENT_LINK_SENT)
    assert event.data == {
        "url": sent.url,
        "expires_at": sent.link.expires_at.isoformat(),
        "amount": "54.60",
    }
    assert sent.url.startswith("http://127.0.0.1:8000/pay/")
    assert sent.link.expires_at > timezone.now() + timedelta(days=13)
    token = _path(sent.url).split("/")[2]
    assert len(token) >= 40
    assert token not in PaymentLink.objects.get().token_hash


def test_sending_again_makes_a_fresh_link_and_a_second_timeline_entry(order, actor):
    first = send_payment_link(number=order.number, actor=actor)
    second = send_payment_link(number=order.number, actor=actor)

    assert first.url != second.url
    assert order.events.filter(type=OrderEventType.PAYMENT_LINK_SENT).count() == 2
    assert PaymentLink.objects.filter(order=order).count() == 2


def test_a_paid_order_gets_no_link(paid_order, actor):
    with pytest.raises(ServiceError) as error:
        send_payment_link(number=paid_order.number, actor=actor)
    assert error.value.code == "already_paid"
    assert not PaymentLink.objects.exists()


def test_a_draft_gets_no_link(actor, coffee):
    from bestellwerk.orders.inputs import LineInput

    draft = create_order(actor=actor, status="draft", lines=[LineInput(quantity=1, sku="KAF-1")])
    with pytest.raises(ServiceError) as error:
        send_payment_link(number=draft.number, actor=actor)
    assert error.value.code == "invalid_transition"


def test_an_unknown_order_is_not_found(db, actor):
    with pytest.raises(ServiceError) as error:
        send_payment_link(number=99999, actor=actor)
    assert error.value.code == "not_found"


def test_the_page_shows_what_is_owed_and_no_internal_data(client, order, actor):
    add_order_note(number=order.number, body="Kunde zahlt immer spät, Vorsicht", actor=actor)
    sent = send_payment_link(number=order.number, actor=actor)

    response = client.get(_path(sent.url))

    assert response.status_code == 200
    html = response.content.decode()
    assert str(order.number) in html
    assert "Kaffee Crema 1 kg" in html and "Tasse Steingut" in html
    assert "54,60" in html
    assert "Vorsicht" not in html
    assert "erika@example.de" not in html
    assert "+49 30 123456" not in html


def test_an_invoice_order_shows_bank_details_and_no_checkout(client, order, actor, settings):
    settings.BANK_IBAN = "DE02 1203 0000 0000 2020 51"
    sent = send_payment_link(number=order.number, actor=actor)

    html = client.get(_path(sent.url)).content.decode()

    assert "DE02 1203 0000 0000 2020 51" in html
    assert "/checkout/" not in html


def test_an_expired_link_answers_410_and_an_unknown_one_404(client, order, actor):
    sent = send_payment_link(number=order.number, actor=actor)
    PaymentLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    expired = client.get(_path(sent.url))
    unknown = client.get("/pay/" + "x" * 43 + "/")
    checkout_expired = client.post(_path(sent.url) + "checkout/")

    assert expired.status_code == 410
    assert "abgelaufen" in expired.content.decode()
    assert unknown.status_code == 404
    assert checkout_expired.status_code == 410


def test_the_page_of_a_paid_order_says_paid(client, order, actor):
    sent = send_payment_link(number=order.number, actor=actor)
    set_payment_status(number=order.number, payment_status="paid", actor=actor)

    response = client.get(_path(sent.url))

    assert 'data-testid="paid"' in response.content.decode()
    assert client.post(_path(sent.url) + "checkout/").status_code == 422


def test_pay_now_opens_a_stripe_checkout_session_for_the_amount_owed(
    client, card_order, actor, stripe_settings
):
    sent = send_payment_link(number=card_order.number, actor=actor)
    assert sent.url.startswith("https://shop.example/pay/")

    response = client.post(_path(sent.url) + "checkout/")

    assert response.status_code == 302
    assert response["Location"].startswith("https://checkout.stripe.test/c/pay/cs_test_")
    [request] = stripe_settings.posted("/v1/checkout/sessions")
    form = request["form"]
    assert form["line_items[0][price_data][unit_amount]"] == "5460"
    assert form["line_items[0][price_data][currency]"] == "eur"
    assert form["metadata[order_number]"] == str(card_order.number)
    assert form["customer_email"] == "erika@example.de"
    assert form["success_url"].endswith(_path(sent.url) + "?paid=1")
    assert card_order.payment_status == "unpaid"


def test_a_stripe_error_at_checkout_is_shown_on_the_page(
    client, card_order, actor, stripe_settings, settings
):
    settings.STRIPE_SECRET_KEY = "sk_test_wrong"
    sent = send_payment_link(number=card_order.number, actor=actor)

    response = client.post(_path(sent.url) + "checkout/")

    assert response.status_code == 422
    assert "Invalid API Key provided." in response.content.decode()


def test_without_keys_and_without_demo_card_orders_are_paid_by_transfer(
    client, card_order, actor, settings
):
    settings.STRIPE_SECRET_KEY = ""
    settings.PAYMENTS_DEMO_CHECKOUT = False
    sent = send_payment_link(number=card_order.number, actor=actor)

    html = client.get(_path(sent.url)).content.decode()

    assert 'data-testid="bank-details"' in html
    assert client.post(_path(sent.url) + "checkout/").status_code == 422


def test_amount_owed_in_link_is_the_order_total(order, actor):
    sent = send_payment_link(number=order.number, actor=actor)
    assert sent.link.amount == Decimal("54.60") == order.total


def test_a_cancelled_orders_link_no_longer_takes_payment(
    client, card_order, actor, stripe_settings
):
    from bestellwerk.orders.services import set_order_status

    sent = send_payment_link(number=card_order.number, actor=actor)
    set_order_status(number=card_order.number, status="cancelled", actor=actor)

    page = client.get(_path(sent.url)).content.decode()
    checkout = client.post(_path(sent.url) + "checkout/")

    assert 'data-testid="closed"' in page
    assert "/checkout/" not in page
    assert checkout.status_code == 422
    assert not stripe_settings.posted("/v1/checkout/sessions")
    with pytest.raises(ServiceError) as error:
        send_payment_link(number=card_order.number, actor=actor)
    assert error.value.code == "invalid_transition"
