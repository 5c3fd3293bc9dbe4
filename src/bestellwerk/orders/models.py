import operator
from functools import reduce

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.utils.translation import gettext_lazy as _

from bestellwerk.core.models import ActorFields
from bestellwerk.core.money import MAX_AMOUNT
from bestellwerk.shipping.models import LocalizedNameMixin


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Pending")
    PROCESSING = "processing", _("Processing")
    ON_HOLD = "on_hold", _("On hold")
    SHIPPED = "shipped", _("Shipped")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


class PaymentStatus(models.TextChoices):
    """Derived from the ledger sums, never set: see `orders.balance.derive_payment_status`."""

    UNPAID = "unpaid", _("Unpaid")
    PARTIALLY_PAID = "partially_paid", _("Partially paid")
    PAID = "paid", _("Paid")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    REFUNDED = "refunded", _("Refunded")


class Channel(models.TextChoices):
    WEB = "web", _("Web shop")
    MANUAL = "manual", _("Manual (phone, e-mail)")
    POS = "pos", _("Point of sale")
    IMPORT = "import", _("Import")
    API = "api", _("API")


# The payment status table as database conditions, so no row can disagree with its ledger
# sums (the same table as `orders.balance.derive_payment_status`, which computes it).
PAYMENT_STATUS_CONDITIONS = {
    PaymentStatus.UNPAID: Q(paid_total=0, refunded_total=0),
    PaymentStatus.PARTIALLY_PAID: Q(refunded_total=0, paid_total__gt=0, paid_total__lt=F("total")),
    PaymentStatus.PAID: Q(refunded_total=0, paid_total__gt=0, paid_total__gte=F("total")),
    PaymentStatus.PARTIALLY_REFUNDED: Q(refunded_total__gt=0, paid_total__gt=F("refunded_total")),
    PaymentStatus.REFUNDED: Q(refunded_total__gt=0, paid_total=F("refunded_total")),
}


class LeadSource(LocalizedNameMixin):
    class Meta(LocalizedNameMixin.Meta):
        verbose_name = _("lead source")
        verbose_name_plural = _("lead sources")


