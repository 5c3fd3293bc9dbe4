"""The event outbox: events are written with the change, dispatched after commit by a task,
once per event, and swept up later when the queue was down."""

import signal
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from bestellwerk.core.errors import ServiceError
from bestellwerk.orders import outbox
from bestellwerk.orders.inputs import LineInput
from bestellwerk.orders.models import OrderEvent, OrderEventType
from bestellwerk.orders.outbox import dispatch_event, register_event_handler, sweep_outbox
from bestellwerk.orders.services import create_order, set_order_status

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Redis on a port nobody listens on: every enqueue fails with a connection error.
REDIS_DOWN = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
RQ_QUEUES_DOWN = {"default": {"URL": "redis://127.0.0.1:1/0", "DEFAULT_TIMEOUT": 5}}


class Recorder:
    """A consumer of the outbox that remembers what it was handed."""

    def __init__(self) -> None:
        self.seen: list[tuple[int, str]] = []

    def __call__(self, event: OrderEvent) -> None:
        self.seen.append((event.pk, event.type))

    @property
    def ids(self) -> list[int]:
        return [pk for pk, _type in self.seen]


@pytest.fixture
def handler(monkeypatch) -> Recorder:
    """Only this test's consumer is registered (the other apps' e-mails and webhooks are
    tested where they live)."""
    monkeypatch.setattr(outbox, "_handlers", [])
    recorder = Recorder()
    register_event_handler(recorder)
    return recorder


def new_order(actor, billing, **kwargs):
    return create_order(
        actor=actor,
        billing_address=billing,
        lines=[LineInput(1, name="Ware", unit_price="5.00", vat_rate="19")],
        **kwargs,
    )


def test_events_are_written_with_the_change_and_none_when_it_fails(actor, order, snapshot):
    # given the order's one event
    assert list(order.events.values_list("type", flat=True)) == [OrderEventType.CREATED]
    # when a change fails half-way (status recorded, then stock short), then no event stays
    before = OrderEvent.objects.count()
    with pytest.raises(ServiceError):
        set_order_status(number=order.number, status="processing", actor=actor, comment="x" * 6000)
    order.lines.update(quantity=999)
    with pytest.raises(ServiceError) as exc:
        set_order_status(number=order.number, status="processing", actor=actor)
    assert exc.value.code == "stock_short"
    assert OrderEvent.objects.count() == before
    assert OrderEvent.objects.filter(dispatched_at__isnull=False).count() == 0


@override_settings(TASKS=IMMEDIATE)
def test_events_are_dispatched_after_commit_once_each(
    actor, billing, handler, django_capture_on_commit_callbacks
):
    # when an order is created and moved in two transactions
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        order = new_order(actor, billing)
        # then nothing is dispatched before the commit
        assert handler.seen == []
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks(execute=True):
        set_order_status(number=order.number, status="processing", actor=actor)
    # then each event went to the handler once, in order, and is marked dispatched
    events = list(order.events.order_by("id"))
    assert handler.seen == [(e.pk, e.type) for e in events]
    assert [e.type for e in events] == [
        OrderEventType.CREATED,
        OrderEventType.STATUS_CHANGED,
        OrderEventType.STOCK_DEDUCTED,
    ]
    assert all(e.dispatched_at is not None for e in events)


@override_settings(TASKS=IMMEDIATE)
def test_a_failed_service_dispatches_nothing(
    actor, order, handler, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ServiceError):
        set_order_status(number=order.number, status="refunded", actor=actor)
    assert callbacks == []
    assert handler.seen == []


def test_dispatch_is_idempotent(order, handler):
    event = order.events.get()
    assert dispatch_event(event_id=event.pk) is True
    assert dispatch_event(event_id=event.pk) is False
    assert handler.ids == [event.pk]
    event.refresh_from_db()
    assert event.dispatched_at is not None


def test_dispatch_of_an_unknown_event_is_a_no_op(db, handler):
    assert dispatch_event(event_id=987654) is False
    assert handler.seen == []


def test_handlers_for_some_types_only(actor, order, monkeypatch):
    monkeypatch.setattr(outbox, "_handlers", [])
    only_status, everything = Recorder(), Recorder()
    register_event_handler(only_status, types={OrderEventType.STATUS_CHANGED})
    register_event_handler(everything)
    register_event_handler(everything)  # registering twice still calls it once
    set_order_status(number=order.number, status="cancelled", actor=actor)
    for event in order.events.all():
        dispatch_event(event_id=event.pk)
    assert [t for _pk, t in only_status.seen] == [OrderEventType.STATUS_CHANGED]
    assert [t for _pk, t in everything.seen] == [
        OrderEventType.CREATED,
        OrderEventType.STATUS_CHANGED,
    ]


