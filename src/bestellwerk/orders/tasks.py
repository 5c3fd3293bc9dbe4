from django_tasks import task

from bestellwerk.orders.outbox import dispatch_event, sweep_outbox


@task()
def dispatch_order_event(event_id: int) -> bool:
    return dispatch_event(event_id=event_id)


@task()
def sweep_order_outbox() -> int:
    return sweep_outbox()
