"""The one table of allowed status transitions, and which statuses hold stock."""

from bestellwerk.orders.models import OrderStatus as S

# From a status to the statuses staff may set next. Drafts leave only by being placed.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset(),
    S.PENDING: frozenset({S.PROCESSING, S.ON_HOLD, S.SHIPPED, S.COMPLETED, S.CANCELLED}),
    S.PROCESSING: frozenset(
        {S.PENDING, S.ON_HOLD, S.SHIPPED, S.COMPLETED, S.CANCELLED, S.REFUNDED}
    ),
    S.ON_HOLD: frozenset({S.PENDING, S.PROCESSING, S.SHIPPED, S.COMPLETED, S.CANCELLED}),
    S.SHIPPED: frozenset({S.PROCESSING, S.COMPLETED, S.REFUNDED}),
    S.COMPLETED: frozenset({S.PROCESSING, S.REFUNDED}),
    S.CANCELLED: frozenset({S.PENDING, S.PROCESSING, S.ON_HOLD}),
    S.REFUNDED: frozenset(),
}

# The statuses an order may be placed in (created directly, or a draft placed).
PLACEABLE: frozenset[str] = frozenset({S.PENDING, S.PROCESSING, S.ON_HOLD, S.SHIPPED, S.COMPLETED})

STOCK_HOLDING: frozenset[str] = frozenset({S.PROCESSING, S.ON_HOLD, S.SHIPPED, S.COMPLETED})


def can_transition(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


def holds_stock(status: str) -> bool:
    return status in STOCK_HOLDING


def stock_effect(current: str, new: str, *, stock_held: bool) -> str:
    """What moving from `current` to `new` does to stock: 'deduct', 'restock' or 'none'.

    Only a move across the line between holding and not holding statuses touches stock.
    `stock_held` may disagree with the status when staff chose not to adjust stock: then the
    order keeps what it holds (or does not hold) until its next crossing."""
    if holds_stock(current) == holds_stock(new):
        return "none"
    if holds_stock(new):
        return "deduct" if not stock_held else "none"
    return "restock" if stock_held else "none"
