from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "bestellwerk.notifications"
    label = "notifications"
    verbose_name = _("E-mails")

    def ready(self) -> None:
        from bestellwerk.notifications.handlers import HANDLED_EVENT_TYPES, send_order_emails
        from bestellwerk.orders.outbox import register_event_handler

        register_event_handler(send_order_emails, types=HANDLED_EVENT_TYPES)
