"""Order e-mails end to end: outbox dispatch → EmailLog → db_worker → real SMTP server."""

import time
from datetime import timedelta

import pytest

from bestellwerk.core.actors import Actor
from bestellwerk.core.models import ShopSettings
from bestellwerk.customers.models import Customer
from bestellwerk.notifications.models import EmailLog, EmailStatus, EmailTemplate
from bestellwerk.orders.events import record_order_event
from bestellwerk.orders.models import OrderEvent, OrderEventType
from bestellwerk.orders.outbox import dispatch_event, sweep_outbox
from bestellwerk.orders.services import add_order_note, add_shipment, set_order_status
from tests.notifications.support import REAL_COMMITS, SmtpInbox, html_of, text_of

pytestmark = REAL_COMMITS

SECRET_NOTE = "INTERN: Kunde zahlt nie pünktlich, GEHEIM-4711"


@pytest.fixture
def placed(order, smtp, run_db_worker):
    """The pending order of the fixtures, its confirmation already received and cleared."""
    run_db_worker()
    assert [m["Subject"] for m in smtp.messages] == [
        f"Ihre Bestellung {order.number} bei Bestellwerk Demo-Shop"
    ]
    smtp.messages.clear()
    return order


def test_placing_an_order_sends_the_german_confirmation_with_real_order_data(
    actor, coffee, mug, billing, smtp: SmtpInbox, commit, run_db_worker
):
    # given an order placed by a customer without a language (shop default: German)
    from bestellwerk.orders.inputs import LineInput
    from bestellwerk.orders.services import create_order

    with commit():
        order = create_order(
            actor=actor,
            billing_address=billing,
            lines=[LineInput(quantity=2, sku=coffee.sku), LineInput(quantity=1, sku=mug.sku)],
            payment_method="invoice",
            shipping_method="standard",
        )
    # when the worker runs the queue
    run_db_worker()
    # then the SMTP server received one German confirmation with the order's data
    [message] = smtp.to("erika@example.de")
    assert message["Subject"] == f"Ihre Bestellung {order.number} bei Bestellwerk Demo-Shop"
    text = text_of(message)
    assert "Hallo Erika Mustermann," in text
    assert "2 × Kaffee Crema 1 kg (KAF-1): 39,80 €" in text
    assert f"Gesamt: {order.total:.2f}".replace(".", ",") + " €" in text
    html = html_of(message)
    assert "<td>Kaffee Crema 1 kg</td>" in html
    assert "39,80 €" in html
    # and the log and the timeline say so
    log = EmailLog.objects.get(order=order)
    assert (log.status, log.attempts, log.template_code, log.language) == (
        EmailStatus.SENT,
        1,
        "order_confirmation",
        "de",
    )
    sent = OrderEvent.objects.get(order=order, type=OrderEventType.EMAIL_SENT)
    assert sent.data["to"] == "erika@example.de"
    assert sent.data["email_id"] == log.pk
    assert sent.actor_kind == "system"


def test_an_english_customer_gets_the_english_template(
    order, smtp: SmtpInbox, commit, run_db_worker
):
    # given the customer prefers English
    Customer.objects.filter(pk=order.customer_id).update(language="en")
    # when the order moves to processing with notify_customer
    with commit():
        set_order_status(
            number=order.number,
            status="processing",
            actor=Actor.system(),
            notify_customer=True,
            comment="Packed with care.",
        )
    run_db_worker()
    # then the confirmation and the status mail are both English
    assert sorted(m["Subject"] for m in smtp.messages) == [
        f"Order {order.number} is being processed",
        f"Your order {order.number} at Bestellwerk Demo-Shop",
    ]
    text = text_of(next(m for m in smtp.messages if "processed" in m["Subject"]))
    assert "Hello Erika Mustermann," in text
    assert "2 × Kaffee Crema 1 kg (KAF-1): €39.80" in text
    assert "Note: Packed with care." in text


def test_a_status_change_with_notify_off_sends_nothing(placed, smtp, commit, run_db_worker):
    # given an order whose confirmation went out
    before = EmailLog.objects.count()
    # when its status changes without notify
    with commit():
        set_order_status(number=placed.number, status="processing", actor=Actor.system())
    run_db_worker()
    # then no e-mail is logged or received beyond the confirmation
    assert EmailLog.objects.count() == before
    assert [m["Subject"] for m in smtp.messages] == []


