from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "bestellwerk.payments"
    label = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from bestellwerk.orders.models import OrderEventType
        from bestellwerk.orders.templatetags.order_page import register_event_describer
        from bestellwerk.payments.timeline import (
            describe_payment_recorded,
            describe_payment_voided,
        )

        register_event_describer(OrderEventType.PAYMENT_RECORDED, describe_payment_recorded)
        register_event_describer(OrderEventType.PAYMENT_VOIDED, describe_payment_voided)
