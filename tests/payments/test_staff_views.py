"""The staff's payments section, payment link button and refund form (Django client)."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

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
    assert 'data-testid="refunded-amount">19,90\xa0€<' in section
    assert 'data-testid="paid-amount">54,60\xa0€<' in section


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


# --------------------------------------------------------------------------- the ledger box

HX = {"HX-Request": "true"}


def on_order_page(order) -> dict[str, str]:
    """The headers htmx sends from the order page."""
    return {**HX, "HX-Current-URL": f"http://testserver/orders/{order.number}/"}


def box_of(client, order) -> str:
    return client.get(f"/orders/{order.number}/payments/", headers=HX).content.decode()


def record(client, order, *, confirmed: bool, **values):
    form = {
        "version": order.version,
        "amount": "20,00",
        "method": "invoice",
        "paid_on": timezone.localdate().isoformat(),
        "reference": "Kontoauszug 7",
        **values,
    }
    if confirmed:
        form["confirmed"] = "1"
    return client.post(
        f"/orders/{order.number}/payments/record", form, headers=on_order_page(order)
    )


@pytest.fixture
def partly_paid(order, actor):
    """The 54.60 invoice order with 20.00 paid by bank transfer."""
    from bestellwerk.payments.services import record_manual_payment

    record_manual_payment(
        number=order.number, actor=actor, amount="20.00", method="invoice", reference="Überweisung"
    )
    order.refresh_from_db()
    return order


def test_the_box_shows_paid_and_the_open_amount(sales_client, partly_paid):
    html = box_of(sales_client, partly_paid)

    assert 'data-testid="paid-amount">20,00\xa0€<' in html
    assert 'data-testid="refunded-amount">0,00\xa0€<' in html
    assert "Offener Betrag" in html
    assert 'data-balance="due">34,60\xa0€<' in html
    assert "Zu erstatten" not in html


def test_the_ledger_lists_each_payment_with_who_recorded_it(sales_client, partly_paid, admin_user):
    html = box_of(sales_client, partly_paid)

    [entry] = re.findall(r'<li [^>]*data-testid="ledger-entry".*?</li>', html, re.S)
    assert timezone.localdate().strftime("%d.%m.%Y") in entry
    assert "20,00\xa0€" in entry and "Rechnung" in entry
    assert "<code>Überweisung</code>" in entry
    assert "von Anna" in entry
    assert "Stornieren" in entry


def test_the_form_proposes_the_open_amount_the_orders_method_and_today(sales_client, partly_paid):
    html = box_of(sales_client, partly_paid)

    form = html[html.index('data-testid="record-payment"') :]
    assert 'name="amount" value="34,60"' in form
    assert '<option value="invoice" selected>' in form
    assert f'name="paid_on" value="{timezone.localdate().isoformat()}"' in form


def test_recording_asks_to_confirm_amount_and_order_first(sales_client, order):
    # when the form is sent without the confirmation
    response = record(sales_client, order, confirmed=False)

    # then the box asks about the amount for this order, and shows what follows
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Zahlung über 20,00\xa0€ für Bestellung {order.number} erfassen?" in html
    assert "Danach: Teilweise bezahlt · offen 34,60\xa0€" in html
    assert 'name="confirmed" value="1"' in html
    # and nothing is recorded yet, not even an event
    order.refresh_from_db()
    assert order.paid_total == 0 and not order.payments.exists()
    assert not order.events.filter(type=OrderEventType.PAYMENT_RECORDED).exists()


def test_a_confirmed_payment_is_recorded_and_the_order_page_follows(sales_client, order):
    response = record(sales_client, order, confirmed=True)

    order.refresh_from_db()
    [payment] = order.payments.all()
    assert (payment.amount, payment.method.code, payment.reference) == (
        Decimal("20.00"),
        "invoice",
        "Kontoauszug 7",
    )
    assert order.payment_status == "partially_paid" and order.balance == Decimal("34.60")
    html = response.content.decode()
    # the box answers, and the page's version, header badge and payment section follow
    assert '<section id="order-payments"' in html
    oob = set(re.findall(r'id="([\w-]+)"[^>]*hx-swap-oob="true"', html))
    assert {"order-version", "order-header", "section-payment", "section-timeline"} <= oob
    assert f'value="{order.version}"' in html
    assert "Teilweise bezahlt" in html
    assert "Zahlung von 20,00\xa0€ erfasst" in html


def test_a_payment_on_an_earlier_day_is_dated_that_day(sales_client, order):
    day = timezone.localdate() - timedelta(days=3)

    record(sales_client, order, confirmed=True, paid_on=day.isoformat())

    payment = order.payments.get()
    assert timezone.localtime(payment.paid_at).date() == day


def test_an_amount_over_the_maximum_is_refused_inline(sales_client, order):
    response = record(sales_client, order, confirmed=True, amount="10000000,00")

    html = response.content.decode()
    assert 'data-testid="payment-form-error"' in html
    assert "Ein Betrag ist höchstens 9.999.999,99." in html
    assert 'name="amount" value="10000000,00"' in html  # what was typed stays
    assert not order.payments.exists()


def test_a_payment_beyond_what_an_order_may_be_paid_is_refused_by_the_service(
    sales_client, order, actor
):
    from bestellwerk.payments.services import record_manual_payment

    record_manual_payment(number=order.number, actor=actor, amount="9999990.00")
    order.refresh_from_db()

    response = record(sales_client, order, confirmed=False, amount="20,00")

    html = response.content.decode()
    assert 'data-error-code="payment_too_large"' in html
    assert order.payments.count() == 1


def test_a_garbled_amount_and_a_future_day_are_refused_inline(sales_client, order):
    garbled = record(sales_client, order, confirmed=False, amount="zwanzig").content.decode()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    future = record(sales_client, order, confirmed=False, paid_on=tomorrow).content.decode()

    assert "Bitte eine Zahl eingeben." in garbled
    assert 'data-error-code="invalid_paid_at"' in future
    assert "Eine Zahlung kann nicht in der Zukunft datiert sein." in future
    assert not order.payments.exists()


def test_a_stale_page_is_refused_with_a_reload_link(sales_client, order, actor):
    from bestellwerk.orders.services import add_order_note

    add_order_note(number=order.number, body="inzwischen", actor=actor)

    response = record(sales_client, order, confirmed=True)

    html = response.content.decode()
    assert 'data-error-code="version_conflict"' in html and 'data-testid="reload-link"' in html
    assert not order.payments.exists()


def test_voiding_needs_a_reason(sales_client, partly_paid):
    payment = partly_paid.payments.get()

    response = sales_client.post(
        f"/orders/{partly_paid.number}/payments/{payment.pk}/void",
        {"version": partly_paid.version, "reason": "  "},
        headers=on_order_page(partly_paid),
    )

    html = response.content.decode()
    assert 'data-testid="void-error">Bitte angeben, warum die Zahlung storniert wird.<' in html
    assert '<details class="mt-1" open>' in html
    assert partly_paid.payments.count() == 1


def test_voiding_with_a_reason_strikes_the_payment_through(sales_client, partly_paid):
    payment = partly_paid.payments.get()

    response = sales_client.post(
        f"/orders/{partly_paid.number}/payments/{payment.pk}/void",
        {"version": partly_paid.version, "reason": "Doppelt erfasst"},
        headers=on_order_page(partly_paid),
    )

    partly_paid.refresh_from_db()
    assert partly_paid.paid_total == 0 and partly_paid.payment_status == "unpaid"
    html = response.content.decode()
    assert '<del class="fw-semibold" data-testid="ledger-amount">20,00\xa0€</del>' in html
    assert "Storno" in html and "Doppelt erfasst" in html
    assert "Stornieren</summary>" not in html  # neither the voided payment nor its void
    assert 'data-balance="due">54,60\xa0€<' in html
    assert "section-payment" in html and "Unbezahlt" in html


def test_voiding_a_payment_twice_is_refused_inline(sales_client, partly_paid, actor):
    from bestellwerk.payments.services import void_payment

    payment = partly_paid.payments.get()
    void_payment(number=partly_paid.number, payment_id=payment.pk, reason="weg", actor=actor)
    partly_paid.refresh_from_db()

    response = sales_client.post(
        f"/orders/{partly_paid.number}/payments/{payment.pk}/void",
        {"version": partly_paid.version, "reason": "nochmal"},
        headers=on_order_page(partly_paid),
    )

    assert 'data-error-code="already_voided"' in response.content.decode()
    assert partly_paid.payments.count() == 2


def test_a_provider_payment_is_not_offered_for_voiding(sales_client, card_order, actor):
    from bestellwerk.payments.providers.base import PaymentConfirmation
    from bestellwerk.payments.services import record_payment

    confirmation = PaymentConfirmation(
        order_number=card_order.number,
        reference="cs_test_1",
        refund_reference="pi_test_1",
        amount=card_order.total,
        currency="EUR",
    )
    record_payment(confirmation=confirmation, provider="stripe", actor=actor)

    html = box_of(sales_client, card_order)

    assert 'data-testid="ledger-entry"' in html and "Stornieren</summary>" not in html


def test_the_warehouse_may_neither_record_nor_void(client, warehouse_user, partly_paid):
    client.force_login(warehouse_user)
    payment = partly_paid.payments.get()

    recorded = record(client, partly_paid, confirmed=True)
    voided = client.post(
        f"/orders/{partly_paid.number}/payments/{payment.pk}/void",
        {"version": partly_paid.version, "reason": "x"},
        headers=HX,
    )

    assert recorded.status_code == voided.status_code == 403
    assert partly_paid.payments.count() == 1


def test_an_overpaid_order_offers_to_refund_the_difference(sales_client, paid_order, actor):
    from bestellwerk.orders.inputs import LineInput
    from bestellwerk.orders.services import set_order_lines

    # given a paid order whose coffee quantity went from 2 to 1 (19.90 to give back)
    set_order_lines(
        number=paid_order.number,
        lines=[LineInput(quantity=1, sku="KAF-1"), LineInput(quantity=1, sku="TAS-1")],
        actor=actor,
    )

    # when the box is shown
    html = box_of(sales_client, paid_order)

    # then it says what is to be refunded and links to the refund form with that amount
    assert "Zu erstatten" in html and 'data-balance="refund_due">19,90\xa0€<' in html
    link = re.search(r'data-testid="refund-difference" href="([^"]+)">Differenz erstatten<', html)
    assert link is not None
    url = link.group(1).replace("&amp;", "&")
    assert url.startswith(f"/orders/{paid_order.number}/refunds/new?amount=19.90")

    form = sales_client.get(url).content.decode()
    assert 'name="amount" value="19.90"' in form


def test_the_refund_form_ignores_a_garbled_proposed_amount(sales_client, paid_order):
    form = sales_client.get(f"/orders/{paid_order.number}/refunds/new?amount=viel").content.decode()

    assert 'name="amount"' in form and 'name="amount" value=' not in form


def test_the_box_stays_a_fixed_number_of_queries_with_more_payments(sales_client, order, actor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bestellwerk.payments.services import record_manual_payment, void_payment

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            box_of(sales_client, order)
        return len(captured)

    first = record_manual_payment(number=order.number, actor=actor, amount="1.00")
    with_one = queries()
    for amount in ("2.00", "3.00", "4.00"):
        record_manual_payment(number=order.number, actor=actor, amount=amount)
    void_payment(number=order.number, payment_id=first.pk, reason="Tippfehler", actor=actor)

    assert queries() == with_one


def test_an_unknown_order_is_not_found(sales_client, db):
    assert sales_client.get("/orders/99999/payments/").status_code == 404
    assert sales_client.post("/orders/99999/payments/record", {}).status_code == 404
    assert sales_client.get("/orders/99999/refunds/new").status_code == 404
