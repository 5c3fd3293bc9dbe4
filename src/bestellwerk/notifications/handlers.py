"""Which order events send which e-mails. Runs inside the outbox dispatch transaction.

Only the types below are handled: the events this app records itself (email_sent,
email_failed) are never among them, so recording them cannot loop back here.
"""

from bestellwerk.core.models import ShopSettings
from bestellwerk.notifications.models import STATUS_KINDS, EmailKind
from bestellwerk.notifications.services import (
    customer_address,
    customer_language,
    queue_order_email,
)
from bestellwerk.orders.models import OrderEvent, OrderEventType

HANDLED_EVENT_TYPES = {
    OrderEventType.CREATED,
    OrderEventType.STATUS_CHANGED,
    OrderEventType.SHIPMENT_ADDED,
    OrderEventType.PAYMENT_LINK_SENT,
    OrderEventType.REFUNDED,
}


def _to_customer(event: OrderEvent, template_code: str) -> None:
    order = event.order
    queue_order_email(
        event=event,
        template_code=template_code,
        recipient=customer_address(order),
        language=customer_language(order),
    )


def send_order_emails(event: OrderEvent) -> None:
    data = event.data or {}
    if event.type == OrderEventType.CREATED:
        # An importer (or any caller) may place an order silently with notify_customer false.
        if data.get("notify_customer", True):
            _to_customer(event, EmailKind.ORDER_CONFIRMATION)
    elif event.type == OrderEventType.STATUS_CHANGED:
        template_code = STATUS_KINDS.get(data.get("to", ""))
        if template_code is None:
            return
        if data.get("notify_customer"):
            _to_customer(event, template_code)
        if data.get("notify_admins"):
            shop = ShopSettings.load()
            for address in shop.admin_email_list:
                queue_order_email(
                    event=event,
                    template_code=template_code,
                    recipient=address,
                    language=shop.default_language,
                )
    elif event.type == OrderEventType.SHIPMENT_ADDED:
        # Like Shopify: every new parcel tells the customer its tracking link.
        _to_customer(event, EmailKind.SHIPMENT)
    elif event.type == OrderEventType.PAYMENT_LINK_SENT:
        _to_customer(event, EmailKind.PAYMENT_LINK)
    elif event.type == OrderEventType.REFUNDED and data.get("notify_customer"):
        _to_customer(event, EmailKind.REFUND)
