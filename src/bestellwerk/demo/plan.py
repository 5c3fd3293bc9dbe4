"""The order history, decided from the seed before any row is written: when each order
was placed, by whom, for what, and the statuses it passes through."""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from bestellwerk.demo.data import (
    CARRIERS,
    CATALOG,
    CHANNEL_WEIGHTS,
    COUPON_MINIMUMS,
    LEAD_SOURCES,
    NOTES,
    ORDER_TAGS,
    PAID_AT_ORDER,
    PAYMENT_BY_CHANNEL,
    STATUS_WEIGHTS_OLD,
    STATUS_WEIGHTS_RECENT,
)
from bestellwerk.orders.models import Channel, OrderStatus

HISTORY_DAYS = 548  # about 18 months
# Completed orders older than this get a short history (created completed and paid, then
# their parcel): nobody reads them step by step, and each step costs the demo time to load.
SHORT_HISTORY_DAYS = 60


@dataclass
class OrderPlan:
    """Everything about one demo order, decided before any row is written."""

    created_at: datetime
    status: str
    channel: str
    customer_index: int
    lines: list[tuple[str, int]]
    payment_method: str
    shipping_method: str
    paid: bool
    assignee: str | None
    lead_source: str | None
    tags: list[str]
    coupon: str | None = None
    note: str | None = None
    carrier: str | None = None
    adjust_stock: bool = True
    paid_on_creation: bool = False
    partial_refund: bool = False
    # An unpaid order of which the customer paid a part (a down payment on an invoice).
    partial_payment: bool = False
    # The statuses the order passes through after being created, in order.
    path: list[str] = field(default_factory=list)
    external_id: str | None = None


