"""Automations: triggers, conditions, delayed steps on the database queue, exactly-once steps."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from bestellwerk.accounts.models import User
from bestellwerk.automations.models import (
    Automation,
    AutomationRun,
    AutomationStep,
    AutomationStepRun,
    DelayUnit,
    RunStatus,
    StepAction,
    Trigger,
    WebhookDelivery,
    WebhookEndpoint,
)
from bestellwerk.automations.services import (
    claim_step_run,
    execute_claimed_step,
    sweep_automations,
)
from bestellwerk.core.models import Tag
from bestellwerk.customers.models import Customer
from bestellwerk.notifications.models import EmailLog, EmailTemplate
from bestellwerk.orders.events import record_order_event
from bestellwerk.orders.inputs import LineInput
from bestellwerk.orders.models import LeadSource, OrderEvent, OrderEventType
from bestellwerk.orders.outbox import dispatch_event
from bestellwerk.orders.services import (
    add_shipment,
    create_order,
    set_order_status,
)
from bestellwerk.payments.services import set_payment_status
from tests.notifications.support import REAL_COMMITS, text_of

pytestmark = REAL_COMMITS


@pytest.fixture
def coffee_tips() -> EmailTemplate:
    return EmailTemplate.objects.create(
        code="coffee_tips",
        language="de",
        name="Kaffee-Tipps",
        subject="Tipps zu Ihrem Kaffee ({{ order_number }})",
        body_text="Hallo {{ customer_first_name }}, mahlen Sie frisch!",
    )


@pytest.fixture
def coffee_automation(coffee_tips) -> Automation:
    """New order with SKU KAF-1: tag the customer, e-mail tips after 1 minute."""
    automation = Automation.objects.create(
        name="Kaffee-Neukunden", trigger=Trigger.ORDER_CREATED, condition_skus="KAF-1, XYZ"
    )
    AutomationStep.objects.create(
        automation=automation, position=1, action=StepAction.ADD_CUSTOMER_TAGS, tags="kaffee-fan"
    )
    AutomationStep.objects.create(
        automation=automation,
        position=2,
        delay=1,
        delay_unit=DelayUnit.MINUTES,
        action=StepAction.SEND_EMAIL,
        email_template_code="coffee_tips",
    )
    return automation


def make_time_pass(step_run: AutomationStepRun) -> None:
    """Move a delayed step and its queued task into the past (the minute has gone by)."""
    past = timezone.now() - timedelta(seconds=1)
    AutomationStepRun.objects.filter(pk=step_run.pk).update(due_at=past)
    DBTaskResult.objects.filter(
        task_path="bestellwerk.automations.services.runs.run_automation_step",
        args_kwargs__kwargs__step_run_id=step_run.pk,
    ).update(run_after=past)


def test_new_order_with_sku_tags_the_customer_and_mails_after_one_minute(
    coffee_automation, order, smtp, run_db_worker
):
    # when the order with KAF-1 is dispatched and the worker runs
    run_db_worker()
    # then the customer is tagged at once
    run = AutomationRun.objects.get(automation=coffee_automation, order=order)
    tag_step, mail_step = run.step_runs.order_by("position")
    assert tag_step.status == RunStatus.DONE
    assert list(Customer.objects.get(pk=order.customer_id).tags.values_list("name", flat=True)) == [
        "kaffee-fan"
    ]
    # and the e-mail waits a minute: the step and its queued task are not runnable yet
    assert mail_step.status == RunStatus.PENDING
    # (due a minute after the first step ran: between the run's start and now, plus 60 s,
    # however slow the machine was in between)
    minute = timedelta(minutes=1)
    assert run.created_at + minute <= mail_step.due_at <= timezone.now() + minute
    queued = DBTaskResult.objects.get(
        task_path="bestellwerk.automations.services.runs.run_automation_step",
        args_kwargs__kwargs__step_run_id=mail_step.pk,
    )
    assert abs((queued.run_after - mail_step.due_at).total_seconds()) < 1
    assert not DBTaskResult.objects.ready().filter(pk=queued.pk).exists()
    assert [m["Subject"] for m in smtp.messages if "Tipps" in m["Subject"]] == []
    # when the minute has passed
    make_time_pass(mail_step)
    run_db_worker()
    # then the tips arrive and both steps are on the timeline
    mail_step.refresh_from_db()
    assert mail_step.status == RunStatus.DONE
    [tips] = [m for m in smtp.messages if "Tipps" in m["Subject"]]
    assert tips["Subject"] == f"Tipps zu Ihrem Kaffee ({order.number})"
    assert text_of(tips).strip() == "Hallo Erika, mahlen Sie frisch!"
    steps = OrderEvent.objects.filter(order=order, type=OrderEventType.AUTOMATION_STEP)
    assert [(e.data["step"], e.data["action"], e.data["status"]) for e in steps] == [
        (1, "add_customer_tags", "done"),
        (2, "send_email", "done"),
    ]
    assert steps[0].actor_kind == "automation"
    assert steps[0].actor_label == "Kaffee-Neukunden"


def test_a_step_runs_early_only_when_due(coffee_automation, order, smtp, run_db_worker):
    # given the delayed mail step is planned
    run_db_worker()
    mail_step = AutomationStepRun.objects.get(position=2)
    # when a worker runs its task ahead of time (e.g. the sweep re-enqueued it)
    from bestellwerk.automations.services import run_step

    # then it does nothing and stays pending
    assert run_step(step_run_id=mail_step.pk) == RunStatus.PENDING
    assert not EmailLog.objects.filter(template_code="coffee_tips").exists()


def test_orders_that_miss_a_condition_start_nothing(
    coffee_automation, actor, mug, billing, run_db_worker
):
    # given an order without KAF-1
    create_order(actor=actor, billing_address=billing, lines=[LineInput(quantity=1, sku=mug.sku)])
    run_db_worker()
    assert not AutomationRun.objects.exists()


@pytest.mark.parametrize(
    ("condition", "value_for_match", "value_for_miss"),
    [
        ("condition_min_total", "40.00", "500.00"),
        ("condition_channel", "manual", "web"),
        ("condition_lead_source", "newsletter", "instagram"),
        ("condition_order_tag", "vip", "wholesale"),
        ("condition_customer_tag", "stammkunde", "neukunde"),
    ],
)
def test_each_condition_is_checked(
    condition, value_for_match, value_for_miss, actor, coffee, billing, run_db_worker
):
    # given an order with lead source newsletter, order tag vip, customer tag stammkunde
    for code in ("newsletter", "instagram"):
        LeadSource.objects.get_or_create(code=code, defaults={"name": code})
    customer = Customer.objects.create(email=billing["email"])
    customer.tags.add(Tag.objects.create(name="stammkunde"))

    def value(raw):
        if condition == "condition_lead_source":
            return LeadSource.objects.get(code=raw)
        if condition in ("condition_order_tag", "condition_customer_tag"):
            return Tag.objects.get_or_create(name=raw)[0]
        return raw

    for name, raw in (("match", value_for_match), ("miss", value_for_miss)):
        automation = Automation.objects.create(name=name, trigger=Trigger.ORDER_CREATED)
        setattr(automation, condition, value(raw))
        automation.save()
        AutomationStep.objects.create(
            automation=automation, action=StepAction.ADD_ORDER_TAGS, tags=f"hit-{name}"
        )
    order = create_order(
        actor=actor,
        billing_address=billing,
        lines=[LineInput(quantity=3, sku=coffee.sku)],
        lead_source="newsletter",
        tags=["vip"],
    )
    run_db_worker()
    assert list(AutomationRun.objects.values_list("automation__name", flat=True)) == ["match"]
    assert "hit-match" in set(order.tags.values_list("name", flat=True))


def test_first_order_condition_skips_returning_customers(actor, coffee, billing, run_db_worker):
    automation = Automation.objects.create(
        name="Willkommen", trigger=Trigger.ORDER_CREATED, condition_first_order=True
    )
    AutomationStep.objects.create(
        automation=automation, action=StepAction.ADD_CUSTOMER_TAGS, tags="neu"
    )
    first = create_order(
        actor=actor, billing_address=billing, lines=[LineInput(quantity=1, sku=coffee.sku)]
    )
    second = create_order(
        actor=actor, billing_address=billing, lines=[LineInput(quantity=1, sku=coffee.sku)]
    )
    run_db_worker()
    assert list(AutomationRun.objects.values_list("order", flat=True)) == [first.pk]
    assert second.customer_id == first.customer_id


def test_each_trigger_fires_on_its_event(order, actor, run_db_worker):
    # given one automation per trigger, tagging the order with the trigger's name
    for trigger, status in (
        (Trigger.ORDER_PAID, ""),
        (Trigger.STATUS_CHANGED, "processing"),
        (Trigger.STATUS_CHANGED, "cancelled"),
        (Trigger.ORDER_SHIPPED, ""),
        (Trigger.ORDER_REFUNDED, ""),
    ):
        automation = Automation.objects.create(
            name=f"{trigger}-{status}", trigger=trigger, trigger_status=status
        )
        AutomationStep.objects.create(
            automation=automation, action=StepAction.ADD_ORDER_TAGS, tags=f"{trigger}{status}"
        )
    # when the order is paid, processed, shipped and refunded (not cancelled)
    set_payment_status(number=order.number, payment_status="paid", actor=actor)
    set_order_status(number=order.number, status="processing", actor=actor)
    add_shipment(number=order.number, actor=actor, carrier_name="DHL", tracking_code="1")
    record_order_event(
        order=order, type=OrderEventType.REFUNDED, actor=actor, data={"amount": "5.00"}
    )
    run_db_worker()
    # then exactly the matching automations ran
    order.refresh_from_db()
    assert sorted(order.tags.values_list("name", flat=True)) == [
        "order_paid",
        "order_refunded",
        "order_shipped",
        "status_changedprocessing",
    ]


def test_assign_and_webhook_steps(order, actor, http_receiver, run_db_worker):
    # given an automation assigning the order to Sam and calling a webhook
    sam = User.objects.create_user(username="sam2", password="pw-sam-12345")
    endpoint = WebhookEndpoint.objects.create(name="CRM", url=http_receiver.url, secret="s")
    automation = Automation.objects.create(name="Zuweisen", trigger=Trigger.ORDER_CREATED)
    AutomationStep.objects.create(
        automation=automation, position=1, action=StepAction.ASSIGN_ORDER, assignee=sam
    )
    AutomationStep.objects.create(
        automation=automation,
        position=2,
        action=StepAction.CALL_WEBHOOK,
        webhook_endpoint=endpoint,
    )
    run_db_worker()
    order.refresh_from_db()
    assert order.assignee == sam
    assert OrderEvent.objects.filter(order=order, type=OrderEventType.ASSIGNEE_CHANGED).exists()
    [request] = http_receiver.requests
    assert request["headers"]["Bestellwerk-Event"] == "created"
    assert WebhookDelivery.objects.get().source.startswith("automation-step:")


def test_a_step_that_breaks_a_rule_fails_and_is_logged(order, run_db_worker):
    # given a step assigning to a user who has been deactivated since
    gone = User.objects.create_user(username="gone", password="pw-gone-12345")
    automation = Automation.objects.create(name="Kaputt", trigger=Trigger.ORDER_CREATED)
    AutomationStep.objects.create(
        automation=automation, action=StepAction.ASSIGN_ORDER, assignee=gone
    )
    User.objects.filter(pk=gone.pk).update(is_active=False)
    run_db_worker()
    step_run = AutomationStepRun.objects.get()
    assert step_run.status == RunStatus.FAILED
    assert step_run.error.startswith("unknown_assignee")
    event = OrderEvent.objects.get(type=OrderEventType.AUTOMATION_STEP)
    assert event.data["status"] == "failed"
    order.refresh_from_db()
    assert order.assignee is None


def test_a_redispatched_event_starts_no_second_run(coffee_automation, order, run_db_worker):
    run_db_worker()
    created = OrderEvent.objects.get(order=order, type=OrderEventType.CREATED)
    OrderEvent.objects.filter(pk=created.pk).update(dispatched_at=None)
    dispatch_event(event_id=created.pk)
    run_db_worker()
    assert AutomationRun.objects.count() == 1
    assert AutomationStepRun.objects.count() == 2


def test_a_worker_dying_after_the_claim_loses_no_step_and_runs_none_twice(
    order, settings, commit, run_db_worker
):
    # given an automation tagging the order, and a one-second lease
    settings.AUTOMATION_STEP_LEASE_SECONDS = 1
    settings.OUTBOX_SWEEP_GRACE_SECONDS = 0
    automation = Automation.objects.create(name="Markieren", trigger=Trigger.ORDER_CREATED)
    AutomationStep.objects.create(
        automation=automation, action=StepAction.ADD_ORDER_TAGS, tags="geprüft"
    )
    with commit():
        dispatch_event(event_id=OrderEvent.objects.get(type=OrderEventType.CREATED).pk)
    step_run = AutomationStepRun.objects.get()
    # when a worker claims the step and dies before doing it (its queued task is gone too)
    first_attempt = claim_step_run(step_run_id=step_run.pk)
    DBTaskResult.objects.all().delete()
    step_run.refresh_from_db()
    assert (step_run.status, step_run.attempts) == (RunStatus.RUNNING, 1)
    # then while its lease holds, nobody else takes it
    assert claim_step_run(step_run_id=step_run.pk) is None
    assert sweep_automations() == 0
    # when the lease runs out, the sweep re-enqueues it and a worker runs it
    time.sleep(1.1)
    with commit():
        assert sweep_automations() == 1
    run_db_worker()
    step_run.refresh_from_db()
    assert (step_run.status, step_run.attempts) == (RunStatus.DONE, 2)
    # and if the dead worker woke up and tried to finish, its stale attempt changes nothing
    assert execute_claimed_step(step_run_id=step_run.pk, attempt=first_attempt) == RunStatus.DONE
    assert OrderEvent.objects.filter(type=OrderEventType.AUTOMATION_STEP).count() == 1
    tag_events = OrderEvent.objects.filter(type=OrderEventType.TAGS_CHANGED)
    assert [e.data["added"] for e in tag_events] == [["geprüft"]]


def test_a_step_refused_by_a_rule_fails_without_retry_and_changes_nothing(order, run_db_worker):
    # given an order-tag step whose tag name is longer than tags may be
    automation = Automation.objects.create(name="Lang", trigger=Trigger.ORDER_CREATED)
    AutomationStep.objects.create(
        automation=automation, action=StepAction.ADD_ORDER_TAGS, tags="x" * 51
    )
    run_db_worker()
    step_run = AutomationStepRun.objects.get()
    # then the tag service refused it: failed after one attempt, no tag written
    assert (step_run.status, step_run.attempts) == (RunStatus.FAILED, 1)
    assert "invalid_tag" in step_run.error
    assert not order.tags.exists()


def test_the_timeline_describes_steps_and_deliveries(order, http_receiver, run_db_worker):
    from django.utils import translation

    from bestellwerk.orders.templatetags.order_page import describe_event

    endpoint = WebhookEndpoint.objects.create(
        name="CRM", url=http_receiver.url, secret="s", event_types=["created"]
    )
    automation = Automation.objects.create(name="Markieren", trigger=Trigger.ORDER_CREATED)
    AutomationStep.objects.create(
        automation=automation, position=1, action=StepAction.ADD_ORDER_TAGS, tags="neu"
    )
    run_db_worker()
    step = OrderEvent.objects.get(type=OrderEventType.AUTOMATION_STEP)
    delivered = OrderEvent.objects.get(type=OrderEventType.WEBHOOK_DELIVERED)
    with translation.override("de"):
        assert describe_event(step) == (
            "Automation „Markieren“, Schritt 1: Bestell-Tags hinzufügen – Erledigt"
        )
        assert describe_event(delivered) == "Webhook „CRM“ hat created erhalten (HTTP 200)"
    assert endpoint.deliveries.count() == 1
