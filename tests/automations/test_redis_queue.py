"""The same e-mails, automations and webhooks on the Redis queue (django-tasks-rq + rq).

Runs whenever Redis answers (REDIS_URL's host, else 127.0.0.1:6379) on a database number of
its own (13, or REDIS_TEST_DB; flushed before and after); required, not skipped, when CI is
set.
"""

import os
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import django_rq
import pytest
import redis
from django.utils import timezone
from django_tasks_rq.backend import Job
from rq import SimpleWorker
from rq.registry import ScheduledJobRegistry

from bestellwerk.automations.models import (
    Automation,
    AutomationStep,
    AutomationStepRun,
    DelayUnit,
    DeliveryStatus,
    RunStatus,
    StepAction,
    Trigger,
    WebhookDelivery,
    WebhookEndpoint,
)
from bestellwerk.core.actors import Actor
from bestellwerk.customers.models import Customer
from bestellwerk.notifications.models import EmailLog, EmailStatus
from bestellwerk.orders.outbox import sweep_outbox
from bestellwerk.orders.services import set_order_status

pytestmark = pytest.mark.django_db

# A database number of our own (flushed by these tests); REDIS_TEST_DB separates parallel runs.
OWN_REDIS_DB = int(os.environ.get("REDIS_TEST_DB", "13"))


def redis_test_url() -> str:
    base = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    return f"redis://{base.hostname or '127.0.0.1'}:{base.port or 6379}/{OWN_REDIS_DB}"


@pytest.fixture
def rq_queue(settings):
    url = redis_test_url()
    try:
        connection = redis.Redis.from_url(url, socket_connect_timeout=1)
        connection.ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis at {url} is required in CI: {exc}")
        pytest.skip(f"Redis at {url} does not answer: {exc}")
    connection.flushdb()
    settings.RQ_QUEUES = {"default": {"URL": url, "DEFAULT_TIMEOUT": 60}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    queue = django_rq.get_queue("default", job_class=Job)
    yield queue
    connection.flushdb()


@pytest.fixture
def run_rq_worker(rq_queue, django_capture_on_commit_callbacks):
    """An rq worker in burst mode with its scheduler, in this process (it sees the test DB)."""

    def run() -> None:
        for _round in range(50):
            with django_capture_on_commit_callbacks(execute=True) as callbacks:
                sweep_outbox(older_than=timedelta(0))
                worker = SimpleWorker([rq_queue], connection=rq_queue.connection, job_class=Job)
                worker.work(burst=True, with_scheduler=True)
            if not callbacks and rq_queue.count == 0:
                return
        raise AssertionError("the Redis queue never ran dry")

    return run


def test_an_automation_with_a_delayed_mail_runs_on_redis(
    rq_queue, run_rq_worker, order, smtp, settings
):
    # given "new order with KAF-1: tag the customer, e-mail after 1 hour" (an hour, not a
    # minute: on a busy machine the worker's rounds took over a minute, and the mail was due)
    automation = Automation.objects.create(
        name="Kaffee", trigger=Trigger.ORDER_CREATED, condition_skus="KAF-1"
    )
    AutomationStep.objects.create(
        automation=automation, position=1, action=StepAction.ADD_CUSTOMER_TAGS, tags="kaffee-fan"
    )
    AutomationStep.objects.create(
        automation=automation,
        position=2,
        delay=1,
        delay_unit=DelayUnit.HOURS,
        action=StepAction.SEND_EMAIL,
        email_template_code="order_confirmation",
    )
    # when the rq worker runs
    run_rq_worker()
    # then the customer is tagged and the confirmation sent, the mail step is scheduled in rq
    assert Customer.objects.get(pk=order.customer_id).tags.get().name == "kaffee-fan"
    assert len(smtp.messages) == 1
    mail_step = AutomationStepRun.objects.get(position=2)
    assert mail_step.status == RunStatus.PENDING
    registry = ScheduledJobRegistry(queue=rq_queue)
    [job_id] = registry.get_job_ids()
    scheduled_at = registry.get_scheduled_time(Job.fetch(job_id, connection=rq_queue.connection))
    assert abs((scheduled_at - mail_step.due_at).total_seconds()) < 1
    # when the hour has passed (the job and the step moved into the past)
    past = datetime.now(UTC) - timedelta(seconds=1)
    registry.schedule(Job.fetch(job_id, connection=rq_queue.connection), past)
    AutomationStepRun.objects.filter(pk=mail_step.pk).update(due_at=timezone.now())
    run_rq_worker()
    # then the second mail went out through the automation
    mail_step.refresh_from_db()
    assert mail_step.status == RunStatus.DONE
    assert len(smtp.messages) == 2
    assert EmailLog.objects.filter(source=f"automation-step:{mail_step.pk}").get().status == (
        EmailStatus.SENT
    )


def test_a_status_mail_and_a_retried_webhook_on_redis(
    rq_queue, run_rq_worker, order, smtp, http_receiver, settings, commit
):
    # given an endpoint that fails once, retries 2 s later
    settings.WEBHOOK_RETRY_BASE_SECONDS = 2
    WebhookEndpoint.objects.create(
        name="ERP", url=http_receiver.url, secret="s", event_types=["status_changed"]
    )
    http_receiver.statuses = [502, 200]
    with commit():
        set_order_status(
            number=order.number, status="processing", actor=Actor.system(), notify_customer=True
        )
    run_rq_worker()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
    # when the retry is due and the worker (with its scheduler) runs again
    time.sleep(2.2)
    run_rq_worker()
    # then the webhook got through on the second attempt and the status mail was sent
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (
        DeliveryStatus.DELIVERED,
        2,
        200,
    )
    assert sorted(m["Subject"] for m in smtp.messages) == [
        f"Bestellung {order.number} wird bearbeitet",
        f"Ihre Bestellung {order.number} bei Bestellwerk Demo-Shop",
    ]
