from typing import Any

from django.db.models import QuerySet

from bestellwerk.notifications.models import EmailKind, EmailLog
from bestellwerk.orders.models import Order, OrderEvent, OrderEventType, OrderStatus

# The event whose data fills a template's event variables (tracking link, payment link …).
EVENT_TYPE_OF_KIND = {
    EmailKind.ORDER_CONFIRMATION: OrderEventType.CREATED,
    EmailKind.SHIPMENT: OrderEventType.SHIPMENT_ADDED,
    EmailKind.PAYMENT_LINK: OrderEventType.PAYMENT_LINK_SENT,
    EmailKind.REFUND: OrderEventType.REFUNDED,
}


def list_order_emails(*, order: Order) -> QuerySet[EmailLog]:
    return EmailLog.objects.filter(order=order).order_by("-created_at", "-id")


def preview_order(*, number: int | None) -> Order | None:
    """The order a template preview renders against: the one asked for, else the newest."""
    orders = Order.objects.exclude(status=OrderStatus.DRAFT).select_related(
        "customer", "payment_method", "shipping_method"
    )
    if number is not None:
        return orders.filter(number=number).first()
    return orders.order_by("-created_at", "-id").first()


def preview_event_data(*, order: Order, template_code: str) -> dict[str, Any]:
    """The data of the order's latest event of the template's kind, for a realistic preview."""
    if template_code.startswith("status_"):
        event_type = OrderEventType.STATUS_CHANGED
    else:
        event_type = EVENT_TYPE_OF_KIND.get(template_code)
    if event_type is None:
        return {}
    event = OrderEvent.objects.filter(order=order, type=event_type).order_by("-id").first()
    return event.data if event else {}
