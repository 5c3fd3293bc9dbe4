from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class LocalizedNameMixin(models.Model):
    """Settings rows carry a German label (`name`) and an English one (`name_en`)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (German)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if (get_language() or "de").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class Carrier(LocalizedNameMixin):
    tracking_url_template = models.CharField(
        _("tracking URL template"),
        max_length=300,
        blank=True,
        help_text=_("Use {tracking} where the tracking code goes."),
    )

    class Meta(LocalizedNameMixin.Meta):
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")

    def tracking_url(self, tracking_code: str) -> str:
        if not self.tracking_url_template or not tracking_code:
            return ""
        from urllib.parse import quote

        return self.tracking_url_template.replace("{tracking}", quote(tracking_code, safe=""))


class ShippingMethod(LocalizedNameMixin):
    price = models.DecimalField(_("gross price"), max_digits=12, decimal_places=2, default=0)

    class Meta(LocalizedNameMixin.Meta):
        verbose_name = _("shipping method")
        verbose_name_plural = _("shipping methods")


class Shipment(models.Model):
    """A parcel of an order: carrier (from the list or a custom name) and tracking."""

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="shipments")
    carrier = models.ForeignKey(
        Carrier, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    carrier_name = models.CharField(_("carrier"), max_length=100)
    tracking_code = models.CharField(_("tracking code"), max_length=100, blank=True)
    tracking_url = models.CharField(_("tracking URL"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["id"]
        indexes = [models.Index(fields=["tracking_code"])]

    def __str__(self) -> str:
        return f"{self.carrier_name} {self.tracking_code}"
