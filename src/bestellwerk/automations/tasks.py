from django_tasks import task

from bestellwerk.automations.services import deliver_queued_webhook, run_step


@task()
def run_automation_step(step_run_id: int) -> str:
    return run_step(step_run_id=step_run_id)


@task()
def deliver_webhook(delivery_id: int) -> str:
    return deliver_queued_webhook(delivery_id=delivery_id)
