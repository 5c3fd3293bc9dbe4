from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from bestellwerk.core.models import ActorFields
from bestellwerk.core.money import VAT_RATES
from bestellwerk.core.search import RefreshesSearchDocument, search_document


class Product(RefreshesSearchDocument, models.Model):
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    price = models.DecimalField(_("gross price"), max_digits=12, decimal_places=2)
    vat_rate = models.DecimalField(
        _("VAT rate"), max_digits=5, decimal_places=2, choices=VAT_RATES, default=Decimal("19.00")
    )
    track_stock = models.BooleanField(_("track stock"), default=True)
    stock_quantity = models.IntegerField(_("stock"), default=0)
    allow_backorder = models.BooleanField(_("allow backorders"), default=False)
    customer_tags = models.ManyToManyField(
        "core.Tag",
        blank=True,
        related_name="tagging_products",
        verbose_name=_("customer tags on purchase"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Folded SKU and name (`core.search`), refreshed on every save.
    search_document = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["sku"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stock_quantity__gte=0) | models.Q(allow_backorder=True),
                name="product_stock_not_negative_without_backorder",
            ),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="product_price_gte_0"),
        ]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    def build_search_document(self) -> str:
        """What the product is found by (`core.search`)."""
        return search_document([self.sku, self.name])


class StockReason(models.TextChoices):
    ORDER_DEDUCTED = "order_deducted", _("Deducted for an order")
    ORDER_RESTOCKED = "order_restocked", _("Restocked from an order")
    ORDER_LINES_CHANGED = "order_lines_changed", _("Order lines changed")
    REFUND_RESTOCK = "refund_restock", _("Restocked by a refund")
    MANUAL = "manual", _("Manual adjustment")
    IMPORT = "import", _("Import")


class StockMovement(ActorFields):
    """The ledger: every change of a product's stock, with why and by whom."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="stock_movements")
    delta = models.IntegerField()
    quantity_after = models.IntegerField()
    reason = models.CharField(max_length=30, choices=StockReason.choices)
    note = models.CharField(max_length=200, blank=True)
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.product_id} {self.delta:+d}"
