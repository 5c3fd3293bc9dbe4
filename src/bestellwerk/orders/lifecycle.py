"""The one table of allowed status transitions, who may make them, and which statuses hold
stock."""

from bestellwerk.orders.models import OrderStatus as S

# From a status to the statuses staff may set next. Drafts leave only by being placed;
# `refunded` is never set by hand: a refund of everything paid closes the order.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset(),
    S.PENDING: frozenset({S.PROCESSING, S.ON_HOLD, S.SHIPPED, S.COMPLETED, S.CANCELLED}),
    S.PROCESSING: frozenset({S.PENDING, S.ON_HOLD, S.SHIPPED, S.COMPLETED, S.CANCELLED}),
    S.ON_HOLD: frozenset({S.PENDING, S.PROCESSING, S.SHIPPED, S.COMPLETED, S.CANCELLED}),
    S.SHIPPED: frozenset({S.PROCESSING, S.COMPLETED}),
    S.COMPLETED: frozenset({S.PROCESSING}),
    S.CANCELLED: frozenset({S.PENDING, S.PROCESSING, S.ON_HOLD}),
    S.REFUNDED: frozenset(),
}

# The way forward, which the status dialog proposes next.
FORWARD: dict[str, str] = {
    S.PENDING: S.PROCESSING,
    S.ON_HOLD: S.PROCESSING,
    S.PROCESSING: S.SHIPPED,
    S.SHIPPED: S.COMPLETED,
}

# The warehouse moves orders forward through fulfilment (holding and releasing an order in
# processing included); every other move (cancel, reopen, back to pending or to processing
# from shipped) is sales and admin work.
FULFILMENT: frozenset[str] = frozenset({S.PROCESSING, S.ON_HOLD, S.SHIPPED, S.COMPLETED})
_FULFILMENT_STEP = {S.PENDING: 0, S.PROCESSING: 1, S.ON_HOLD: 1, S.SHIPPED: 2, S.COMPLETED: 3}

# The statuses an order may be placed in (created directly, or a draft placed).
PLACEABLE: frozenset[str] = frozenset({S.PENDING, S.PROCESSING, S.ON_HOLD, S.SHIPPED, S.COMPLETED})

STOCK_HOLDING: frozenset[str] = frozenset({S.PROCESSING, S.ON_HOLD, S.SHIPPED, S.COMPLETED})


def can_transition(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


def capability_for_transition(current: str, new: str) -> str:
    """The capability (accounts.permissions) a move from `current` to `new` needs."""
    moves_forward = (
        current in _FULFILMENT_STEP
        and new in FULFILMENT
        and _FULFILMENT_STEP[new] >= _FULFILMENT_STEP[current]
    )
    return "orders.status" if moves_forward else "orders.cancel"


def can_close_as_refunded(current: str) -> bool:
    """Whether a refund of everything paid may set the order `refunded`."""
    return current not in (S.DRAFT, S.REFUNDED)


def next_forward_status(current: str) -> str | None:
    return FORWARD.get(current)


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
