from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from bestellwerk.core.row_cache import cached_row

ACTOR_KINDS = [
    ("user", _("Staff user")),
    ("api_token", _("API token")),
    ("system", _("System")),
    ("automation", _("Automation")),
]


class ActorFields(models.Model):
    """Who did it, for every audit table (order events, stock movements)."""

    actor_kind = models.CharField(max_length=20, choices=ACTOR_KINDS, default="system")
    actor_user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)

    class Meta:
        abstract = True


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [models.UniqueConstraint(Lower("name"), name="tag_name_ci_unique")]

    def __str__(self) -> str:
        return self.name


class Counter(models.Model):
    """A named counter incremented under a row lock (order numbers on SQLite)."""

    name = models.CharField(max_length=50, unique=True)
    value = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class ShopSettings(models.Model):
    """The single row of shop-wide settings, editable in the admin."""

    shop_name = models.CharField(_("shop name"), max_length=120, default="Bestellwerk Demo-Shop")
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    default_language = models.CharField(
        _("default language"),
        max_length=5,
        default="de",
        choices=[("de", "Deutsch"), ("en", "English")],
    )
    admin_emails = models.TextField(
        _("admin e-mail addresses"), blank=True, help_text=_("One address per line.")
    )
    low_stock_threshold = models.PositiveIntegerField(_("low stock threshold"), default=5)

    class Meta:
        verbose_name = _("shop settings")
        verbose_name_plural = _("shop settings")

    def __str__(self) -> str:
        return self.shop_name

    @classmethod
    def load(cls) -> "ShopSettings":
        """The settings (a copy, cached for a few seconds: `core.row_cache`)."""
        return cached_row(cls, 1, lambda: cls.objects.get_or_create(pk=1)[0])

    @property
    def admin_email_list(self) -> list[str]:
        return [line.strip() for line in self.admin_emails.splitlines() if line.strip()]
