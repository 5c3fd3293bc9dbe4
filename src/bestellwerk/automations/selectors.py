from typing import Any

from django.db.models import QuerySet

from bestellwerk.automations.models import Automation, Trigger, WebhookEndpoint
from bestellwerk.orders.models import Order, OrderEvent, OrderEventType, OrderStatus


def triggers_for_event(event: OrderEvent) -> list[tuple[str, str]]:
    """The (trigger, status) pairs an event fires; status is "" unless it is a status change."""
    data = event.data or {}
    if event.type == OrderEventType.CREATED:
        return [(Trigger.ORDER_CREATED, "")]
    if event.type == OrderEventType.PAYMENT_STATUS_CHANGED and data.get("to") == "paid":
        return [(Trigger.ORDER_PAID, "")]
    if event.type == OrderEventType.STATUS_CHANGED:
        return [(Trigger.STATUS_CHANGED, data.get("to", ""))]
    if event.type == OrderEventType.SHIPMENT_ADDED:
        return [(Trigger.ORDER_SHIPPED, "")]
    if event.type == OrderEventType.REFUNDED:
        return [(Trigger.ORDER_REFUNDED, "")]
    return []


def automations_for_event(event: OrderEvent) -> list[Automation]:
    triggers = triggers_for_event(event)
    if not triggers:
        return []
    trigger, status = triggers[0]
    automations = Automation.objects.filter(is_active=True, trigger=trigger).prefetch_related(
        "steps"
    )
    if trigger == Trigger.STATUS_CHANGED:
        automations = automations.filter(trigger_status__in=["", status])
    return list(automations)


def order_matches(automation: Automation, order: Order) -> bool:
    """All conditions set on the automation hold for the order."""
    if automation.sku_list:
        skus = set(order.lines.values_list("sku", flat=True))
        if not skus & set(automation.sku_list):
            return False
    if automation.condition_min_total is not None and order.total < (
        automation.condition_min_total
    ):
        return False
    if automation.condition_lead_source_id and (
        order.lead_source_id != automation.condition_lead_source_id
    ):
        return False
    if automation.condition_channel and order.channel != automation.condition_channel:
        return False
    if (
        automation.condition_order_tag_id
        and not order.tags.filter(pk=automation.condition_order_tag_id).exists()
    ):
        return False
    if automation.condition_customer_tag_id and (
        order.customer is None
        or not order.customer.tags.filter(pk=automation.condition_customer_tag_id).exists()
    ):
        return False
    if automation.condition_first_order:
        if order.customer_id is None:
            return False
        earlier = (
            Order.objects.filter(customer_id=order.customer_id, pk__lt=order.pk)
            .exclude(status=OrderStatus.DRAFT)
            .exists()
        )
        if earlier:
            return False
    return True


def endpoints_for_event(event: OrderEvent) -> list[WebhookEndpoint]:
    if event.type == OrderEventType.WEBHOOK_DELIVERED:
        return []
    return [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(is_active=True)
        if event.type in (endpoint.event_types or [])
    ]


def webhook_payload(event: OrderEvent) -> dict[str, Any]:
    """The JSON body: the event and a summary of the order (no internal notes)."""
    order = event.order
    return {
        "event": {
            "id": event.pk,
            "type": event.type,
            "created_at": event.created_at.isoformat(),
            "actor": event.actor_label or event.actor_kind,
            "data": event.data,
        },
        "order": {
            "number": order.number,
            "status": order.status,
            "payment_status": order.payment_status,
            "channel": order.channel,
            "currency": order.currency,
            "total": f"{order.total:.2f}",
            "customer_email": (order.billing_address or {}).get("email", ""),
            "lines": [
                {
                    "sku": line.sku,
                    "name": line.name,
                    "quantity": line.quantity,
                    "unit_price": f"{line.unit_price:.2f}",
                    "total": f"{line.total:.2f}",
                }
                for line in order.lines.all()
            ],
            "tags": sorted(order.tags.values_list("name", flat=True)),
        },
    }


def list_order_automation_runs(*, order: Order) -> QuerySet:
    from bestellwerk.automations.models import AutomationRun

    return (
        AutomationRun.objects.filter(order=order)
        .select_related("automation")
        .prefetch_related("step_runs")
    )
