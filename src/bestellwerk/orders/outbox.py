"""The event outbox: consumers register here; each event is dispatched to them once.

Later apps (e-mails, automations, webhooks) call `register_event_handler` in their
`AppConfig.ready`. A handler must be idempotent: a crash after a handler ran but before
`dispatched_at` was written makes the sweep call it again.
"""

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from bestellwerk.orders.models import OrderEvent

logger = logging.getLogger(__name__)

EventHandler = Callable[[OrderEvent], None]
_handlers: list[tuple[frozenset[str] | None, EventHandler]] = []


def register_event_handler(handler: EventHandler, *, types: set[str] | None = None) -> None:
    """Call `handler(event)` for every dispatched event (or only for `types`)."""
    entry = (frozenset(types) if types else None, handler)
    if entry not in _handlers:
        _handlers.append(entry)


def unregister_event_handler(handler: EventHandler) -> None:
    _handlers[:] = [(types, h) for types, h in _handlers if h is not handler]


def dispatch_event(*, event_id: int) -> bool:
    """Run every handler for one event, once. False when it was dispatched already."""
    with transaction.atomic():
        event = (
            # Lock the event row only: locking the joined order too would make a dispatch
            # skip its event whenever a service holds the order.
            OrderEvent.objects.select_for_update(skip_locked=_can_skip_locked(), of=("self",))
            .select_related("order")
            .filter(pk=event_id, dispatched_at__isnull=True)
            .first()
        )
        if event is None:
            return False
        for types, handler in list(_handlers):
            if types is None or event.type in types:
                handler(event)
        event.dispatched_at = timezone.now()
        event.save(update_fields=["dispatched_at"])
    return True


@task()
def dispatch_order_events(event_ids: list[int]) -> int:
    """Dispatch the events one transaction recorded."""
    return dispatch_events(event_ids)


def dispatch_events(event_ids: list[int]) -> int:
    """Dispatch events in order; one that fails stays in the outbox for the sweep and does
    not hold up the others. How many were dispatched now."""
    dispatched = 0
    for event_id in event_ids:
        try:
            dispatched += dispatch_event(event_id=event_id)
        except Exception:
            logger.exception("Dispatch of order event %s failed; it stays in the outbox.", event_id)
    return dispatched


def _can_skip_locked() -> bool:
    from django.db import connection

    return connection.features.has_select_for_update_skip_locked


class _EventBatch:
    """The events one transaction recorded, sent to the queue as one task on commit."""

    def __init__(self) -> None:
        self.event_ids: list[int] = []
        self.sent = False

    def __call__(self) -> None:
        self.sent = True
        _enqueue(self.event_ids)


def dispatch_on_commit(event_id: int) -> None:
    """Dispatch the event once its transaction commits: the events of one transaction go to
    the queue as one task (creating an order records several)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _enqueue([event_id])
        return
    # The batch is an on-commit callback of the current transaction or savepoint: it goes
    # with a rollback, so no id outlives its transaction, and a service running inside
    # another's transaction has its own (as each would on its own). An id whose savepoint
    # rolled back after the batch was registered is skipped by `dispatch_event`; a batch
    # already sent belongs to a transaction that is over (tests keep those callbacks).
    level = set(connection.savepoint_ids)
    open_batches = (
        func
        for savepoints, func, _robust in connection.run_on_commit
        if isinstance(func, _EventBatch) and not func.sent and savepoints == level
    )
    batch = next(open_batches, None)
    if batch is None:
        batch = _EventBatch()
        transaction.on_commit(batch)
    batch.event_ids.append(event_id)


def _enqueue(event_ids: list[int]) -> None:
    try:
        dispatch_order_events.enqueue(event_ids=event_ids)
    except Exception:
        logger.warning(
            "Could not enqueue dispatch of order events %s; the sweep will retry.",
            event_ids,
            exc_info=True,
        )


def sweep_outbox(*, older_than: timedelta | None = None, limit: int = 500) -> int:
    """Dispatch events whose dispatch never ran (queue down, crash before enqueue)."""
    if older_than is None:
        older_than = timedelta(seconds=settings.OUTBOX_SWEEP_GRACE_SECONDS)
    cutoff = timezone.now() - older_than
    event_ids = list(
        OrderEvent.objects.filter(dispatched_at__isnull=True, created_at__lte=cutoff)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return dispatch_events(event_ids)
