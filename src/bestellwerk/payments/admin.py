"""Payment methods are a settings list (which provider handles which method); payments,
refunds and links are shown read-only: they change only through the services."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from bestellwerk.payments.models import Payment, PaymentLink, PaymentMethod, Refund, RefundLine

PROVIDER_CHOICES = [
    ("manual", _("Manual (invoice, prepayment, cash: money moves outside)")),
    ("stripe", _("Stripe (card payment online; demo checkout without keys)")),
]


class PaymentMethodForm(forms.ModelForm):
    provider = forms.ChoiceField(label=_("provider"), choices=PROVIDER_CHOICES)

    class Meta:
        model = PaymentMethod
        fields = ["code", "name", "name_en", "provider", "is_active", "position"]


@admin.register(PaymentMethod)
class PaymentMethodAdmin(admin.ModelAdmin):
    form = PaymentMethodForm
    list_display = ["code", "name", "name_en", "provider", "is_active", "position"]
    list_editable = ["is_active", "position"]
    search_fields = ["code", "name", "name_en"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["order", "provider", "reference", "amount", "currency", "paid_at"]
    list_select_related = ["order"]
    search_fields = ["reference", "order__number"]
    list_filter = ["provider"]


class RefundLineInline(admin.TabularInline):
    model = RefundLine
    extra = 0
    can_delete = False
    fields = ["sku", "name", "quantity", "amount", "restocked_quantity"]
    readonly_fields = fields


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["order", "amount", "status", "provider", "created_at", "actor_label"]
    list_select_related = ["order"]
    list_filter = ["status", "provider"]
    search_fields = ["order__number", "provider_reference"]
    inlines = [RefundLineInline]


@admin.register(PaymentLink)
class PaymentLinkAdmin(ReadOnlyAdmin):
    list_display = ["order", "amount", "created_at", "expires_at", "actor_label"]
    list_select_related = ["order"]
    search_fields = ["order__number"]
    exclude = ["token_hash"]