def test_notify_admins_mails_every_admin_address_in_the_shop_language(
    placed, smtp, commit, run_db_worker
):
    # given two admin addresses and an English shop
    shop = ShopSettings.load()
    shop.admin_emails = "chef@shop.example\n\n lager@shop.example \nkein-at-zeichen\n"
    shop.default_language = "en"
    shop.save()
    # when the status changes with notify_admins only
    with commit():
        set_order_status(
            number=placed.number, status="on_hold", actor=Actor.system(), notify_admins=True
        )
    run_db_worker()
    # then each admin got the English on-hold mail and the customer nothing
    assert sorted(m["To"] for m in smtp.messages) == ["chef@shop.example", "lager@shop.example"]
    assert {m["Subject"] for m in smtp.messages} == {f"Order {placed.number} is on hold"}


def test_a_shipment_mails_the_tracking_link(placed, smtp, commit, run_db_worker):
    # when a parcel is added with a tracking link
    with commit():
        add_shipment(
            number=placed.number,
            actor=Actor.system(),
            carrier_name="DHL",
            tracking_code="00340434161094042557",
            tracking_url="https://www.dhl.de/track?piececode=00340434161094042557",
        )
    run_db_worker()
    # then the customer gets the shipment mail with the link in text and HTML
    [message] = smtp.messages
    assert "00340434161094042557" in text_of(message)
    assert "Sendung verfolgen: https://www.dhl.de/track?piececode=00340434161094042557" in (
        text_of(message)
    )
    assert 'href="https://www.dhl.de/track?piececode=00340434161094042557"' in html_of(message)


def test_payment_link_and_refund_events_of_the_payments_app_send_their_mails(
    placed, smtp, commit, run_db_worker
):
    # given the payments app records a payment link and two refunds (one silent)
    with commit():
        record_order_event(
            order=placed,
            type=OrderEventType.PAYMENT_LINK_SENT,
            actor=Actor.system(),
            data={
                "url": "https://pay.example/l/abc123",
                "expires_at": "2026-12-01T12:00:00+00:00",
                "amount": "49.70",
            },
        )
        record_order_event(
            order=placed,
            type=OrderEventType.REFUNDED,
            actor=Actor.system(),
            data={"amount": "9.90", "notify_customer": True},
        )
        record_order_event(
            order=placed,
            type=OrderEventType.REFUNDED,
            actor=Actor.system(),
            data={"amount": "1.00", "notify_customer": False},
        )
    run_db_worker()
    # then one payment-link mail and one refund mail arrive
    subjects = sorted(m["Subject"] for m in smtp.messages)
    assert subjects == [
        f"Bitte bezahlen Sie Bestellung {placed.number}",
        f"Erstattung zu Bestellung {placed.number}",
    ]
    link_mail = next(m for m in smtp.messages if "bezahlen" in m["Subject"])
    assert "https://pay.example/l/abc123" in text_of(link_mail)
    assert "49,70 €" in text_of(link_mail)
    assert "01.12.2026" in text_of(link_mail)
    refund_mail = next(m for m in smtp.messages if "Erstattung" in m["Subject"])
    assert "9,90 €" in text_of(refund_mail)


def test_internal_notes_never_appear_in_any_email(order, actor, smtp, commit, run_db_worker):
    # given an internal note and an order comment the customer is meant to read
    with commit():
        add_order_note(number=order.number, body=SECRET_NOTE, actor=actor)
        set_order_status(
            number=order.number,
            status="processing",
            actor=actor,
            notify_customer=True,
            notify_admins=True,
            comment="Wird heute verpackt.",
        )
        add_shipment(number=order.number, actor=actor, carrier_name="DHL", tracking_code="X1")
        set_order_status(number=order.number, status="shipped", actor=actor, notify_customer=True)
    shop = ShopSettings.load()
    shop.admin_emails = "chef@shop.example"
    shop.save()
    run_db_worker()
    # then four e-mails went out and none carries the note in any part
    assert len(smtp.messages) >= 4
    for message in smtp.messages:
        raw = message.as_string()
        assert "GEHEIM-4711" not in raw
        assert "GEHEIM-4711" not in text_of(message) + html_of(message)
    assert any("Wird heute verpackt." in text_of(m) for m in smtp.messages)


def test_smtp_down_logs_a_failed_attempt_and_a_later_retry_succeeds(
    order, smtp_port, settings, commit, run_db_worker
):
    # given no SMTP server listens and retries wait one second
    settings.EMAIL_RETRY_BASE_SECONDS = 1
    # when the worker tries to send the confirmation
    run_db_worker()
    # then the attempt is logged as failed with a retry planned, on the timeline too
    log = EmailLog.objects.get(order=order)
    assert (log.status, log.attempts) == (EmailStatus.PENDING, 1)
    assert "Connection refused" in log.last_error or "ConnectionRefusedError" in log.last_error
    assert log.next_attempt_at is not None
    failed = OrderEvent.objects.get(order=order, type=OrderEventType.EMAIL_FAILED)
    assert failed.data["final"] is False and failed.data["retry_at"]
    # when the server comes up and the retry is due
    inbox = SmtpInbox(port=smtp_port)
    inbox.start()
    try:
        time.sleep(1.2)
        run_db_worker()
    finally:
        inbox.stop()
    # then the second attempt delivered it, once
    log.refresh_from_db()
    assert (log.status, log.attempts) == (EmailStatus.SENT, 2)
    assert len(inbox.messages) == 1
    assert OrderEvent.objects.filter(order=order, type=OrderEventType.EMAIL_SENT).count() == 1