def test_a_failing_handler_leaves_the_event_in_the_outbox(order, monkeypatch, caplog):
    monkeypatch.setattr(outbox, "_handlers", [])
    calls = []

    def flaky(event):
        calls.append(event.pk)
        if len(calls) == 1:
            raise ConnectionError("webhook endpoint down")

    register_event_handler(flaky)
    event = order.events.get()
    # when the first dispatch fails, then the event stays undispatched
    with pytest.raises(ConnectionError):
        dispatch_event(event_id=event.pk)
    event.refresh_from_db()
    assert event.dispatched_at is None
    # and the sweep dispatches it later
    assert sweep_outbox(older_than=timedelta(0)) == 1
    assert calls == [event.pk, event.pk]


def test_sweep_logs_a_failure_and_goes_on_with_the_next_event(
    actor, order, billing, monkeypatch, caplog
):
    monkeypatch.setattr(outbox, "_handlers", [])
    second = new_order(actor, billing)
    bad_id = order.events.get().pk

    def fails_for_the_first(event):
        if event.pk == bad_id:
            raise RuntimeError("boom")

    register_event_handler(fails_for_the_first)
    assert sweep_outbox(older_than=timedelta(0)) == 1
    assert second.events.get().dispatched_at is not None
    assert OrderEvent.objects.get(pk=bad_id).dispatched_at is None
    assert f"Dispatch of order event {bad_id} failed" in caplog.text


def test_sweep_leaves_young_events_to_their_task_and_respects_the_limit(
    actor, order, billing, handler
):
    # given three undispatched events, all just written
    new_order(actor, billing)
    new_order(actor, billing)
    # then the default grace period leaves them alone
    assert sweep_outbox() == 0
    # and once old enough they are swept oldest first, `limit` at a time
    OrderEvent.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    assert sweep_outbox(limit=2) == 2
    assert sweep_outbox(limit=2) == 1
    assert sweep_outbox() == 0
    assert handler.ids == sorted(handler.ids)
    assert len(handler.ids) == 3


# ------------------------------------------------------------- real queues, real commits


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_event_committed_while_the_queue_was_down_is_dispatched_later(
    actor, billing, handler, caplog
):
    # given the task queue is Redis, and Redis is down
    with override_settings(TASKS=REDIS_DOWN, RQ_QUEUES=RQ_QUEUES_DOWN):
        # when an order is committed
        order = new_order(actor, billing)
    # then the order and its event are saved, the enqueue failed, and nothing was dispatched
    event = OrderEvent.objects.get(order=order)
    assert event.dispatched_at is None
    assert handler.seen == []
    assert f"Could not enqueue dispatch of order events [{event.pk}]" in caplog.text
    assert "Connection" in caplog.text
    # when the sweep runs
    assert sweep_outbox(older_than=timedelta(0)) == 1
    # then the handler ran once and the event is marked dispatched
    assert handler.ids == [event.pk]
    event.refresh_from_db()
    assert event.dispatched_at is not None
    assert sweep_outbox(older_than=timedelta(0)) == 0


@pytest.fixture
def restore_signals():
    """db_worker installs its own SIGINT/SIGTERM handlers; give pytest its own back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, previous in saved.items():
        signal.signal(sig, previous)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_database_queue_dispatches_after_commit(actor, billing, handler, restore_signals):
    with override_settings(TASKS=DATABASE_QUEUE):
        # when an order is committed
        order = new_order(actor, billing)
        set_order_status(number=order.number, status="cancelled", actor=actor)
        # then one dispatch task per transaction waits in the database queue, with its events
        events = list(OrderEvent.objects.filter(order=order).order_by("id"))
        assert len(events) == 2
        queued = DBTaskResult.objects.filter(status="READY").order_by("enqueued_at")
        assert [r.args_kwargs["kwargs"]["event_ids"] for r in queued] == [
            [events[0].pk],
            [events[1].pk],
        ]
        assert handler.seen == []
        # when the database worker runs the queue
        call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    # then every event was dispatched once
    assert handler.ids == [e.pk for e in events]
    assert not OrderEvent.objects.filter(dispatched_at__isnull=True).exists()
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_command_sweeps_and_runs_the_queue_in_batch_mode(
    actor, billing, handler, restore_signals
):
    # given one event whose enqueue failed (Redis down) and one queued in the database
    with override_settings(TASKS=REDIS_DOWN, RQ_QUEUES=RQ_QUEUES_DOWN):
        lost = new_order(actor, billing)
    with override_settings(TASKS=DATABASE_QUEUE, OUTBOX_SWEEP_GRACE_SECONDS=0):
        queued = new_order(actor, billing)
        # when the worker runs once
        call_command("worker", batch=True, verbosity=0)
    # then both were dispatched
    assert sorted(handler.ids) == sorted(
        OrderEvent.objects.filter(order__in=[lost, queued]).values_list("pk", flat=True)
    )
    assert not OrderEvent.objects.filter(dispatched_at__isnull=True).exists()
