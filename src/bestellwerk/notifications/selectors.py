from django.db.models import QuerySet

from bestellwerk.notifications.models import EmailLog
from bestellwerk.orders.models import Order, OrderStatus


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
