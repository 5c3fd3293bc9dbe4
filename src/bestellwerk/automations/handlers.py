"""Order events → automation runs and webhook deliveries (inside the dispatch transaction).

automation_step and webhook_delivered events are recorded by this app; neither is a
trigger nor subscribable, so recording them never loops back.
"""

from bestellwerk.automations.selectors import (
    automations_for_event,
    endpoints_for_event,
    order_matches,
)
from bestellwerk.automations.services.runs import start_automation_run
from bestellwerk.automations.services.webhooks import queue_webhook_delivery
from bestellwerk.orders.models import OrderEvent


def _asked_not_to_run(event: OrderEvent) -> bool:
    """An import places orders without automations or webhooks unless asked for them (it
    may still ask for the confirmation e-mail on the same event)."""
    return (event.data or {}).get("run_automations") is False


def start_automations(event: OrderEvent) -> None:
    if _asked_not_to_run(event):
        return
    for automation in automations_for_event(event):
        if order_matches(automation, event.order):
            start_automation_run(automation=automation, event=event)


def trigger_webhooks(event: OrderEvent) -> None:
    if _asked_not_to_run(event):
        return
    for endpoint in endpoints_for_event(event):
        queue_webhook_delivery(endpoint=endpoint, event=event)
