from django.db import models
from django.utils.translation import gettext_lazy as _

from bestellwerk.shipping.models import LocalizedNameMixin


class PaymentMethod(LocalizedNameMixin):
    provider = models.CharField(
        _("provider"),
        max_length=30,
        default="manual",
        help_text=_("Which payment provider handles this method (manual, stripe)."),
    )

    class Meta(LocalizedNameMixin.Meta):
        verbose_name = _("payment method")
        verbose_name_plural = _("payment methods")
