"""Moving an order along its lifecycle, and its payment status."""

from django.db import transaction

from bestellwerk.core.actors import Actor
from bestellwerk.core.errors import ServiceError
from bestellwerk.orders.events import record_order_event
from bestellwerk.orders.inputs import (
    MAX_NOTE_LENGTH,
)
from bestellwerk.orders.lifecycle import TRANSITIONS, can_transition, stock_effect
from bestellwerk.orders.models import (
    Order,
    OrderEventType,
    OrderStatus,
    PaymentStatus,
)
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
    order = lock_order(number, expected_version)
    if order.is_draft:
        raise ServiceError(
            "order_is_draft", "A draft is placed, not moved to a status.", fields={"status": status}
        )
    if status not in OrderStatus.values:
        raise ServiceError(
            "invalid_status", f"Unknown status {status!r}.", fields={"status": status}
        )
    if status == order.status:
        return order
    if not can_transition(order.status, status):
        allowed = sorted(TRANSITIONS[order.status])
        raise ServiceError(
            "invalid_transition",
            f"An order cannot go from {order.status} to {status}.",
            fields={"status": status, "allowed": allowed},
        )
    if len(comment) > MAX_NOTE_LENGTH:
        raise ServiceError(
            "invalid_comment",
            f"A comment has at most {MAX_NOTE_LENGTH} characters.",
            fields={"comment": len(comment)},
        )
    effect = stock_effect(order.status, status, stock_held=order.stock_held)
    previous = order.status
    order.status = status
    record_order_event(
        order=order,
        type=OrderEventType.STATUS_CHANGED,
        actor=actor,
        data={
            "from": previous,
            "to": status,
            "stock": effect,
            "stock_adjusted": adjust_stock and effect != "none",
            "notify_customer": notify_customer,
            "notify_admins": notify_admins,
            "comment": comment,
        },
    )
    if adjust_stock and effect == "deduct":
        deduct_stock(order, current_lines(order), actor)
    elif adjust_stock and effect == "restock":
        restock(order, current_lines(order), actor)
    return save_order_change(order)


@transaction.atomic
def set_payment_status(
    *, number: int, payment_status: str, actor: Actor, expected_version: int | None = None
) -> Order:
    """Mark an order paid or unpaid by hand (refund states come from refunds)."""
    if payment_status not in (PaymentStatus.PAID, PaymentStatus.UNPAID):
        raise ServiceError(
            "invalid_payment_status",
            "By hand, an order is set 'paid' or 'unpaid'; refunds set the refund states.",
            fields={"payment_status": payment_status},
        )
    order = lock_order(number, expected_version)
    if order.payment_status == payment_status:
        return order
    if order.payment_status in (PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED):
        raise ServiceError(
            "invalid_transition",
            "A refunded order's payment status follows its refunds.",
            fields={"payment_status": payment_status},
        )
    previous = order.payment_status
    order.payment_status = payment_status
    record_order_event(
        order=order,
        type=OrderEventType.PAYMENT_STATUS_CHANGED,
        actor=actor,
        data={"from": previous, "to": payment_status},
    )
    return save_order_change(order)
