"""What a settled refund does to its order, and what the refund events on its timeline carry.

A refund that succeeded counts its units as refunded, restocks them (if asked), adds to the
order's refunded sum (the payment status follows), goes on the timeline and may set the order
`refunded`; one that failed only goes on the timeline.
"""

from collections import defaultdict
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from bestellwerk.catalog.models import StockReason
from bestellwerk.catalog.services import apply_stock_changes
from bestellwerk.core.actors import Actor
from bestellwerk.core.money import format_money
from bestellwerk.orders.balance import credited_part, derive_payment_status
from bestellwerk.orders.events import record_order_event
from bestellwerk.orders.lifecycle import can_close_as_refunded
from bestellwerk.orders.models import Order, OrderEventType, OrderLine, OrderStatus, PaymentStatus
from bestellwerk.orders.services import close_refunded_order, save_order_change
from bestellwerk.payments.models import Refund, RefundLine, RefundStatus
from bestellwerk.payments.services.ledger import refresh_ledger_sums


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
    """The money went back: refunded units, restock, ledger sums, timeline, and maybe the
    status `refunded`. Runs once per refund (only from pending, under the order's lock)."""
    refund.status = RefundStatus.SUCCEEDED
    refund.completed_at = timezone.now()
    refund.failure_message = ""
    # Decided once, against the balance it meets: what it pays back of an overpayment, and
    # what lowers what the order costs (returns, goodwill).
    refund.credited_amount = credited_part(refund=refund.amount, balance_before=order.balance)
    refund.save()
    restocked = _settle_refunded_units(order, refund, actor)
    refresh_ledger_sums(order)
    payment_status = derive_payment_status(
        total=order.total, paid=order.paid_total, refunded=order.refunded_total
    )
    record_order_event(
        order=order,
        type=OrderEventType.REFUNDED,
        actor=actor,
        data=refund_event_data(
            refund, payment_status=payment_status, restocked=restocked, status=refund.status
        ),
    )
    save_order_change(order, actor=actor, searchable_changed=False)
    if (
        refund.set_status_refunded
        and payment_status == PaymentStatus.REFUNDED
        and order.status != OrderStatus.REFUNDED
        and can_close_as_refunded(order.status)
    ):
        # The order row is ours already; close_refunded_order locks it again in this same
        # transaction, which is allowed, and restocks what is still held only if asked.
        close_refunded_order(number=order.number, actor=actor, adjust_stock=refund.restock)


def _settle_refunded_units(order: Order, refund: Refund, actor: Actor) -> list[dict[str, Any]]:
    """Count the refund's units as refunded on the order lines (by SKU, in line order), once.

    The units the order still held for them are released: put back into stock when the
    refund restocks, written off otherwise (the customer keeps them). Either way a later
    cancellation restocks, and a later hold deducts, only the units not refunded."""
    refund_lines = list(refund.lines.all())
    order_lines: dict[str, list[OrderLine]] = defaultdict(list)
    for line in OrderLine.objects.filter(
        order=order, sku__in=[rl.sku for rl in refund_lines]
    ).order_by("position", "id"):
        order_lines[line.sku].append(line)
    changes: dict[int, int] = defaultdict(int)
    for refund_line in refund_lines:
        wanted = refund_line.quantity
        for line in order_lines[refund_line.sku]:
            units = min(wanted, line.quantity - line.refunded_quantity)
            released = min(units, line.stock_deducted)
            line.refunded_quantity += units
            line.stock_deducted -= released
            wanted -= units
            if refund.restock and released and line.product_id:
                refund_line.restocked_quantity += released
                changes[line.product_id] += released
    OrderLine.objects.bulk_update(
        [line for lines in order_lines.values() for line in lines],
        ["refunded_quantity", "stock_deducted"],
    )
    if not changes:
        return []
    movements = apply_stock_changes(
        changes=changes, reason=StockReason.REFUND_RESTOCK, actor=actor, order=order
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
    save_order_change(order, actor=actor, searchable_changed=False)
