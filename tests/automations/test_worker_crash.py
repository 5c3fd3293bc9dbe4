"""A real `db_worker` process killed in the middle of a step: nothing lost, nothing twice.

Needs PostgreSQL: the worker runs as a separate process on the same (committed) test
database, and the test holds the order's row lock to catch the worker inside the step.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from bestellwerk.automations.models import (
    Automation,
    AutomationStep,
    AutomationStepRun,
    RunStatus,
    StepAction,
    Trigger,
)
from bestellwerk.automations.services import sweep_automations
from bestellwerk.orders.models import Order, OrderEvent, OrderEventType
from bestellwerk.orders.outbox import dispatch_event
from tests.conftest import requires_postgres

PROJECT_DIR = Path(__file__).resolve().parents[2]


def worker_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    url = (
        f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env |= {
        "DATABASE_URL": url,
        "AUTOMATION_STEP_LEASE_SECONDS": "2",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    return env


def start_worker() -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bestellwerk",
            "db_worker",
            "--batch",
            "--interval",
            "0.1",
            "--no-startup-delay",
            "--no-reload",
            "-v",
            "0",
        ],
        cwd=PROJECT_DIR,
        env=worker_env(),
    )


def wait_for(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.1)


@requires_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_inside_a_step_loses_nothing_and_runs_nothing_twice(order, db_queue):
    # given an automation tagging every new order, dispatched for the fixture's order
    automation = Automation.objects.create(name="Prüfen", trigger=Trigger.ORDER_CREATED)
    AutomationStep.objects.create(
        automation=automation, action=StepAction.ADD_ORDER_TAGS, tags="geprüft"
    )
    created = OrderEvent.objects.get(order=order, type=OrderEventType.CREATED)
    OrderEvent.objects.filter(pk=created.pk).update(dispatched_at=None)
    dispatch_event(event_id=created.pk)
    step_run = AutomationStepRun.objects.get()
    # (only the step's task stays queued: the other events' dispatch is not under test)
    DBTaskResult.objects.exclude(
        task_path="bestellwerk.automations.services.runs.run_automation_step"
    ).delete()
    assert DBTaskResult.objects.count() == 1
    # when a worker process takes the step while we hold the order's row lock ...
    with transaction.atomic():
        Order.objects.select_for_update().get(pk=order.pk)
        worker = start_worker()
        try:
            wait_for(
                lambda: AutomationStepRun.objects.filter(
                    pk=step_run.pk, status=RunStatus.RUNNING
                ).exists()
            )
            time.sleep(0.5)  # it now waits for the lock inside the step's transaction
            # ... and is killed there
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
        finally:
            if worker.poll() is None:
                worker.kill()
    # then the step is left claimed, its effect rolled back with the dead transaction
    step_run.refresh_from_db()
    assert (step_run.status, step_run.attempts) == (RunStatus.RUNNING, 1)
    assert not order.tags.exists()
    # when the lease is over, the sweep re-enqueues it and a new worker drains the queue
    time.sleep(2.1)
    assert sweep_automations() == 1
    worker = start_worker()
    assert worker.wait(timeout=60) == 0
    # then the step ran exactly once
    step_run.refresh_from_db()
    assert (step_run.status, step_run.attempts) == (RunStatus.DONE, 2)
    assert list(order.tags.values_list("name", flat=True)) == ["geprüft"]
    assert OrderEvent.objects.filter(type=OrderEventType.AUTOMATION_STEP).count() == 1
    assert (
        OrderEvent.objects.filter(type=OrderEventType.TAGS_CHANGED, data__added=["geprüft"]).count()
        == 1
    )
