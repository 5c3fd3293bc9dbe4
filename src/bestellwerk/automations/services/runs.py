"""Automation runs: the steps of an automation planned for an order event, each run by the
`run_automation_step` task after its delay (claimed with a lease, its effect and its "done"
written in one transaction); the sweep hands on steps whose task was lost or worker died."""

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from bestellwerk.automations.models import (
    Automation,
    AutomationRun,
    AutomationStep,
    AutomationStepRun,
    DelayUnit,
    RunStatus,
    StepAction,
)
from bestellwerk.automations.services.timing import setting_number, sweep_cutoff
from bestellwerk.automations.services.webhooks import queue_webhook_delivery
from bestellwerk.core.actors import Actor
from bestellwerk.core.errors import ServiceError
from bestellwerk.customers.services import add_customer_tags
from bestellwerk.notifications.services import (
    backoff_delay,
    customer_address,
    customer_language,
    queue_order_email,
)
from bestellwerk.orders.events import record_order_event
from bestellwerk.orders.models import OrderEvent, OrderEventType
from bestellwerk.orders.services import change_order_tags, update_order

logger = logging.getLogger(__name__)


def _delay(step: AutomationStep) -> timedelta:
    unit = {DelayUnit.MINUTES: "minutes", DelayUnit.HOURS: "hours", DelayUnit.DAYS: "days"}
    return timedelta(**{unit[DelayUnit(step.delay_unit)]: step.delay})


def start_automation_run(*, automation: Automation, event: OrderEvent) -> AutomationRun | None:
    """Plan every step of `automation` for `event` (each after the previous one's delay).

    None when this automation already ran for the event (a re-dispatch).
    """
    with transaction.atomic():
        run, created = AutomationRun.objects.get_or_create(
            automation=automation, event=event, defaults={"order_id": event.order_id}
        )
    if not created:
        return None
    due = timezone.now()
    step_runs = []
    for step in automation.steps.all():
        due += _delay(step)
        step_runs.append(AutomationStepRun(run=run, step=step, position=step.position, due_at=due))
    AutomationStepRun.objects.bulk_create(step_runs)
    for step_run in AutomationStepRun.objects.filter(run=run):
        due_at, step_run_id = step_run.due_at, step_run.pk
        transaction.on_commit(
            lambda due_at=due_at, step_run_id=step_run_id: enqueue_step(
                step_run_id=step_run_id, run_after=due_at
            )
        )
    return run


@task()
def run_automation_step(step_run_id: int) -> str:
    return run_step(step_run_id=step_run_id)


def enqueue_step(*, step_run_id: int, run_after: datetime | None = None) -> None:
    if run_after is not None and run_after <= timezone.now():
        run_after = None
    try:
        task = run_automation_step.using(run_after=run_after) if run_after else run_automation_step
        task.enqueue(step_run_id=step_run_id)
    except Exception:
        logger.warning(
            "Could not enqueue automation step %s; the sweep will retry.",
            step_run_id,
            exc_info=True,
        )


def step_lease() -> timedelta:
    return timedelta(seconds=setting_number("AUTOMATION_STEP_LEASE_SECONDS", 300))


def claim_step_run(*, step_run_id: int) -> int | None:
    """Take a due step: pending (or running with an expired lease) → running.

    Committed on its own, so the admin shows it running and other workers leave it alone.
    Returns the attempt number that fences the later "done" write, or None if not ours.
    """
    now = timezone.now()
    with transaction.atomic():
        claimed = (
            AutomationStepRun.objects.filter(pk=step_run_id, due_at__lte=now)
            .filter(
                Q(status=RunStatus.PENDING) | Q(status=RunStatus.RUNNING, claimed_until__lt=now)
            )
            .update(
                status=RunStatus.RUNNING,
                claimed_until=now + step_lease(),
                attempts=F("attempts") + 1,
            )
        )
        if not claimed:
            return None
        return AutomationStepRun.objects.values_list("attempts", flat=True).get(pk=step_run_id)


def run_step(*, step_run_id: int) -> str:
    """Run one due step exactly once: its effect and its "done" commit together."""
    attempt = claim_step_run(step_run_id=step_run_id)
    if attempt is None:
        return str(
            AutomationStepRun.objects.filter(pk=step_run_id)
            .values_list("status", flat=True)
            .first()
        )
    try:
        return execute_claimed_step(step_run_id=step_run_id, attempt=attempt)
    except Exception as exc:
        logger.exception("Automation step %s failed (attempt %s).", step_run_id, attempt)
        return _release_after_crash(step_run_id=step_run_id, attempt=attempt, error=exc)


