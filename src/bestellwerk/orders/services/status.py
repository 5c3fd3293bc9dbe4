"""Moving an order along its lifecycle.

Staff move orders along the transition table (`orders.lifecycle`); the warehouse only
forward through fulfilment. `refunded` is never chosen: a refund that gives everything back
closes the order (`close_refunded_order`). The payment status is not set here at all: it is
derived from the payments ledger (`orders.balance`).
"""

from django.db import transaction
from django.utils.translation import gettext as _

from bestellwerk.accounts.permissions import require_capability
from bestellwerk.core.actors import Actor
from bestellwerk.core.errors import ServiceError
from bestellwerk.orders.events import record_order_event
from bestellwerk.orders.inputs import MAX_NOTE_LENGTH
from bestellwerk.orders.lifecycle import (
    TRANSITIONS,
    can_close_as_refunded,
    can_transition,
    capability_for_transition,
    stock_effect,
)
from bestellwerk.orders.models import Order, OrderEventType, OrderStatus, PaymentStatus
from bestellwerk.orders.services.cart import current_lines
from bestellwerk.orders.services.persistence import lock_order, save_order_change
from bestellwerk.orders.services.stock import deduct_stock, restock


@transaction.atomic
def set_order_status(
    *,
    number: int,
    status: str,
    actor: Actor,
    adjust_stock: bool = True,
    notify_customer: bool = False,
    notify_admins: bool = False,
    comment: str = "",
    expected_version: int | None = None,
) -> Order:
    """Move an order along the transition table, deducting or restocking once per crossing."""
    if status == OrderStatus.REFUNDED:
        raise ServiceError(
            "refund_required",
            _("An order becomes refunded only by refunding its payments."),
            fields={"status": status},
        )
    if status not in OrderStatus.values:
        raise ServiceError(
            "invalid_status",
            _("Unknown status %(status)r.") % {"status": status},
            fields={"status": status},
        )
    if len(comment) > MAX_NOTE_LENGTH:
        raise ServiceError(
            "invalid_comment",
            _("A comment has at most %(max)d characters.") % {"max": MAX_NOTE_LENGTH},
            fields={"comment": len(comment)},
        )
    order = lock_order(number, expected_version)
    if order.is_draft:
        raise ServiceError(
            "order_is_draft",
            _("A draft is placed, not moved to a status."),
            fields={"status": status},
        )
    if status == order.status:
        return order
    if not can_transition(order.status, status):
        raise ServiceError(
            "invalid_transition",
            _("An order cannot go from %(current)s to %(new)s.")
            % {"current": order.status, "new": status},
            fields={"status": status, "allowed": sorted(TRANSITIONS[order.status])},
        )
    require_capability(actor, capability_for_transition(order.status, status))
    _move(
        order,
        status,
        actor=actor,
        adjust_stock=adjust_stock,
        details={
            "notify_customer": notify_customer,
            "notify_admins": notify_admins,
            "comment": comment,
        },
    )
    return save_order_change(order, actor=actor, searchable_changed=False)


@transaction.atomic
def close_refunded_order(*, number: int, actor: Actor, adjust_stock: bool) -> Order:
    """Set an order whose payments were all refunded to `refunded` (from a refund)."""
    order = lock_order(number, None)
    if order.status == OrderStatus.REFUNDED:
        return order
    if order.payment_status != PaymentStatus.REFUNDED or not can_close_as_refunded(order.status):
        raise ServiceError(
            "refund_required",
            _("Only an order whose payments were all refunded becomes refunded."),
            fields={"status": order.status, "payment_status": order.payment_status},
        )
    # The refund e-mail tells the customer, so no status e-mail on top.
    _move(
        order,
        OrderStatus.REFUNDED,
        actor=actor,
        adjust_stock=adjust_stock,
        details={"notify_customer": False, "notify_admins": False, "comment": ""},
    )
    return save_order_change(order, actor=actor, searchable_changed=False)


def _move(
    order: Order, status: str, *, actor: Actor, adjust_stock: bool, details: dict[str, object]
) -> None:
    effect = stock_effect(order.status, status, stock_held=order.stock_held)
    previous, order.status = order.status, status
    record_order_event(
        order=order,
        type=OrderEventType.STATUS_CHANGED,
        actor=actor,
        data={
            "from": previous,
            "to": status,
            "stock": effect,
            "stock_adjusted": adjust_stock and effect != "none",
            **details,
        },
    )
    if adjust_stock and effect == "deduct":
        deduct_stock(order, current_lines(order), actor)
    elif adjust_stock and effect == "restock":
        restock(order, current_lines(order), actor)
