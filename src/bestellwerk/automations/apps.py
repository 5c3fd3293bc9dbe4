from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationsConfig(AppConfig):
    name = "bestellwerk.automations"
    label = "automations"
    verbose_name = _("Automations and webhooks")

    def ready(self) -> None:
        from bestellwerk.automations.handlers import start_automations, trigger_webhooks
        from bestellwerk.automations.timeline import (
            describe_automation_step,
            describe_webhook_delivered,
        )
        from bestellwerk.orders.models import OrderEventType
        from bestellwerk.orders.outbox import register_event_handler
        from bestellwerk.orders.templatetags.order_page import register_event_describer

        register_event_handler(start_automations)
        register_event_handler(trigger_webhooks)
        register_event_describer(OrderEventType.AUTOMATION_STEP, describe_automation_step)
        register_event_describer(OrderEventType.WEBHOOK_DELIVERED, describe_webhook_delivered)
