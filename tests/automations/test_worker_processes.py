"""The real worker commands as separate processes on a shared PostgreSQL test database:
`bestellwerk db_worker --batch` and `bestellwerk rqworker --burst --with-scheduler`."""

import subprocess
import sys

import pytest

from bestellwerk.automations.models import (
    Automation,
    AutomationStep,
    AutomationStepRun,
    RunStatus,
    StepAction,
    Trigger,
)
from bestellwerk.customers.models import Customer
from bestellwerk.notifications.models import EmailLog, EmailStatus
from bestellwerk.orders.outbox import sweep_outbox
from tests.automations.test_redis_queue import redis_test_url
from tests.automations.test_worker_crash import PROJECT_DIR, worker_env
from tests.conftest import requires_postgres
from tests.notifications.support import SmtpInbox, text_of

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def run_worker_process(args: list[str], *, smtp: SmtpInbox, redis_url: str = "") -> None:
    env = worker_env() | {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    done = subprocess.run(
        [sys.executable, "-m", "bestellwerk", *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.fixture
def coffee_automation() -> Automation:
    automation = Automation.objects.create(
        name="Kaffee", trigger=Trigger.ORDER_CREATED, condition_skus="KAF-1"
    )
    AutomationStep.objects.create(
        automation=automation, action=StepAction.ADD_CUSTOMER_TAGS, tags="kaffee-fan"
    )
    return automation


def test_db_worker_process_sends_the_confirmation_and_runs_the_automation(
    db_queue, coffee_automation, order, smtp
):
    # (db_queue first: the order's dispatch tasks are enqueued on the database queue even
    # when the run has REDIS_URL set)
    # when a separate `db_worker --batch` process drains the database queue
    run_worker_process(
        ["db_worker", "--batch", "--no-startup-delay", "--no-reload", "-v", "0"], smtp=smtp
    )
    # then the confirmation reached the SMTP server and the customer was tagged
    [message] = smtp.messages
    assert "2 × Kaffee Crema 1 kg" in text_of(message)
    assert EmailLog.objects.get(order=order).status == EmailStatus.SENT
    assert AutomationStepRun.objects.get().status == RunStatus.DONE
    assert Customer.objects.get(pk=order.customer_id).tags.get().name == "kaffee-fan"


def test_rq_worker_process_does_the_same_on_redis(
    coffee_automation, smtp, settings, actor, coffee, mug, billing
):
    import redis

    from bestellwerk.orders.inputs import LineInput
    from bestellwerk.orders.services import create_order

    # given the Redis queue (its own database number), empty
    url = redis_test_url()
    connection = redis.Redis.from_url(url)
    connection.flushdb()
    settings.RQ_QUEUES = {"default": {"URL": url, "DEFAULT_TIMEOUT": 60}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    try:
        # when an order is placed (its dispatch enqueued on Redis at commit) ...
        order = create_order(
            actor=actor,
            billing_address=billing,
            lines=[LineInput(quantity=2, sku=coffee.sku), LineInput(quantity=1, sku=mug.sku)],
        )
        sweep_outbox()  # nothing old enough: dispatch is the queue's job
        # ... and `rqworker --burst --with-scheduler` runs until the queue is empty, twice
        # (tasks enqueued by tasks land behind the first burst)
        for _round in range(3):
            run_worker_process(
                [
                    "rqworker",
                    "default",
                    "--burst",
                    "--with-scheduler",
                    "--job-class",
                    "django_tasks_rq.backend.Job",
                ],
                smtp=smtp,
                redis_url=url,
            )
    finally:
        connection.flushdb()
    # then the same happened as on the database queue
    [message] = smtp.messages
    assert f"Ihre Bestellung {order.number}" in message["Subject"]
    assert EmailLog.objects.get(order=order).status == EmailStatus.SENT
    assert Customer.objects.get(pk=order.customer_id).tags.get().name == "kaffee-fan"