def test_a_mail_that_keeps_failing_stops_after_the_attempt_limit(
    order, smtp_port, settings, commit, run_db_worker
):
    # given a dead server, two attempts at most, one second apart
    settings.EMAIL_RETRY_BASE_SECONDS = 1
    settings.EMAIL_MAX_ATTEMPTS = 2
    run_db_worker()
    time.sleep(1.2)
    run_db_worker()
    # then the mail is failed for good after two attempts and nothing more is queued
    log = EmailLog.objects.get(order=order)
    assert (log.status, log.attempts, log.next_attempt_at) == (EmailStatus.FAILED, 2, None)
    finals = OrderEvent.objects.filter(order=order, type=OrderEventType.EMAIL_FAILED)
    assert [e.data["final"] for e in finals] == [False, True]


def test_a_redispatched_event_sends_nothing_twice(order, smtp, commit, run_db_worker):
    # given the confirmation was sent
    run_db_worker()
    created = OrderEvent.objects.get(order=order, type=OrderEventType.CREATED)
    # when the outbox dispatches the same event again (a crash before dispatched_at was saved)
    OrderEvent.objects.filter(pk=created.pk).update(dispatched_at=None)
    with commit():
        assert dispatch_event(event_id=created.pk) is True
    run_db_worker()
    # then there is still one log entry and one message
    assert EmailLog.objects.filter(event=created).count() == 1
    assert len(smtp.messages) == 1


def test_the_events_this_app_records_do_not_loop_back(order, smtp, commit, run_db_worker):
    # when the confirmation is sent (which records email_sent, itself dispatched)
    run_db_worker()
    # then every event is dispatched and exactly one e-mail exists
    assert not OrderEvent.objects.filter(dispatched_at__isnull=True).exists()
    assert EmailLog.objects.count() == 1
    assert OrderEvent.objects.filter(type=OrderEventType.EMAIL_SENT).count() == 1


def test_a_template_that_does_not_render_is_logged_failed_and_blocks_nothing(
    actor, coffee, billing, smtp, commit, run_db_worker
):
    # given a broken confirmation template
    EmailTemplate.objects.filter(code="order_confirmation").update(body_text="{% for x in %}")
    from bestellwerk.orders.inputs import LineInput
    from bestellwerk.orders.services import create_order

    # when an order is placed
    with commit():
        order = create_order(
            actor=actor, billing_address=billing, lines=[LineInput(quantity=1, sku=coffee.sku)]
        )
    run_db_worker()
    # then nothing is sent, the failure is logged, and the event still got dispatched
    log = EmailLog.objects.get(order=order)
    assert log.status == EmailStatus.FAILED
    assert "lässt sich nicht darstellen" in log.last_error
    assert OrderEvent.objects.filter(order=order, type=OrderEventType.EMAIL_FAILED).exists()
    assert not OrderEvent.objects.filter(order=order, dispatched_at__isnull=True).exists()
    assert smtp.messages == []


def test_an_order_without_an_address_or_template_mails_nobody(
    actor, coffee, smtp, commit, run_db_worker
):
    from bestellwerk.orders.inputs import LineInput
    from bestellwerk.orders.services import create_order

    # given a walk-in order without e-mail, and a deactivated shipment template
    EmailTemplate.objects.filter(code="shipment").update(is_active=False)
    with commit():
        walk_in = create_order(actor=actor, lines=[LineInput(quantity=1, sku=coffee.sku)])
    run_db_worker()
    # then nothing is logged or sent
    assert not EmailLog.objects.filter(order=walk_in).exists()
    assert smtp.messages == []


def test_without_a_mail_server_mail_lands_in_the_local_outbox(
    order, settings, commit, run_db_worker, admin_user, client
):
    # given the backend `make run` uses when EMAIL_HOST is not set
    settings.EMAIL_BACKEND = "bestellwerk.notifications.backends.LocalOutboxBackend"
    run_db_worker()
    # then the confirmation is in the local outbox, readable by staff in the admin
    from bestellwerk.notifications.models import LocalOutboxMessage

    [kept] = LocalOutboxMessage.objects.all()
    assert kept.to == "erika@example.de"
    assert kept.subject.startswith(f"Ihre Bestellung {order.number}")
    assert "<table" in kept.body_html
    client.force_login(admin_user)
    admin_user.is_superuser = True
    admin_user.save()
    listing = client.get("/admin/notifications/localoutboxmessage/")
    assert listing.status_code == 200
    assert f"Ihre Bestellung {order.number}" in listing.content.decode()
    detail = client.get(f"/admin/notifications/localoutboxmessage/{kept.pk}/change/")
    assert detail.status_code == 200
    assert 'sandbox=""' in detail.content.decode()


