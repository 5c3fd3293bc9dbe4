import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from bestellwerk.orders.models import Channel, OrderEventType, OrderStatus

# Event types an endpoint may subscribe to; webhook_delivered is recorded by the deliveries
# themselves, so subscribing to it would loop.
WEBHOOK_EVENT_CHOICES = [
    (value, label)
    for value, label in OrderEventType.choices
    if value != OrderEventType.WEBHOOK_DELIVERED
]


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(
        _("signing secret"),
        max_length=100,
        default=new_webhook_secret,
        help_text=_("The receiver checks the Bestellwerk-Signature header with it."),
    )
    event_types = models.JSONField(_("event types"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event to one endpoint: the body is frozen at creation so every attempt is equal."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey("orders.OrderEvent", on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="+")
    # "" when the endpoint subscribed to the event, "automation-step:<id>" for a step.
    source = models.CharField(max_length=60, blank=True)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event", "source"], name="webhookdelivery_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="webhookdelivery_pending",
                condition=models.Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} #{self.event_id}"


class Trigger(models.TextChoices):
    ORDER_CREATED = "order_created", _("Order placed")
    ORDER_PAID = "order_paid", _("Order paid")
    STATUS_CHANGED = "status_changed", _("Status changed")
    ORDER_SHIPPED = "order_shipped", _("Parcel shipped")
    ORDER_REFUNDED = "order_refunded", _("Order refunded")


class Automation(models.Model):
    """A trigger, optional conditions (all must hold) and ordered steps."""

    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices)
    trigger_status = models.CharField(
        _("to status"),
        max_length=20,
        choices=OrderStatus.choices[1:],
        blank=True,
        help_text=_("For 'Status changed': only this new status (empty: any)."),
    )
    condition_skus = models.CharField(
        _("SKU in the order"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated; the order must contain at least one of them."),
    )
    condition_min_total = models.DecimalField(
        _("total at least"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    condition_lead_source = models.ForeignKey(
        "orders.LeadSource",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lead source"),
    )
    condition_channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, blank=True
    )
    condition_order_tag = models.ForeignKey(
        "core.Tag",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("order tag"),
    )
    condition_customer_tag = models.ForeignKey(
        "core.Tag",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("customer tag"),
    )
    condition_first_order = models.BooleanField(_("customer's first order"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("automation")
        verbose_name_plural = _("automations")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def sku_list(self) -> list[str]:
        return [sku.strip() for sku in self.condition_skus.split(",") if sku.strip()]


class StepAction(models.TextChoices):
    SEND_EMAIL = "send_email", _("Send e-mail template")
    ADD_CUSTOMER_TAGS = "add_customer_tags", _("Add customer tags")
    ADD_ORDER_TAGS = "add_order_tags", _("Add order tags")
    ASSIGN_ORDER = "assign_order", _("Assign order to user")
    CALL_WEBHOOK = "call_webhook", _("Call webhook")


class DelayUnit(models.TextChoices):
    MINUTES = "minutes", _("minutes")
    HOURS = "hours", _("hours")
    DAYS = "days", _("days")


class AutomationStep(models.Model):
    automation = models.ForeignKey(Automation, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    delay = models.PositiveIntegerField(
        _("delay"), default=0, help_text=_("Wait this long after the previous step.")
    )
    delay_unit = models.CharField(
        _("unit"), max_length=10, choices=DelayUnit.choices, default=DelayUnit.MINUTES
    )
    action = models.CharField(_("action"), max_length=30, choices=StepAction.choices)
    email_template_code = models.SlugField(_("e-mail template code"), max_length=60, blank=True)
    tags = models.CharField(_("tags"), max_length=500, blank=True, help_text=_("Comma-separated."))
    assignee = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("assign to"),
    )
    webhook_endpoint = models.ForeignKey(
        WebhookEndpoint,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("webhook endpoint"),
    )

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.position}. {self.get_action_display()}"

    @property
    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.tags.split(",") if tag.strip()]


class RunStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")
    FAILED = "failed", _("Failed")


class AutomationRun(models.Model):
    """One automation started by one event: unique, so a re-dispatch starts nothing twice."""

    automation = models.ForeignKey(Automation, on_delete=models.CASCADE, related_name="runs")
    event = models.ForeignKey("orders.OrderEvent", on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, related_name="automation_runs"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("automation run")
        verbose_name_plural = _("automation runs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["automation", "event"], name="automationrun_once")
        ]

    def __str__(self) -> str:
        return f"{self.automation} / {self.order}"


class AutomationStepRun(models.Model):
    """One step of one run. Claimed pending → running with a lease; done in the same
    transaction as the step's effect, guarded by the attempt number that claimed it."""

    run = models.ForeignKey(AutomationRun, on_delete=models.CASCADE, related_name="step_runs")
    step = models.ForeignKey(AutomationStep, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    due_at = models.DateTimeField(_("due at"))
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_until = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("step run")
        verbose_name_plural = _("step runs")
        ordering = ["run", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "step"], name="automationsteprun_once")
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="steprun_open",
                condition=models.Q(status__in=["pending", "running"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.position} {self.status}"