class Order(models.Model):
    number = models.BigIntegerField(_("number"), unique=True)
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.DRAFT
    )
    payment_status = models.CharField(
        _("payment status"),
        max_length=20,
        choices=PaymentStatus.choices,
        default=PaymentStatus.UNPAID,
    )
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, default=Channel.MANUAL
    )
    lead_source = models.ForeignKey(
        LeadSource, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    assignee = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Address snapshots: what the order was placed with, whatever the customer becomes.
    billing_address = models.JSONField(default=dict, blank=True)
    shipping_address = models.JSONField(default=dict, blank=True)
    shipping_same_as_billing = models.BooleanField(default=True)
    payment_method = models.ForeignKey(
        "payments.PaymentMethod", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    shipping_method = models.ForeignKey(
        "shipping.ShippingMethod",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # An imported order's method names where no method of this shop has that name.
    payment_method_name = models.CharField(max_length=100, blank=True, default="", db_default="")
    shipping_method_name = models.CharField(max_length=100, blank=True, default="", db_default="")
    coupon = models.ForeignKey(
        "promotions.Coupon", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A coupon code of an imported order that is not one of this shop's coupons.
    coupon_code = models.CharField(max_length=100, blank=True, default="", db_default="")
    currency = models.CharField(max_length=3, default="EUR")
    # Totals, always written by orders.totals from the lines, never patched.
    subtotal = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    discount_total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    shipping_total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    net_total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    tax_total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    tax_breakdown = models.JSONField(default=list, blank=True)
    # Sums of the payments ledger (payments minus voids; refunds that succeeded), kept by the
    # payments services under the order's lock. The balance and payment status follow from
    # them and the total (`orders.balance`); constraints below hold them to it.
    paid_total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    refunded_total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    # The part of the refunds that lowered what the order costs (returns, goodwill), beyond
    # paying back an overpayment (`orders.balance`).
    credited_total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    # total − credited − paid + refunded: positive, the customer owes; negative, a refund is
    # owed.
    balance = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    tags = models.ManyToManyField("core.Tag", blank=True, related_name="orders")
    version = models.PositiveIntegerField(default=1)
    stock_held = models.BooleanField(default=False)
    external_source = models.CharField(max_length=30, null=True, blank=True)
    external_id = models.CharField(max_length=100, null=True, blank=True)
    external_number = models.CharField(max_length=100, blank=True)
    # Lower-cased text of everything the search box looks through.
    search_document = models.TextField(blank=True)
    placed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_source", "external_id"], name="order_external_unique"
            ),
            models.CheckConstraint(condition=models.Q(total__gte=0), name="order_total_gte_0"),
            # The largest order anyone can build: services refuse more with
            # `order_total_too_large` before anything is written.
            models.CheckConstraint(
                condition=Q(subtotal__lte=MAX_AMOUNT, total__lte=MAX_AMOUNT),
                name="order_total_lte_max",
            ),
            models.CheckConstraint(
                condition=Q(
                    refunded_total__gte=0,
                    paid_total__gte=F("refunded_total"),
                    paid_total__lte=MAX_AMOUNT,
                    credited_total__gte=0,
                    credited_total__lte=F("refunded_total"),
                ),
                name="order_refunded_lte_paid",
            ),
            # Rounded to cents: SQLite computes with floats (14.80 − 10.00 = 4.800000000000001),
            # so the unrounded sum would refuse a correct balance of 4.80.
            models.CheckConstraint(
                condition=Q(
                    balance=Round(
                        F("total") - F("credited_total") - F("paid_total") + F("refunded_total"),
                        2,
                    )
                ),
                name="order_balance_derived",
            ),
            models.CheckConstraint(
                condition=reduce(
                    operator.or_,
                    (
                        Q(payment_status=status) & condition
                        for status, condition in PAYMENT_STATUS_CONDITIONS.items()
                    ),
                ),
                name="order_payment_status_derived",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"]),
            # The list sorted by amount or number within a status tab.
            models.Index(fields=["status", "total"]),
            models.Index(fields=["status", "number"]),
            models.Index(fields=["payment_status", "-created_at"]),
            models.Index(fields=["total"]),
            models.Index(fields=["balance"]),
            models.Index(fields=["customer", "-created_at"]),
            models.Index(fields=["assignee", "-created_at"]),
            models.Index(fields=["channel", "-created_at"]),
            models.Index(fields=["lead_source", "-created_at"]),
            models.Index(fields=["payment_method", "-created_at"]),
            models.Index(fields=["shipping_method", "-created_at"]),
        ]

    def __str__(self) -> str:
        return str(self.number)

    @property
    def is_draft(self) -> bool:
        return self.status == OrderStatus.DRAFT


class OrderStatusCount(models.Model):
    """How many orders have each status, for the list's tabs without counting a million rows.

    Kept by database triggers on `orders_order` (migration 0010) in the same transaction as
    every insert, status change and delete, however the row is written. A status's count is
    the sum over its shards: PostgreSQL writes to the shard of its backend, so concurrent
    orders do not queue on one row (a shard may go negative; the sum cannot).
    """

    status = models.CharField(max_length=20, choices=OrderStatus.choices)
    shard = models.PositiveSmallIntegerField()
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["status", "shard"], name="order_status_count_unique")
        ]

    def __str__(self) -> str:
        return f"{self.status}[{self.shard}]: {self.count}"


class OrderLine(models.Model):
    """A line as sold: SKU, name, price and VAT are copied when added, never read back."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sku = models.CharField(max_length=64, blank=True)
    name = models.CharField(max_length=200)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2)
    quantity = models.PositiveIntegerField()
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    discount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    tax = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    # Units of this line deducted from stock (0 unless the order holds stock).
    stock_deducted = models.PositiveIntegerField(default=0)
    # Units of this line refunded (kept by the refund service); they are never deducted
    # again, and the cart cannot go below them.
    refunded_quantity = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="line_quantity_gt_0"),
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="line_price_gte_0"),
            models.CheckConstraint(
                condition=Q(refunded_quantity__lte=F("quantity")), name="line_refunded_lte_quantity"
            ),
        ]
        indexes = [models.Index(fields=["sku"])]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"


class OrderEventType(models.TextChoices):
    CREATED = "created", _("Order placed")
    DRAFT_CREATED = "draft_created", _("Draft created")
    STATUS_CHANGED = "status_changed", _("Status changed")
    PAYMENT_STATUS_CHANGED = "payment_status_changed", _("Payment status changed")
    LINES_CHANGED = "lines_changed", _("Cart changed")
    ADDRESS_CHANGED = "address_changed", _("Address changed")
    CUSTOMER_CHANGED = "customer_changed", _("Customer changed")
    ASSIGNEE_CHANGED = "assignee_changed", _("Assignee changed")
    DETAILS_CHANGED = "details_changed", _("Details changed")
    COUPON_APPLIED = "coupon_applied", _("Coupon applied")
    COUPON_REMOVED = "coupon_removed", _("Coupon removed")
    SHIPMENT_ADDED = "shipment_added", _("Shipment added")
    TRACKING_UPDATED = "tracking_updated", _("Tracking updated")
    NOTE_ADDED = "note_added", _("Internal note added")
    TAGS_CHANGED = "tags_changed", _("Tags changed")
    STOCK_DEDUCTED = "stock_deducted", _("Stock deducted")
    STOCK_RESTOCKED = "stock_restocked", _("Stock restocked")
    EMAIL_SENT = "email_sent", _("E-mail sent")
    EMAIL_FAILED = "email_failed", _("E-mail failed")
    PAYMENT_RECORDED = "payment_recorded", _("Payment recorded")
    PAYMENT_VOIDED = "payment_voided", _("Payment voided")
    PAYMENT_LINK_SENT = "payment_link_sent", _("Payment link sent")
    REFUND_REQUESTED = "refund_requested", _("Refund requested")
    REFUNDED = "refunded", _("Refunded")
    REFUND_FAILED = "refund_failed", _("Refund failed")
    IMPORTED = "imported", _("Imported")
    AUTOMATION_STEP = "automation_step", _("Automation step")
    WEBHOOK_DELIVERED = "webhook_delivered", _("Webhook delivered")


class OrderEvent(ActorFields):
    """The append-only timeline, and the outbox: `dispatched_at` is set once consumers ran."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=40, choices=OrderEventType.choices)
    data = models.JSONField(default=dict, blank=True)
    actor_token = models.ForeignKey(
        "accounts.ApiToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["order", "created_at"]),
            models.Index(
                fields=["created_at"],
                name="orderevent_undispatched",
                condition=models.Q(dispatched_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.type}"


class OrderNote(models.Model):
    """Staff-only: never in a customer e-mail, customer page or receipt."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="notes")
    body = models.TextField(max_length=5000)
    author = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_label = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:50]