def test_the_sweep_requeues_an_email_whose_task_was_lost(
    order, smtp, settings, commit, run_db_worker
):
    from django_tasks_db.models import DBTaskResult

    from bestellwerk.notifications.services import sweep_emails

    # given the confirmation row exists but its send task vanished (queue wiped)
    settings.OUTBOX_SWEEP_GRACE_SECONDS = 0
    with commit():
        sweep_outbox(older_than=timedelta(0))
    DBTaskResult.objects.all().delete()
    assert EmailLog.objects.get(order=order).status == EmailStatus.PENDING
    # when the sweep runs
    with commit():
        assert sweep_emails() == 1
    run_db_worker()
    # then it is sent
    assert EmailLog.objects.get(order=order).status == EmailStatus.SENT
    assert len(smtp.messages) == 1


def test_the_workers_sweeper_runs_the_email_webhook_and_step_sweeps(
    order, smtp, settings, commit, run_db_worker
):
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    # given a confirmation whose send task was lost
    settings.OUTBOX_SWEEP_GRACE_SECONDS = 0
    with commit():
        sweep_outbox(older_than=timedelta(0))
    DBTaskResult.objects.all().delete()
    # when `bestellwerk worker --batch` runs on the database queue (its sweeps include
    # WORKER_SWEEPS)
    settings.REDIS_URL = ""
    assert "bestellwerk.notifications.services.sweep_emails" in settings.WORKER_SWEEPS
    call_command("worker", batch=True, verbosity=0)
    # then the e-mail went out
    assert EmailLog.objects.get(order=order).status == EmailStatus.SENT
    assert len(smtp.messages) == 1


def test_the_order_timeline_says_which_mail_went_to_whom(
    order, smtp_port, settings, admin_user, client, run_db_worker
):
    from django.utils import translation

    from bestellwerk.orders.templatetags.order_page import describe_event

    # given the first attempt failed (no server) and the retry succeeded
    settings.EMAIL_RETRY_BASE_SECONDS = 0.2
    run_db_worker()
    inbox = SmtpInbox(port=smtp_port)
    inbox.start()
    try:
        time.sleep(0.3)
        run_db_worker()
    finally:
        inbox.stop()
    # then the timeline reads both attempts in words, in German
    failed = OrderEvent.objects.get(order=order, type=OrderEventType.EMAIL_FAILED)
    sent = OrderEvent.objects.get(order=order, type=OrderEventType.EMAIL_SENT)
    with translation.override("de"):
        assert describe_event(sent) == (
            f"E-Mail „Ihre Bestellung {order.number} bei Bestellwerk Demo-Shop“ "
            "an erika@example.de gesendet"
        )
        text = describe_event(failed)
    assert text.startswith(f"E-Mail „Ihre Bestellung {order.number}")
    assert "an erika@example.de fehlgeschlagen (Versuch 1)" in text
    assert text.endswith("wird erneut versucht")


def test_an_order_placed_with_notify_customer_false_sends_no_confirmation(
    order, smtp, commit, run_db_worker
):
    # given the confirmation of the fixture order went out
    run_db_worker()
    assert len(smtp.messages) == 1
    # when a silent `created` (e.g. an import) is recorded for it
    with commit():
        record_order_event(
            order=order,
            type=OrderEventType.CREATED,
            actor=Actor.system(),
            data={"status": "pending", "notify_customer": False},
        )
    run_db_worker()
    # then no second confirmation is sent
    assert len(smtp.messages) == 1
    assert EmailLog.objects.count() == 1


def test_the_payments_apps_payment_link_reaches_the_customer(placed, smtp, commit, run_db_worker):
    from bestellwerk.payments.services import send_payment_link

    # when staff send a payment link through the payments service
    with commit():
        sent = send_payment_link(number=placed.number, actor=Actor.system())
    run_db_worker()
    # then the customer's e-mail carries that very link and the amount owed
    [message] = smtp.messages
    assert message["Subject"] == f"Bitte bezahlen Sie Bestellung {placed.number}"
    assert sent.url in text_of(message)
    assert f'href="{sent.url}"' in html_of(message)
    assert f"{placed.total:.2f}".replace(".", ",") + " €" in text_of(message)