@transaction.atomic
def execute_claimed_step(*, step_run_id: int, attempt: int) -> str:
    step_run = (
        AutomationStepRun.objects.select_for_update(of=("self",))
        .select_related("run__automation", "run__event__order", "step__webhook_endpoint")
        .get(pk=step_run_id)
    )
    if step_run.status != RunStatus.RUNNING or step_run.attempts != attempt:
        # Our lease ran out and another worker took the step over: leave it to them.
        return step_run.status
    status, result, error = RunStatus.DONE, {}, ""
    try:
        with transaction.atomic():
            result = _perform(step_run)
        if result.get("skipped"):
            status = RunStatus.SKIPPED
    except ServiceError as exc:
        status, error = RunStatus.FAILED, f"{exc.code}: {exc.message}"
    _finish_step(step_run, status=status, result=result, error=error)
    return status


def _finish_step(
    step_run: AutomationStepRun, *, status: str, result: dict[str, Any], error: str
) -> None:
    step_run.status = status
    step_run.result = result
    step_run.error = error[:2000]
    step_run.claimed_until = None
    step_run.finished_at = timezone.now()
    step_run.save()
    run = step_run.run
    record_order_event(
        order=run.event.order,
        type=OrderEventType.AUTOMATION_STEP,
        actor=Actor.automation(run.automation.name),
        data={
            "automation_id": run.automation_id,
            "automation": run.automation.name,
            "run_id": run.pk,
            "step": step_run.position,
            "action": step_run.step.action,
            "status": status,
            "result": result,
            "error": step_run.error[:500],
            "attempt": step_run.attempts,
        },
    )


def _perform(step_run: AutomationStepRun) -> dict[str, Any]:
    """The step's own effect, inside the transaction that marks it done."""
    step, event = step_run.step, step_run.run.event
    order = event.order
    actor = Actor.automation(step_run.run.automation.name)
    source = f"automation-step:{step_run.pk}"
    if step.action == StepAction.SEND_EMAIL:
        log = queue_order_email(
            event=event,
            template_code=step.email_template_code,
            recipient=customer_address(order),
            language=customer_language(order),
            source=source,
        )
        if log is None:
            return {"skipped": "no e-mail address or no active template"}
        return {"email_id": log.pk, "to": log.recipient}
    if step.action == StepAction.ADD_CUSTOMER_TAGS:
        if order.customer is None:
            return {"skipped": "the order has no customer"}
        return {"added": add_customer_tags(customer=order.customer, names=step.tag_list)}
    if step.action == StepAction.ADD_ORDER_TAGS:
        change_order_tags(number=order.number, actor=actor, add=step.tag_list)
        return {"tags": step.tag_list}
    if step.action == StepAction.ASSIGN_ORDER:
        if step.assignee is None:
            raise ServiceError("unknown_assignee", _("The step names no user."))
        update_order(number=order.number, actor=actor, assignee=step.assignee.get_username())
        return {"assignee": step.assignee.get_username()}
    if step.action == StepAction.CALL_WEBHOOK:
        if step.webhook_endpoint is None or not step.webhook_endpoint.is_active:
            raise ServiceError("unknown_webhook", _("The step's webhook endpoint is not active."))
        delivery = queue_webhook_delivery(
            endpoint=step.webhook_endpoint, event=event, source=source
        )
        return {"delivery_id": delivery.pk}
    raise ServiceError(
        "unknown_action", _("Unknown step action %(action)r.") % {"action": step.action}
    )


@transaction.atomic
def _release_after_crash(*, step_run_id: int, attempt: int, error: Exception) -> str:
    """An unexpected error: retry later with backoff, or give up after the limit."""
    step_run = (
        AutomationStepRun.objects.select_for_update(of=("self",))
        .select_related("run__automation", "run__event__order", "step")
        .get(pk=step_run_id)
    )
    if step_run.status != RunStatus.RUNNING or step_run.attempts != attempt:
        return step_run.status
    message = f"{type(error).__name__}: {error}"
    if step_run.attempts >= int(setting_number("AUTOMATION_STEP_MAX_ATTEMPTS", 5)):
        _finish_step(step_run, status=RunStatus.FAILED, result={}, error=message)
        return step_run.status
    step_run.status = RunStatus.PENDING
    step_run.claimed_until = None
    step_run.error = message[:2000]
    step_run.due_at = timezone.now() + backoff_delay(attempt=step_run.attempts, base_seconds=60)
    step_run.save()
    due_at = step_run.due_at
    transaction.on_commit(lambda: enqueue_step(step_run_id=step_run_id, run_after=due_at))
    return step_run.status


def sweep_automations(*, limit: int = 500) -> int:
    """Re-enqueue due steps whose task was lost, and steps whose worker died (lease over)."""
    now, cutoff = timezone.now(), sweep_cutoff()
    stuck = list(
        AutomationStepRun.objects.filter(
            Q(status=RunStatus.PENDING, due_at__lte=cutoff)
            | Q(status=RunStatus.RUNNING, claimed_until__lt=now)
        ).values_list("pk", flat=True)[:limit]
    )
    for step_run_id in stuck:
        enqueue_step(step_run_id=step_run_id)
    return len(stuck)
