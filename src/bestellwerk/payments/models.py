from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bestellwerk.core.models import ActorFields
from bestellwerk.core.money import MAX_AMOUNT
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


class Payment(ActorFields):
    """The ledger of money that arrived: one row per payment, whoever reported it.

    Rows are never changed or deleted (a trigger refuses changes to their money columns):
    a mistaken manual payment is voided by a new row with a negative amount that points at
    it, with a reason.
    """

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(_("provider"), max_length=30)
    method = models.ForeignKey(
        PaymentMethod, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The provider's id of the payment (a Checkout Session for Stripe), unique per provider:
    # a notification delivered twice finds its payment and changes nothing. For a manual
    # payment, what staff noted (a bank statement line, a receipt number).
    reference = models.CharField(_("reference"), max_length=255, blank=True)
    # What a refund is made against (a PaymentIntent for Stripe); empty for manual payments.
    refund_reference = models.CharField(_("refund reference"), max_length=255, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    paid_at = models.DateTimeField(_("paid at"))
    # Set on a void: the payment it cancels (once), its amount the negative of that one's.
    voided_payment = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="void"
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paid_at", "id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(voided_payment__isnull=True, amount__gt=0, amount__lte=MAX_AMOUNT)
                    | Q(voided_payment__isnull=False, amount__lt=0, amount__gte=-MAX_AMOUNT)
                ),
                name="payment_amount_sign",
            ),
            models.UniqueConstraint(
                fields=["provider", "reference"],
                condition=~Q(provider="manual"),
                name="payment_provider_reference_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.reference} {self.amount}"

    @property
    def is_void(self) -> bool:
        return self.voided_payment_id is not None


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class Refund(ActorFields):
    """Money given back. Pending and succeeded refunds count against what may be refunded."""

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="refunds")
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="refunds"
    )
    provider = models.CharField(_("provider"), max_length=30)
    status = models.CharField(
        _("status"), max_length=20, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    shipping_amount = models.DecimalField(
        _("shipping refunded"), max_digits=12, decimal_places=2, default=0
    )
    # Set when the refund succeeds: the part that lowered what the order costs (returns,
    # goodwill), beyond what it paid back of an overpayment (`orders.balance.credited_part`).
    credited_amount = models.DecimalField(_("credited"), max_digits=12, decimal_places=2, default=0)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    restock = models.BooleanField(_("restock"), default=False)
    notify_customer = models.BooleanField(_("notify customer"), default=False)
    set_status_refunded = models.BooleanField(_("set order status refunded"), default=False)
    provider_reference = models.CharField(
        _("provider reference"), max_length=255, null=True, blank=True, unique=True
    )
    failure_message = models.CharField(_("failure message"), max_length=500, blank=True)
    idempotency_key = models.CharField(max_length=255, null=True, blank=True)
    request_fingerprint = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # When the worker last asked the provider about this pending refund.
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_gt_0"),
            models.CheckConstraint(
                condition=Q(credited_amount__gte=0, credited_amount__lte=models.F("amount")),
                name="refund_credited_within_amount",
            ),
            models.UniqueConstraint(
                fields=["order", "idempotency_key"], name="refund_idempotency_key_unique"
            ),
        ]
        indexes = [models.Index(fields=["order", "status"])]

    def __str__(self) -> str:
        return f"{self.order_id} {self.amount} {self.status}"


class RefundLine(models.Model):
    """Units of an order line given back. Lines are matched by SKU: a cart edit replaces rows."""

    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="lines")
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    # Units put back into stock by this refund line; never more than `quantity`.
    restocked_quantity = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="refundline_quantity_gt_0"
            ),
            models.CheckConstraint(
                condition=models.Q(restocked_quantity__lte=models.F("quantity")),
                name="refundline_restocked_lte_quantity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku}"


class PaymentLink(ActorFields):
    """A customer-facing link to pay an order. Only the token's hash is stored."""

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    expires_at = models.DateTimeField(_("expires at"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("payment link")
        verbose_name_plural = _("payment links")
        indexes = [models.Index(fields=["order", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.order_id} until {self.expires_at:%Y-%m-%d}"
