"""Every write of automations and webhooks.

Both follow the e-mail pattern: a row written in the outbox dispatch transaction
(AutomationStepRun, WebhookDelivery), a task per row after commit, declared beside the
function it runs, a claim by conditional UPDATE with a lease before the work, a fenced "done"
write, and a sweep that re-enqueues rows whose task was lost or whose worker died.
- webhooks: queue_webhook_delivery, the deliver_webhook task, sweep_webhooks
- runs: start_automation_run, the run_automation_step task, sweep_automations
"""

from bestellwerk.automations.services.runs import (
    claim_step_run,
    execute_claimed_step,
    run_step,
    start_automation_run,
    sweep_automations,
)
from bestellwerk.automations.services.webhooks import queue_webhook_delivery, sweep_webhooks

__all__ = [
    "claim_step_run",
    "execute_claimed_step",
    "queue_webhook_delivery",
    "run_step",
    "start_automation_run",
    "sweep_automations",
    "sweep_webhooks",
]
