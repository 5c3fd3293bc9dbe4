from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from bestellwerk.automations.models import (
    WEBHOOK_EVENT_CHOICES,
    Automation,
    AutomationRun,
    AutomationStep,
    AutomationStepRun,
    StepAction,
    WebhookDelivery,
    WebhookEndpoint,
)


class AutomationStepForm(forms.ModelForm):
    class Meta:
        model = AutomationStep
        fields = [
            "position",
            "delay",
            "delay_unit",
            "action",
            "email_template_code",
            "tags",
            "assignee",
            "webhook_endpoint",
        ]

    def clean(self) -> dict:
        data = super().clean()
        action = data.get("action")
        required = {
            StepAction.SEND_EMAIL: "email_template_code",
            StepAction.ADD_CUSTOMER_TAGS: "tags",
            StepAction.ADD_ORDER_TAGS: "tags",
            StepAction.ASSIGN_ORDER: "assignee",
            StepAction.CALL_WEBHOOK: "webhook_endpoint",
        }.get(action)
        if required and not data.get(required):
            self.add_error(required, _("This action needs it."))
        return data


class AutomationStepInline(admin.TabularInline):
    model = AutomationStep
    form = AutomationStepForm
    extra = 1


@admin.register(Automation)
class AutomationAdmin(admin.ModelAdmin):
    list_display = ["name", "trigger", "trigger_status", "is_active"]
    list_filter = ["is_active", "trigger"]
    search_fields = ["name"]
    inlines = [AutomationStepInline]
    fieldsets = [
        (None, {"fields": ["name", "is_active", "trigger", "trigger_status"]}),
        (
            _("Conditions (all must hold)"),
            {
                "fields": [
                    "condition_skus",
                    "condition_min_total",
                    "condition_lead_source",
                    "condition_channel",
                    "condition_order_tag",
                    "condition_customer_tag",
                    "condition_first_order",
                ]
            },
        ),
    ]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class AutomationStepRunInline(admin.TabularInline):
    model = AutomationStepRun
    fields = ["position", "step", "status", "due_at", "attempts", "finished_at", "result", "error"]
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(AutomationRun)
class AutomationRunAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "automation", "order"]
    list_filter = ["automation"]
    list_select_related = ["automation", "order"]
    search_fields = ["order__number"]
    raw_id_fields = ["event", "order"]
    inlines = [AutomationStepRunInline]


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        label=_("event types"),
        choices=WEBHOOK_EVENT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "secret", "event_types", "is_active"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["name", "url", "is_active"]
    list_filter = ["is_active"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "endpoint",
        "event",
        "status",
        "attempts",
        "response_code",
        "next_attempt_at",
    ]
    list_filter = ["status", "endpoint"]
    list_select_related = ["endpoint", "event"]
    raw_id_fields = ["event", "order"]
