from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationsConfig(AppConfig):
    name = "bestellwerk.automations"
    label = "automations"
    verbose_name = _("Automations and webhooks")

    def ready(self) -> None:
        from bestellwerk.automations.handlers import start_automations, trigger_webhooks
        from bestellwerk.orders.outbox import register_event_handler

        register_event_handler(start_automations)
        register_event_handler(trigger_webhooks)
