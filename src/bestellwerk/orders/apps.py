from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "bestellwerk.orders"
    label = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from bestellwerk.orders import tasks  # noqa: F401  (registers the outbox tasks)
