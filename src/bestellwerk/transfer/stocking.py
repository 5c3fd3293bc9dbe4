"""Stock for imported orders, only when the import was asked to move it."""

from collections import defaultdict

from django.utils import timezone

from bestellwerk.core.actors import Actor
from bestellwerk.orders.models import Order, OrderEvent, OrderEventType, OrderLine
from bestellwerk.orders.services.stock import deduct_stock


def deduct_imported_stock(order_ids: list[int], *, actor: Actor, wake_automations: bool) -> None:
    """Take the stock of imported orders that hold it (asked for with adjust_stock)."""
    lines_by_order: dict[int, list[OrderLine]] = defaultdict(list)
    for line in OrderLine.objects.filter(order_id__in=order_ids).select_related("product"):
        lines_by_order[line.order_id].append(line)
    for order in Order.objects.filter(pk__in=order_ids):
        deduct_stock(order, lines_by_order[order.pk], actor)
    Order.objects.filter(pk__in=order_ids).update(stock_held=True)
    if not wake_automations:
        # The movements are on the timeline, but no webhook or automation hears of them.
        OrderEvent.objects.filter(
            order_id__in=order_ids,
            type=OrderEventType.STOCK_DEDUCTED,
            dispatched_at__isnull=True,
        ).update(dispatched_at=timezone.now())
