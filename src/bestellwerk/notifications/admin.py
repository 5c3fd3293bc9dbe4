from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from bestellwerk.core.errors import ServiceError
from bestellwerk.notifications.models import EmailLog, EmailTemplate, LocalOutboxMessage
from bestellwerk.notifications.rendering import (
    TEMPLATE_VARIABLES,
    build_order_context,
    render_template_strings,
)
from bestellwerk.notifications.selectors import preview_event_data, preview_order

# The pages that show an e-mail's HTML in a sandboxed `<iframe srcdoc>`. Such a frame has
# the policy of its page, and e-mails are styled inline (mail clients read no stylesheets),
# so these admin pages alone allow inline styles, to show the e-mail as it is sent. Scripts
# stay refused (the page's policy and the frame's empty sandbox), and everything on the
# page is escaped (tests/ui/test_hostile_input.py).
shows_email_html = method_decorator(csp_update({"style-src": [UNSAFE_INLINE]}))


@admin.register(EmailTemplate)
class EmailTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "language", "subject", "is_active", "updated_at"]
    list_filter = ["language", "is_active"]
    search_fields = ["code", "name", "subject"]
    readonly_fields = ["preview_link", "variables"]
    fields = [
        "code",
        "language",
        "name",
        "is_active",
        "subject",
        "body_text",
        "body_html",
        "preview_link",
        "variables",
    ]

    @admin.display(description=_("variables"))
    def variables(self, obj: EmailTemplate) -> str:
        rows = format_html_join("", "<li><code>{{{{ {} }}}}</code> – {}</li>", TEMPLATE_VARIABLES)
        return format_html("<ul>{}</ul>", rows)

    @admin.display(description=_("preview"))
    def preview_link(self, obj: EmailTemplate) -> str:
        if not obj.pk:
            return _("Save the template to preview it.")
        url = reverse("admin:notifications_emailtemplate_preview", args=[obj.pk])
        return format_html('<a href="{}" target="_blank">{}</a>', url, _("Preview with an order"))

    def get_urls(self):
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="notifications_emailtemplate_preview",
            ),
            *super().get_urls(),
        ]

    @shows_email_html
    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        template = get_object_or_404(EmailTemplate, pk=pk)
        if not self.has_view_permission(request, template):
            return HttpResponse(status=403)
        raw_number = request.GET.get("order", "").strip()
        number = int(raw_number) if raw_number.isdigit() else None
        order = preview_order(number=number)
        rendered, error = None, ""
        if order is not None:
            try:
                rendered = render_template_strings(
                    subject=template.subject,
                    body_text=template.body_text,
                    body_html=template.body_html,
                    context=build_order_context(
                        order,
                        language=template.language,
                        event_data=preview_event_data(order=order, template_code=template.code),
                    ),
                )
            except ServiceError as exc:
                error = exc.message
        context = {
            **self.admin_site.each_context(request),
            "title": _("Preview: %(name)s") % {"name": template},
            "template_obj": template,
            "order": order,
            "order_number": raw_number,
            "rendered": rendered,
            "error": error,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "notifications/admin/preview.html", context)


@admin.register(EmailLog)
class EmailLogAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "order",
        "template_code",
        "recipient",
        "status",
        "attempts",
        "sent_at",
    ]
    list_filter = ["status", "template_code", "language"]
    search_fields = ["recipient", "subject", "order__number"]
    list_select_related = ["order"]
    raw_id_fields = ["order", "event"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(LocalOutboxMessage)
class LocalOutboxMessageAdmin(admin.ModelAdmin):
    """The local outbox: what would have been sent when no mail server is configured."""

    list_display = ["created_at", "to", "subject"]
    search_fields = ["to", "subject"]
    readonly_fields = ["created_at", "from_email", "to", "subject", "body_text", "html"]
    exclude = ["body_html", "message_id"]

    class Media:
        css = {"all": ["notifications/admin.css"]}

    @admin.display(description=_("HTML"))
    def html(self, obj: LocalOutboxMessage) -> str:
        # A sandboxed iframe: the mail's HTML is shown, its scripts and forms cannot run.
        return format_html(
            '<iframe sandbox="" srcdoc="{}" class="email-preview-frame" title="{}"></iframe>',
            obj.body_html,
            _("HTML"),
        )

    @shows_email_html
    def change_view(self, request: HttpRequest, object_id: str, *args, **kwargs) -> HttpResponse:
        return super().change_view(request, object_id, *args, **kwargs)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
