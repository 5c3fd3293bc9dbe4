from django.db import models
from django.utils.translation import gettext_lazy as _


class CouponKind(models.TextChoices):
    PERCENT = "percent", _("Percent off")
    FIXED = "fixed", _("Fixed amount off")
    FREE_SHIPPING = "free_shipping", _("Free shipping")


class Coupon(models.Model):
    code = models.CharField(
        _("code"), max_length=40, unique=True, help_text=_("Stored upper-case.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CouponKind.choices)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2, default=0)
    min_subtotal = models.DecimalField(
        _("minimum subtotal"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    usage_limit = models.PositiveIntegerField(_("total usage limit"), null=True, blank=True)
    usage_limit_per_customer = models.PositiveIntegerField(
        _("usage limit per customer"), null=True, blank=True
    )
    times_used = models.PositiveIntegerField(_("times used"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(value__gte=0), name="coupon_value_gte_0"),
            models.CheckConstraint(
                condition=~models.Q(kind="percent") | models.Q(value__lte=100),
                name="coupon_percent_lte_100",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class CouponRedemption(models.Model):
    """One use of a coupon by a placed order; counts against the usage limits."""

    coupon = models.ForeignKey(Coupon, on_delete=models.CASCADE, related_name="redemptions")
    order = models.OneToOneField(
        "orders.Order", on_delete=models.CASCADE, related_name="coupon_redemption"
    )
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("coupon redemption")
        verbose_name_plural = _("coupon redemptions")
        indexes = [models.Index(fields=["coupon", "customer"])]

    def __str__(self) -> str:
        return f"{self.coupon_id} → {self.order_id}"
