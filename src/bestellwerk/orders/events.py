"""Writing the order timeline. Every service records its events inside its transaction;
each event is handed to the outbox dispatcher once that transaction commits."""

from typing import Any

from bestellwerk.core.actors import Actor
from bestellwerk.orders.models import Order, OrderEvent, OrderEventType
from bestellwerk.orders.outbox import dispatch_on_commit


def record_order_event(
    *, order: Order, type: OrderEventType | str, actor: Actor, data: dict[str, Any] | None = None
) -> OrderEvent:
    event = OrderEvent.objects.create(
        order=order, type=type, data=data or {}, actor_token=actor.token, **actor.as_fields()
    )
    dispatch_on_commit(event.pk)
    return event
