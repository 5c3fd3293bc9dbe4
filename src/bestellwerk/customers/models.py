from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from bestellwerk.core.search import RefreshesSearchDocument, search_document


class Customer(RefreshesSearchDocument, models.Model):
    """A buyer, matched by e-mail (case-insensitive); their data follows their last order."""

    email = models.EmailField(_("e-mail"), max_length=254, null=True, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    company = models.CharField(_("company"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    vat_id = models.CharField(_("VAT ID"), max_length=30, blank=True)
    line1 = models.CharField(_("street and number"), max_length=150, blank=True)
    line2 = models.CharField(_("address line 2"), max_length=150, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, default="DE")
    language = models.CharField(
        _("language"), max_length=5, blank=True, choices=[("de", "Deutsch"), ("en", "English")]
    )
    tags = models.ManyToManyField("core.Tag", blank=True, related_name="customers")
    # Folded text of what the customer is found by (`core.search`), refreshed on every save.
    search_document = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"), name="customer_email_ci_unique", condition=models.Q(email__gt="")
            )
        ]
        indexes = [models.Index(fields=["last_name", "first_name"])]

    def __str__(self) -> str:
        return self.display_name

    def build_search_document(self) -> str:
        """What the customer is found by (`core.search`); bulk writers call it too."""
        return search_document(
            [
                self.first_name,
                self.last_name,
                self.company,
                self.email,
                self.line1,
                self.postal_code,
                self.city,
            ],
            phones=[self.phone],
        )

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    @property
    def display_name(self) -> str:
        return self.full_name or self.company or self.email or f"#{self.pk}"
