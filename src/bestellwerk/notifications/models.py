from django.db import models
from django.utils.translation import gettext_lazy as _

from bestellwerk.orders.models import OrderStatus

LANGUAGE_CHOICES = [("de", "Deutsch"), ("en", "English")]


class EmailKind(models.TextChoices):
    """The templates the system sends by itself; automations may use further codes."""

    ORDER_CONFIRMATION = "order_confirmation", _("Order confirmation")
    STATUS_PENDING = "status_pending", _("Status: pending")
    STATUS_PROCESSING = "status_processing", _("Status: processing")
    STATUS_ON_HOLD = "status_on_hold", _("Status: on hold")
    STATUS_SHIPPED = "status_shipped", _("Status: shipped")
    STATUS_COMPLETED = "status_completed", _("Status: completed")
    STATUS_CANCELLED = "status_cancelled", _("Status: cancelled")
    STATUS_REFUNDED = "status_refunded", _("Status: refunded")
    SHIPMENT = "shipment", _("Shipment with tracking link")
    PAYMENT_LINK = "payment_link", _("Payment link")
    REFUND = "refund", _("Refund")

    @classmethod
    def for_status(cls, status: str) -> str:
        return f"status_{status}"


# Every placed status has a template (a draft is not an order yet and mails nobody).
STATUS_KINDS = {status: EmailKind.for_status(status) for status in OrderStatus.values[1:]}


class EmailTemplate(models.Model):
    """Subject, plain text and HTML of one e-mail in one language, edited in the admin."""

    code = models.SlugField(
        _("code"),
        max_length=60,
        help_text=_(
            "The kind of e-mail, e.g. order_confirmation or status_shipped; "
            "automations may use codes of their own."
        ),
    )
    language = models.CharField(_("language"), max_length=5, choices=LANGUAGE_CHOICES)
    name = models.CharField(_("name"), max_length=120)
    subject = models.CharField(_("subject"), max_length=200)
    body_text = models.TextField(_("plain text"), max_length=20000)
    body_html = models.TextField(_("HTML"), max_length=50000, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("e-mail template")
        verbose_name_plural = _("e-mail templates")
        ordering = ["code", "language"]
        constraints = [
            models.UniqueConstraint(fields=["code", "language"], name="emailtemplate_code_lang")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class EmailLog(models.Model):
    """One e-mail to one recipient, rendered once, with every attempt to send it counted.

    The unique (event, recipient, template, source) makes a re-dispatched event send
    nothing twice.
    """

    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, related_name="email_logs", verbose_name=_("order")
    )
    event = models.ForeignKey(
        "orders.OrderEvent", on_delete=models.CASCADE, related_name="+", verbose_name=_("event")
    )
    # "" for the e-mails an event sends by itself, "automation-step:<id>" for automations.
    source = models.CharField(_("source"), max_length=60, blank=True)
    template_code = models.CharField(_("template"), max_length=60)
    language = models.CharField(_("language"), max_length=5)
    recipient = models.EmailField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("plain text"))
    body_html = models.TextField(_("HTML"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # A sender holds the row until then; a worker that died lets it go when it passes.
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("e-mail log entry")
        verbose_name_plural = _("e-mail log")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "recipient", "template_code", "source"],
                name="emaillog_once_per_event",
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="emaillog_pending",
                condition=models.Q(status="pending"),
            ),
            models.Index(fields=["order", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.template_code} → {self.recipient}"


class LocalOutboxMessage(models.Model):
    """Mail kept in the database instead of sent: `make run` needs no mail server."""

    from_email = models.CharField(_("from"), max_length=300)
    to = models.TextField(_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("plain text"), blank=True)
    body_html = models.TextField(_("HTML"), blank=True)
    message_id = models.CharField(_("message ID"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("local outbox message")
        verbose_name_plural = _("local outbox")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"
