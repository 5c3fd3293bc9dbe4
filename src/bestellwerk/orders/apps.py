from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "bestellwerk.orders"
    label = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from bestellwerk.core.models import ShopSettings
        from bestellwerk.core.row_cache import cache_rows_of
        from bestellwerk.orders.models import LeadSource
        from bestellwerk.payments.models import PaymentMethod
        from bestellwerk.shipping.models import Carrier, ShippingMethod

        cache_rows_of(ShopSettings, PaymentMethod, ShippingMethod, LeadSource, Carrier)
