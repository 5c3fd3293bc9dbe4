"""Stock an order holds: deducted and restocked once per crossing, moved by cart edits."""

from collections import defaultdict
from typing import Any

from bestellwerk.catalog.models import Product, StockReason
from bestellwerk.catalog.services import apply_stock_changes
from bestellwerk.core.actors import Actor
from bestellwerk.orders.events import record_order_event
from bestellwerk.orders.models import (
    Order,
    OrderEventType,
    OrderLine,
)


def _units_to_hold(line: OrderLine) -> int:
    # Refunded units went back to the shelf or were written off: never taken again.
    return line.quantity - line.refunded_quantity


def _stock_changes_for(lines: list[OrderLine], sign: int) -> dict[int, int]:
    changes: dict[int, int] = defaultdict(int)
    for line in lines:
        if line.product_id:
            changes[line.product_id] += sign * _units_to_hold(line)
    return changes


def mark_stock_deducted(lines: list[OrderLine]) -> None:
    """Set on each line the units the deduction takes: all it holds of a stock-tracked
    product, nothing otherwise (`apply_stock_changes` moves exactly these)."""
    for line in lines:
        tracked = line.product is not None and line.product.track_stock
        line.stock_deducted = _units_to_hold(line) if tracked else 0


def deduct_stock(
    order: Order, lines: list[OrderLine], actor: Actor, *, update_lines: bool = True
) -> None:
    """Take the order's units from stock. The stock rows stay locked until commit, so this
    comes last in a service. `update_lines=False`: the lines were written already marked
    (`mark_stock_deducted`)."""
    if update_lines:
        mark_stock_deducted(lines)
        OrderLine.objects.bulk_update(lines, ["stock_deducted"])
    movements = apply_stock_changes(
        changes=_stock_changes_for(lines, -1),
        reason=StockReason.ORDER_DEDUCTED,
        actor=actor,
        order=order,
    )
    order.stock_held = True
    record_order_event(
        order=order,
        type=OrderEventType.STOCK_DEDUCTED,
        actor=actor,
        data={"movements": _movement_data(movements, lines)},
    )


def restock(
    order: Order, lines: list[OrderLine], actor: Actor, reason: str = StockReason.ORDER_RESTOCKED
) -> None:
    changes: dict[int, int] = defaultdict(int)
    for line in lines:
        if line.product_id and line.stock_deducted:
            changes[line.product_id] += line.stock_deducted
    movements = apply_stock_changes(changes=changes, reason=reason, actor=actor, order=order)
    for line in lines:
        line.stock_deducted = 0
    OrderLine.objects.bulk_update(lines, ["stock_deducted"])
    order.stock_held = False
    record_order_event(
        order=order,
        type=OrderEventType.STOCK_RESTOCKED,
        actor=actor,
        data={"movements": _movement_data(movements, lines)},
    )


def _movement_data(movements: list, lines: list[OrderLine]) -> list[dict[str, Any]]:
    sku_by_product = {line.product_id: line.sku for line in lines if line.product_id}
    return [
        {
            "sku": sku_by_product.get(m.product_id, ""),
            "delta": m.delta,
            "quantity_after": m.quantity_after,
        }
        for m in movements
    ]


def move_held_stock(
    order: Order, *, old_lines: list[OrderLine], lines: list[OrderLine], actor: Actor
) -> None:
    """Move stock by the difference between what the old lines hold and the new lines
    order, and mark on the (unsaved) new lines what they now hold."""
    held: dict[int, int] = defaultdict(int)
    for line in old_lines:
        if line.product_id:
            held[line.product_id] += line.stock_deducted
    wanted = _stock_changes_for(lines, 1)
    changes = {pid: held.get(pid, 0) - wanted.get(pid, 0) for pid in {*held, *wanted}}
    movements = apply_stock_changes(
        changes=changes, reason=StockReason.ORDER_LINES_CHANGED, actor=actor, order=order
    )
    tracked = set(
        Product.objects.filter(pk__in=wanted, track_stock=True).values_list("pk", flat=True)
    )
    for line in lines:
        line.stock_deducted = _units_to_hold(line) if line.product_id in tracked else 0
    if movements:
        record_order_event(
            order=order,
            type=OrderEventType.STOCK_DEDUCTED
            if any(m.delta < 0 for m in movements)
            else OrderEventType.STOCK_RESTOCKED,
            actor=actor,
            data={"movements": _movement_data(movements, [*lines, *old_lines])},
        )