def plan_orders(
    rng: random.Random, *, now: datetime, count: int, customers: list[dict[str, str]]
) -> list[OrderPlan]:
    """`count` orders of the `customers` over the history up to `now`."""
    skus = [sku for sku, *_rest in CATALOG]
    # A few products sell far more than the rest (a long tail, as in every shop).
    popularity = [1.0 / (rank + 1) ** 0.8 for rank in range(len(skus))]
    shuffled = skus[:]
    rng.shuffle(shuffled)
    regulars = rng.sample(range(len(customers)), k=max(1, len(customers) // 5))
    staff = {None: 40, "sofia": 35, "admin": 15, "lars": 10}
    plans = []
    for index, created_at in enumerate(_order_times(rng, now, count)):
        status = _status_for(rng, now, created_at)
        channel = _pick(rng, CHANNEL_WEIGHTS)
        # Regular customers place about half of all orders.
        customer_index = (
            rng.choice(regulars) if rng.random() < 0.5 else rng.randrange(len(customers))
        )
        is_business = "company" in customers[customer_index]
        line_count = rng.choices([1, 2, 3, 4, 5, 6], weights=[30, 30, 20, 10, 6, 4])[0]
        chosen = []
        while len(chosen) < line_count:
            sku = rng.choices(shuffled, weights=popularity)[0]
            if sku not in chosen:
                chosen.append(sku)
        big = is_business and rng.random() < 0.5
        lines = [
            (
                sku,
                rng.randint(5, 24) if big else rng.choices([1, 2, 3, 4], weights=[70, 20, 7, 3])[0],
            )
            for sku in chosen
        ]
        payment_method = _pick(rng, PAYMENT_BY_CHANNEL[channel])
        shipping_method = (
            "pickup"
            if channel == Channel.POS
            else rng.choices(["standard", "express", "pickup"], weights=[82, 12, 6])[0]
        )
        tags = []
        if big:
            tags.append("Großkunde")
        if customer_index in regulars and rng.random() < 0.25:
            tags.append("Stammkunde")
        for tag, chance in (("VIP", 0.05), ("Geschenk", 0.08), ("Eilig", 0.04)):
            if rng.random() < chance:
                tags.append(tag)
        if shipping_method == "express" and "Eilig" not in tags and rng.random() < 0.5:
            tags.append("Eilig")
        plan = OrderPlan(
            created_at=created_at,
            status=status,
            channel=channel,
            customer_index=customer_index,
            lines=lines,
            payment_method=payment_method,
            shipping_method=shipping_method,
            paid=False,
            assignee=_pick(rng, staff),
            lead_source=_pick(rng, LEAD_SOURCES) if channel != Channel.POS else "direct",
            tags=tags,
            note=rng.choice(NOTES) if rng.random() < 0.1 else None,
            carrier=_pick(rng, CARRIERS),
        )
        if channel == Channel.IMPORT:
            plan.external_id = str(50_000 + index)
        plans.append(plan)
    _cover_every_value(rng, plans)
    for plan in plans:
        _settle(rng, now, plan)
        if plan.paid and plan.payment_method in PAID_AT_ORDER and plan.path:
            plan.paid_on_creation = plan.path[0] != OrderStatus.PENDING or rng.random() < 0.5
    _hand_out_coupons(rng, plans)
    # A little goodwill money back on a few completed orders (partially refunded).
    completed = [p for p in plans if p.status == OrderStatus.COMPLETED and p.paid]
    for plan in completed:
        plan.partial_refund = rng.random() < 0.03
    if completed and not any(p.partial_refund for p in completed):
        rng.choice(completed).partial_refund = True
    unpaid_placed = [
        p for p in plans if p.path and not p.paid and p.status != OrderStatus.CANCELLED
    ]
    for plan in unpaid_placed:
        plan.partial_payment = rng.random() < 0.1
    if unpaid_placed and not any(p.partial_payment for p in unpaid_placed):
        rng.choice(unpaid_placed).partial_payment = True
    return plans


def _order_times(rng: random.Random, now: datetime, count: int) -> list[datetime]:
    """Spread over ~18 months: growing business, busy Novembers and Decembers."""
    days = list(range(HISTORY_DAYS))
    weights = []
    for days_ago in days:
        day = now - timedelta(days=days_ago)
        season = {11: 1.8, 12: 2.4, 1: 0.8, 7: 0.8, 8: 0.8}.get(day.month, 1.0)
        weekday = 0.7 if day.weekday() == 6 else 1.0
        growth = 1.0 + (HISTORY_DAYS - days_ago) / HISTORY_DAYS
        weights.append(season * weekday * growth)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    times = []
    for days_ago in rng.choices(days, weights=weights, k=count):
        minutes = rng.randint(7 * 60, 22 * 60 - 1)
        when = midnight - timedelta(days=days_ago) + timedelta(minutes=minutes)
        if when > now:  # later today: not yet
            when = now - timedelta(minutes=rng.randint(5, 300))
        times.append(when)
    return sorted(times)


def _status_for(rng: random.Random, now: datetime, created_at: datetime) -> str:
    age_days = (now - created_at).days
    if age_days <= 3:
        return _pick(rng, STATUS_WEIGHTS_RECENT)
    if age_days <= 14:
        weights = dict(STATUS_WEIGHTS_OLD)
        weights.update({OrderStatus.SHIPPED: 30, OrderStatus.COMPLETED: 50})
        return _pick(rng, weights)
    return _pick(rng, STATUS_WEIGHTS_OLD)


def _cover_every_value(rng: random.Random, plans: list[OrderPlan]) -> None:
    """Even a small demo shows every status, channel, payment state, assignee and tag."""
    dimensions: list[tuple[str, list[Any]]] = [
        ("status", list(OrderStatus.values)),
        ("channel", list(Channel.values)),
        ("assignee", [None, "sofia", "lars", "admin"]),
        ("lead_source", [code for code in LEAD_SOURCES if code]),
        ("payment_method", ["invoice", "prepayment", "cash", "card", "paypal"]),
        ("shipping_method", ["standard", "express", "pickup"]),
    ]
    for attribute, values in dimensions:
        present = {getattr(plan, attribute) for plan in plans}
        missing = [v for v in values if v not in present]
        for value, plan in zip(
            missing, rng.sample(plans, k=min(len(missing), len(plans))), strict=False
        ):
            setattr(plan, attribute, value)
    present_tags = {tag for plan in plans for tag in plan.tags}
    for tag in ORDER_TAGS:
        if tag not in present_tags and plans:
            rng.choice(plans).tags.append(tag)
    if plans and not any(p.note for p in plans):
        rng.choice(plans).note = NOTES[0]


def _settle(rng: random.Random, now: datetime, plan: OrderPlan) -> None:
    """Make the chosen details agree with each other, and decide the path of statuses."""
    status = plan.status
    if plan.channel == Channel.POS:
        plan.shipping_method = "pickup"
        if plan.payment_method not in ("cash", "card"):
            plan.payment_method = "cash"
    if status == OrderStatus.SHIPPED:
        plan.shipping_method = (
            "standard" if plan.shipping_method == "pickup" else (plan.shipping_method)
        )
    paid_at_order = plan.payment_method in PAID_AT_ORDER
    if status == OrderStatus.DRAFT:
        plan.paid = False
        plan.path = []
        return
    if plan.channel == Channel.POS and status in (OrderStatus.COMPLETED, OrderStatus.REFUNDED):
        plan.paid = True
        plan.path = [OrderStatus.COMPLETED]
        if status == OrderStatus.REFUNDED:
            plan.path.append(OrderStatus.REFUNDED)
        return
    if plan.channel == Channel.IMPORT and status == OrderStatus.COMPLETED:
        # Imported history: shipped from the old system, its stock long gone.
        plan.paid, plan.adjust_stock, plan.path = True, False, [OrderStatus.COMPLETED]
        return
    if status == OrderStatus.PENDING:
        plan.paid = paid_at_order and rng.random() < 0.3
        plan.path = [OrderStatus.PENDING]
        return
    if status == OrderStatus.CANCELLED:
        plan.paid = False
        plan.path = [OrderStatus.PENDING]
        if rng.random() < 0.3:
            plan.path.append(OrderStatus.PROCESSING)
        plan.path.append(OrderStatus.CANCELLED)
        return
    plan.paid = paid_at_order or plan.payment_method == "prepayment" or rng.random() < 0.85
    if status == OrderStatus.ON_HOLD:
        plan.paid = paid_at_order
        plan.path = [OrderStatus.PENDING, OrderStatus.ON_HOLD]
        return
    start = OrderStatus.PROCESSING if paid_at_order else OrderStatus.PENDING
    path = [start]
    if start == OrderStatus.PENDING:
        path.append(OrderStatus.PROCESSING)
    if status == OrderStatus.PROCESSING:
        plan.path = path
        return
    ships = plan.shipping_method != "pickup"
    if status == OrderStatus.REFUNDED:
        if rng.random() < 0.6:
            path += [OrderStatus.SHIPPED] if ships else []
            path.append(OrderStatus.COMPLETED)
        path.append(OrderStatus.REFUNDED)
        plan.paid = True
        plan.path = path
        return
    if status == OrderStatus.COMPLETED and (now - plan.created_at).days > SHORT_HISTORY_DAYS:
        # Old history is told in short: created completed and paid, then its parcel.
        plan.paid = plan.paid_on_creation = True
        plan.path = [OrderStatus.COMPLETED]
        return
    if ships:
        path.append(OrderStatus.SHIPPED)
    if status == OrderStatus.COMPLETED or not ships:
        path.append(OrderStatus.COMPLETED)
        plan.paid = True
    plan.status = path[-1]
    plan.path = path


def _hand_out_coupons(rng: random.Random, plans: list[OrderPlan]) -> None:
    """Coupons only where their rules allow it: once per customer for WILLKOMMEN10."""
    prices = {sku: Decimal(price) for sku, _name, price, _rate in CATALOG}
    welcomed: set[int] = set()
    for plan in plans:
        if plan.channel == Channel.POS or rng.random() > 0.12:
            continue
        code = rng.choice(["WILLKOMMEN10", "VERSANDFREI", "5EURO"])
        subtotal = sum((prices[sku] * quantity for sku, quantity in plan.lines), Decimal(0))
        if subtotal < COUPON_MINIMUMS.get(code, 0):
            continue
        if code == "WILLKOMMEN10":
            if plan.customer_index in welcomed:
                continue
            welcomed.add(plan.customer_index)
        plan.coupon = code


def _pick(rng: random.Random, weights: dict[Any, int]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]
