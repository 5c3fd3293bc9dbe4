from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "bestellwerk.notifications"
    label = "notifications"
    verbose_name = _("E-mails")

    def ready(self) -> None:
        from bestellwerk.notifications.handlers import HANDLED_EVENT_TYPES, send_order_emails
        from bestellwerk.notifications.timeline import describe_email_failed, describe_email_sent
        from bestellwerk.orders.models import OrderEventType
        from bestellwerk.orders.outbox import register_event_handler
        from bestellwerk.orders.templatetags.order_page import register_event_describer

        register_event_handler(send_order_emails, types=HANDLED_EVENT_TYPES)
        register_event_describer(OrderEventType.EMAIL_SENT, describe_email_sent)
        register_event_describer(OrderEventType.EMAIL_FAILED, describe_email_failed)
