"""Showing what a change would do before it is made: the real service runs, what it did is
read, and everything is rolled back, so the preview is exactly what saving would do.

Nothing leaves the transaction: events enqueue their dispatch only on commit, and a rolled
back transaction discards those hooks.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Max

from bestellwerk.core.money import ZERO
from bestellwerk.orders.models import Order, OrderEvent, OrderEventType
from bestellwerk.orders.selectors import get_order

STOCK_EVENTS = frozenset({OrderEventType.STOCK_DEDUCTED, OrderEventType.STOCK_RESTOCKED})


@dataclass(frozen=True)
class DryRun:
    before: Order
    # The order as the change leaves it, and what the change puts on its timeline.
    after: Order
    events: list[OrderEvent]

    @property
    def owed(self) -> Decimal:
        """What the customer would owe afterwards."""
        return max(self.after.balance, ZERO)

    @property
    def to_refund(self) -> Decimal:
        """What would be owed back to the customer afterwards."""
        return max(-self.after.balance, ZERO)

    @property
    def stock_movements(self) -> list[dict[str, object]]:
        """Each product's stock change: {sku, delta, quantity_after}."""
        return [
            movement
            for event in self.events
            if event.type in STOCK_EVENTS
            for movement in event.data.get("movements", [])
        ]


class _Undo(Exception):
    def __init__(self, outcome: DryRun) -> None:
        super().__init__("dry run")
        self.outcome = outcome


def dry_run(number: int, change: Callable[[], object]) -> DryRun:
    """Run `change` (one service call on order `number`) and roll it back; a refusal raises
    the service's ServiceError as the real call would."""
    before = get_order(number=number)
    try:
        with transaction.atomic():
            seen = before.events.aggregate(last=Max("pk"))["last"] or 0
            change()
            after = get_order(number=number)
            events = list(after.events.filter(pk__gt=seen).order_by("pk"))
            raise _Undo(DryRun(before=before, after=after, events=events))
    except _Undo as undo:
        return undo.outcome
