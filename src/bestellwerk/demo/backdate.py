"""The history's rows, moved from the moment the services wrote them to when they happened."""

import random
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Model

from bestellwerk.catalog.models import StockMovement
from bestellwerk.customers.models import Customer
from bestellwerk.demo.plan import OrderPlan
from bestellwerk.orders.models import Order, OrderEvent, OrderNote
from bestellwerk.payments.models import Payment, Refund
from bestellwerk.shipping.models import Shipment

# The events that open a step of an order's history; the others follow in the same moment.
STEP_EVENTS = frozenset(
    {
        "draft_created",
        "created",
        "status_changed",
        "payment_recorded",
        "shipment_added",
        "note_added",
        "refund_requested",
        "refunded",
    }
)


def backdate_orders(
    rng: random.Random, *, now: datetime, plans: list[OrderPlan], numbers: list[int]
) -> None:
    """Move each order's rows from 'now' to when they happened, and mark them dispatched.

    Each service call opens with one event (created, status_changed, …); the events it
    writes after that (stock, coupon, tags) share its time. Steps are spread over the
    hours and days after the order was created, as a shop works through them.
    """
    orders = dict(Order.objects.filter(number__in=numbers).values_list("number", "pk"))
    plan_by_order = {orders[n]: plan for n, plan in zip(numbers, plans, strict=True)}
    events = (
        OrderEvent.objects.filter(order_id__in=plan_by_order)
        .order_by("order_id", "id")
        .values_list("id", "order_id", "type", "data")
    )
    step_time: dict[int, datetime] = {}
    event_times: list[tuple[int, datetime, datetime]] = []
    movement_times: dict[int, list[datetime]] = defaultdict(list)
    shipment_times: dict[int, datetime] = {}
    note_times: dict[int, datetime] = {}
    refund_times: dict[int, datetime] = {}
    payment_times: dict[int, datetime] = {}
    placed: dict[int, datetime] = {}
    opened: set[int] = set()
    for event_id, order_id, event_type, data in events:
        when = step_time.get(order_id, plan_by_order[order_id].created_at)
        if event_type in STEP_EVENTS:
            if order_id in opened:
                when = min(when + timedelta(minutes=rng.randint(20, 30 * 60)), now)
            opened.add(order_id)
        step_time[order_id] = when
        event_times.append((event_id, when, when))
        if event_type == "created":
            placed[order_id] = when
        elif event_type == "shipment_added":
            shipment_times[data["shipment_id"]] = when
        elif event_type == "note_added":
            note_times[data["note_id"]] = when
        elif event_type == "payment_recorded":
            payment_times[data["payment_id"]] = when
        elif event_type == "refunded" and data.get("refund_id"):
            refund_times[data["refund_id"]] = when
        elif event_type in ("stock_deducted", "stock_restocked"):
            movement_times[order_id] += [when] * len(data.get("movements", []))
    _set_columns(OrderEvent, ["created_at", "dispatched_at"], event_times)

    # A stock event lists its movements, written in the same order as the events.
    movement_rows = []
    position: dict[int, int] = defaultdict(int)
    for movement_id, order_id in (
        StockMovement.objects.filter(order_id__in=plan_by_order)
        .order_by("order_id", "id")
        .values_list("id", "order_id")
    ):
        times = movement_times[order_id]
        if times:
            movement_rows.append((movement_id, times[min(position[order_id], len(times) - 1)]))
            position[order_id] += 1
    _set_columns(StockMovement, ["created_at"], movement_rows)
    _set_columns(
        Shipment,
        ["created_at", "updated_at"],
        [(pk, when, when) for pk, when in shipment_times.items()],
    )
    _set_columns(
        Refund,
        ["created_at", "completed_at"],
        [(pk, when, when) for pk, when in refund_times.items()],
    )
    _set_columns(
        Payment,
        ["paid_at", "created_at"],
        [(pk, when, when) for pk, when in payment_times.items()],
    )
    _set_columns(
        OrderNote,
        ["created_at"],
        [
            (pk, note_times.get(pk, plan_by_order[order_id].created_at))
            for pk, order_id in OrderNote.objects.filter(order_id__in=plan_by_order).values_list(
                "id", "order_id"
            )
        ],
    )
    _set_columns(
        Order,
        ["placed_at", "updated_at"],
        [
            (pk, placed.get(pk), step_time.get(pk, plan.created_at))
            for pk, plan in plan_by_order.items()
        ],
    )


def backdate_customers(*, now: datetime, plans: list[OrderPlan], customer_ids: list[int]) -> None:
    """Each customer joined just before their first order (or lately, without one)."""
    first_order: dict[int, datetime] = {}
    for plan in plans:
        first_order.setdefault(plan.customer_index, plan.created_at)
    rows = []
    for index, pk in enumerate(customer_ids):
        joined = first_order.get(index, now - timedelta(days=3))
        rows.append((pk, joined - timedelta(minutes=5), joined))
    _set_columns(Customer, ["created_at", "updated_at"], rows)


def _set_columns(model: type[Model], fields: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Set datetime columns row by row: `rows` are (pk, value per field).

    One prepared UPDATE run for every row: much faster than `bulk_update`'s CASE
    expressions for thousands of rows of timestamps (which `auto_now` fields would also
    overwrite on `save`)."""
    if not rows:
        return
    meta = model._meta
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(meta.get_field(f).column)} = %s" for f in fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    adapt = connection.ops.adapt_datetimefield_value
    params = [[*(adapt(value) for value in values), pk] for pk, *values in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
