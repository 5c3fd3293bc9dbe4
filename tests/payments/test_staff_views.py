"""The staff's payments section, payment link button and refund form (Django client)."""

from decimal import Decimal

import pytest

from bestellwerk.orders.models import Order, OrderEventType
from bestellwerk.payments.models import Refund

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales_client(client, sales_user):
    client.force_login(sales_user)
    return client


def test_the_payments_section_shows_paid_refunded_and_actions(sales_client, paid_order):
    response = sales_client.get(f"/orders/{paid_order.number}/payments/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Zahlungen und Erstattungen" in html
    assert f"/orders/{paid_order.number}/refunds/new" in html
    assert "Zahlungslink senden" not in html


def test_an_unpaid_order_offers_the_payment_link_button(sales_client, order):
    html = sales_client.get(f"/orders/{order.number}/payments/").content.decode()
    assert "Zahlungslink senden" in html


def test_warehouse_staff_and_strangers_are_kept_out(client, warehouse_user, paid_order):
    path = f"/orders/{paid_order.number}/payments/"
    assert client.get(path).status_code == 302
    client.force_login(warehouse_user)
    assert client.get(path).status_code == 403
    assert client.post(f"/orders/{paid_order.number}/refunds/new", {}).status_code == 403
    assert client.post(f"/orders/{paid_order.number}/payment-link/").status_code == 403


def test_the_button_sends_a_link_and_htmx_gets_the_section_back(sales_client, order):
    response = sales_client.post(
        f"/orders/{order.number}/payment-link/", headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="order-payments"' in html
    assert 'data-testid="payment-link-url"' in html
    assert order.events.filter(type=OrderEventType.PAYMENT_LINK_SENT).count() == 1


def test_the_button_without_htmx_redirects_back(sales_client, order):
    response = sales_client.post(
        f"/orders/{order.number}/payment-link/", {"next": f"/orders/{order.number}/"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.number}/"


def test_an_offsite_next_is_ignored(sales_client, order):
    response = sales_client.post(
        f"/orders/{order.number}/payment-link/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == f"/orders/{order.number}/payments/"


def test_the_refund_form_lists_the_lines_with_what_is_left(sales_client, paid_order):
    response = sales_client.get(f"/orders/{paid_order.number}/refunds/new")

    assert response.status_code == 200
    html = response.content.decode()
    assert "KAF-1" in html and "TAS-1" in html
    assert 'name="qty_0"' in html and 'max="2"' in html
    assert 'data-total="39.80"' in html
    assert 'name="idempotency_key"' in html


def _refund_form(**values):
    form = {
        "qty_0": "1",
        "qty_1": "0",
        "reason": "Bruch",
        "restock": "on",
        "notify_customer": "on",
        "idempotency_key": "form-1",
    }
    form.update(values)
    return form


def test_submitting_the_form_refunds_and_a_double_submit_refunds_once(sales_client, paid_order):
    path = f"/orders/{paid_order.number}/refunds/new"

    first = sales_client.post(path, _refund_form())
    second = sales_client.post(path, _refund_form())

    assert first.status_code == second.status_code == 302
    refund = Refund.objects.get()
    assert (refund.amount, refund.reason, refund.restock, refund.notify_customer) == (
        Decimal("19.90"),
        "Bruch",
        True,
        True,
    )
    assert [(line.sku, line.quantity) for line in refund.lines.all()] == [("KAF-1", 1)]
    assert Order.objects.get(pk=paid_order.pk).payment_status == "partially_refunded"
    section = sales_client.get(f"/orders/{paid_order.number}/payments/").content.decode()
    assert 'data-testid="refunded-amount">19,90 EUR<' in section
    assert 'data-testid="paid-amount">54,60 EUR<' in section


def test_an_amount_over_the_bound_shows_the_error_and_refunds_nothing(sales_client, paid_order):
    response = sales_client.post(
        f"/orders/{paid_order.number}/refunds/new",
        _refund_form(amount="60.00", qty_0="0"),
    )

    assert response.status_code == 422
    assert not Refund.objects.exists()


def test_a_form_without_quantities_shipping_or_amount_is_refused(sales_client, paid_order):
    response = sales_client.post(
        f"/orders/{paid_order.number}/refunds/new", _refund_form(qty_0="0")
    )

    assert response.status_code == 422
    assert "Bitte Mengen oder Versand wählen oder einen Betrag eingeben." in (
        response.content.decode()
    )
    assert not Refund.objects.exists()


def test_the_computed_amount_edited_by_staff_is_refunded(sales_client, paid_order):
    response = sales_client.post(
        f"/orders/{paid_order.number}/refunds/new", _refund_form(amount="15.00")
    )

    assert response.status_code == 302
    refund = Refund.objects.get()
    assert refund.amount == Decimal("15.00")
    assert [(line.sku, line.quantity) for line in refund.lines.all()] == [("KAF-1", 1)]


def test_a_refund_the_service_refuses_shows_its_message(sales_client, order):
    response = sales_client.post(f"/orders/{order.number}/refunds/new", _refund_form())

    assert response.status_code == 422
    assert "nicht bezahlt" in response.content.decode()
    assert not Refund.objects.exists()


def test_the_order_page_can_include_the_section_with_one_tag(rf, sales_user, paid_order):
    from django.template import Context, Template

    request = rf.get("/orders/")
    request.user = sales_user
    html = Template("{% load payments %}{% order_payments order %}").render(
        Context({"order": paid_order, "request": request})
    )

    assert 'id="order-payments"' in html
    assert "54,60" in html


def test_the_section_is_a_fixed_number_of_queries(sales_client, paid_order, actor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bestellwerk.payments.services import RefundLineInput, refund_order

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = sales_client.get(
                f"/orders/{paid_order.number}/payments/", headers={"HX-Request": "true"}
            )
        assert response.status_code == 200
        return len(captured)

    refund_order(number=paid_order.number, actor=actor, lines=[RefundLineInput("KAF-1", 1)])
    with_one = queries()
    for amount in ("1.00", "2.00", "3.00"):
        refund_order(number=paid_order.number, actor=actor, amount=amount)
    refund_order(number=paid_order.number, actor=actor, lines=[RefundLineInput("TAS-1", 1)])

    assert queries() == with_one


def test_the_owner_chooses_each_methods_provider_in_the_admin(client, admin_user):
    from bestellwerk.payments.models import PaymentMethod

    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    method = PaymentMethod.objects.get(code="paypal")

    response = client.post(
        f"/admin/payments/paymentmethod/{method.pk}/change/",
        {
            "code": "paypal",
            "name": "PayPal",
            "name_en": "PayPal",
            "provider": "stripe",
            "is_active": "on",
            "position": "4",
        },
    )
    refused = client.post(
        f"/admin/payments/paymentmethod/{method.pk}/change/",
        {"code": "paypal", "name": "PayPal", "provider": "bitcoin", "position": "4"},
    )

    assert response.status_code == 302
    assert refused.status_code == 200
    method.refresh_from_db()
    assert method.provider == "stripe"
    assert client.get("/admin/payments/refund/").status_code == 200
    assert client.get("/admin/payments/payment/add/").status_code == 403
