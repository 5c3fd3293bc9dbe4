"""What a settled refund does to its order, and what the refund events on its timeline carry.

A refund that succeeded restocks (if asked), moves the payment status, goes on the
timeline and may set the order `refunded`; one that failed only goes on the timeline.
"""

from collections import defaultdict
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from bestellwerk.catalog.models import StockReason
from bestellwerk.catalog.services import apply_stock_changes
from bestellwerk.core.actors import Actor
from bestellwerk.core.money import format_money
from bestellwerk.orders.events import record_order_event
from bestellwerk.orders.lifecycle import can_transition
from bestellwerk.orders.models import Order, OrderEventType, OrderLine, OrderStatus, PaymentStatus
from bestellwerk.orders.services import save_order_change, set_order_status
from bestellwerk.payments.models import Refund, RefundLine, RefundStatus
from bestellwerk.payments.selectors import refund_summary


def refund_event_data(refund: Refund, **extra: Any) -> dict[str, Any]:
    return {
        "refund_id": refund.pk,
        "amount": format_money(refund.amount),
        "currency": refund.currency,
        "shipping": format_money(refund.shipping_amount),
        "provider": refund.provider,
        "reason": refund.reason,
        "restock": refund.restock,
        "notify_customer": refund.notify_customer,
        "lines": [
            {
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "amount": format_money(line.amount),
            }
            for line in refund.lines.all()
        ],
        **extra,
    }


def complete_refund(order: Order, refund: Refund, actor: Actor) -> None:
    """The money went back: restock, payment status, timeline, maybe status `refunded`.

    Runs once per refund (only from pending, under the order's lock)."""
    refund.status = RefundStatus.SUCCEEDED
    refund.completed_at = timezone.now()
    refund.failure_message = ""
    refund.save()
    restocked = _restock_refund(order, refund, actor) if refund.restock else []
    summary = refund_summary(order=order)
    fully_refunded = summary.refunded >= summary.paid
    payment_status = PaymentStatus.REFUNDED if fully_refunded else PaymentStatus.PARTIALLY_REFUNDED
    record_order_event(
        order=order,
        type=OrderEventType.REFUNDED,
        actor=actor,
        data=refund_event_data(
            refund, payment_status=payment_status, restocked=restocked, status=refund.status
        ),
    )
    if order.payment_status != payment_status:
        previous = order.payment_status
        order.payment_status = payment_status
        record_order_event(
            order=order,
            type=OrderEventType.PAYMENT_STATUS_CHANGED,
            actor=actor,
            data={"from": previous, "to": payment_status},
        )
    save_order_change(order)
    if (
        refund.set_status_refunded
        and fully_refunded
        and order.status != OrderStatus.REFUNDED
        and can_transition(order.status, OrderStatus.REFUNDED)
    ):
        # The order row is ours already; set_order_status locks it again in this same
        # transaction, which is allowed, and restocks what is still held only if asked.
        # The refund e-mail tells the customer, so no status e-mail on top.
        set_order_status(
            number=order.number,
            status=OrderStatus.REFUNDED,
            actor=actor,
            adjust_stock=refund.restock,
        )


def _restock_refund(order: Order, refund: Refund, actor: Actor) -> list[dict[str, Any]]:
    """Put refunded units back, at most what the order holds of each line, once.

    Each unit restocked lowers the line's `stock_deducted`, so a later cancellation of the
    order restocks only what is still held."""
    refund_lines = list(refund.lines.all())
    order_lines: dict[str, list[OrderLine]] = defaultdict(list)
    for line in OrderLine.objects.filter(
        order=order, sku__in=[rl.sku for rl in refund_lines], product__isnull=False
    ).order_by("position", "id"):
        order_lines[line.sku].append(line)
    changes: dict[int, int] = defaultdict(int)
    for refund_line in refund_lines:
        wanted = refund_line.quantity - refund_line.restocked_quantity
        for line in order_lines[refund_line.sku]:
            taken = min(wanted, line.stock_deducted)
            if taken <= 0:
                continue
            line.stock_deducted -= taken
            refund_line.restocked_quantity += taken
            changes[line.product_id] += taken
            wanted -= taken
    if not changes:
        return []
    movements = apply_stock_changes(
        changes=changes, reason=StockReason.REFUND_RESTOCK, actor=actor, order=order
    )
    OrderLine.objects.bulk_update(
        [line for lines in order_lines.values() for line in lines], ["stock_deducted"]
    )
    RefundLine.objects.bulk_update(refund_lines, ["restocked_quantity"])
    sku_by_product = {line.product_id: line.sku for lines in order_lines.values() for line in lines}
    restocked = [
        {
            "sku": sku_by_product.get(m.product_id, ""),
            "delta": m.delta,
            "quantity_after": m.quantity_after,
        }
        for m in movements
    ]
    record_order_event(
        order=order,
        type=OrderEventType.STOCK_RESTOCKED,
        actor=actor,
        data={"movements": restocked, "refund_id": refund.pk},
    )
    return restocked


def fail_refund(order: Order, refund: Refund, message: str, actor: Actor) -> None:
    """The provider refused: the refund shows as failed and no money state changes."""
    refund.status = RefundStatus.FAILED
    refund.completed_at = timezone.now()
    refund.failure_message = (message or _("The provider refused the refund."))[:500]
    refund.save()
    record_order_event(
        order=order,
        type=OrderEventType.REFUND_FAILED,
        actor=actor,
        data=refund_event_data(refund, message=refund.failure_message, status=refund.status),
    )
    save_order_change(order)
