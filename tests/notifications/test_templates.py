"""Templates: the shipped defaults, the sandbox, the admin preview and variable list."""

import pytest

from bestellwerk.core.errors import ServiceError
from bestellwerk.notifications.models import STATUS_KINDS, EmailKind, EmailTemplate
from bestellwerk.notifications.rendering import (
    TEMPLATE_VARIABLES,
    build_order_context,
    format_amount,
    render_template_strings,
)
from bestellwerk.orders.inputs import LineInput
from bestellwerk.orders.services import add_order_note, create_order

pytestmark = pytest.mark.django_db


def test_german_and_english_defaults_exist_for_every_kind():
    # given the data migration ran: every kind in both languages
    codes = set(EmailTemplate.objects.values_list("code", "language"))
    for kind in EmailKind.values:
        assert (kind, "de") in codes and (kind, "en") in codes
    assert set(STATUS_KINDS.values()) <= set(EmailKind.values)


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_default_template_renders_with_a_real_order(order, actor, language):
    # given an order with an internal note
    add_order_note(number=order.number, body="GEHEIM-4711 nicht weitersagen", actor=actor)
    context = build_order_context(order, language=language)
    # when every default template of the language renders
    for template in EmailTemplate.objects.filter(language=language):
        rendered = render_template_strings(
            subject=template.subject,
            body_text=template.body_text,
            body_html=template.body_html,
            context=context,
        )
        # then it shows the order and never the note
        assert str(order.number) in rendered.subject
        assert "Kaffee Crema 1 kg" in rendered.body_text
        assert "Kaffee Crema 1 kg" in rendered.body_html
        assert "GEHEIM-4711" not in rendered.body_text + rendered.body_html


def test_the_context_holds_only_plain_values(order):
    # when the context is built
    context = build_order_context(order, language="de")

    # then nothing in it is a model a template could walk from (e.g. to the notes)
    def plain(value) -> bool:
        if isinstance(value, dict):
            return all(plain(v) for v in value.values())
        if isinstance(value, list):
            return all(plain(v) for v in value)
        return isinstance(value, str | int)

    assert plain(context)
    assert {name for name, _ in TEMPLATE_VARIABLES} == set(context)


def test_the_html_part_escapes_order_data(order):
    # given a line name with markup
    order.lines.filter(sku="KAF-1").update(name="<script>alert(1)</script>")
    context = build_order_context(order, language="de")
    rendered = render_template_strings(
        subject="{{ order_number }}",
        body_text="{% for l in lines %}{{ l.name }}{% endfor %}",
        body_html="{% for l in lines %}{{ l.name }}{% endfor %}",
        context=context,
    )
    assert "<script>" not in rendered.body_html
    assert "&lt;script&gt;" in rendered.body_html
    # the plain text is not HTML-escaped
    assert "<script>alert(1)</script>" in rendered.body_text


@pytest.mark.parametrize(
    "source",
    [
        "{% load static %}{% static 'x' %}",
        "{% include 'admin/base.html' %}",
        "{% extends 'admin/base.html' %}",
        "{% for x in %}",
        "{{ order_number|nonexistent_filter }}",
    ],
)
def test_the_sandbox_refuses_tags_files_and_bad_syntax(source):
    with pytest.raises(ServiceError) as exc:
        render_template_strings(subject="s", body_text=source, body_html="", context={})
    assert exc.value.code == "invalid_template"
    assert "body_text" in exc.value.fields


def test_amounts_are_formatted_per_language():
    assert format_amount("1234.5", currency="EUR", language="de") == "1.234,50 €"
    assert format_amount("1234.5", currency="EUR", language="en") == "€1,234.50"
    assert format_amount("3", currency="CHF", language="de") == "3,00 CHF"
    assert format_amount(None, currency="EUR", language="de") == ""


@pytest.fixture
def staff_client(client, admin_user):
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    return client


def test_the_admin_preview_renders_a_template_against_a_real_order(order, staff_client):
    template = EmailTemplate.objects.get(code="order_confirmation", language="en")
    # when staff open the preview for this order
    response = staff_client.get(
        f"/admin/notifications/emailtemplate/{template.pk}/preview/?order={order.number}"
    )
    # then subject, text and a sandboxed HTML frame are rendered with its data
    body = response.content.decode()
    assert response.status_code == 200
    assert f"Your order {order.number} at Bestellwerk Demo-Shop" in body
    assert "2 × Kaffee Crema 1 kg (KAF-1): €39.80" in body
    assert 'sandbox=""' in body


@pytest.mark.parametrize("code", ["order_confirmation", "status_shipped"])
def test_the_preview_escapes_what_customers_and_integrations_typed(
    staff_client, actor, billing, coffee, code
):
    # given an order whose customer name is a script, as a sales user or the API may type it
    payload = '<img src=x onerror="alert(1)">'
    order = create_order(
        actor=actor,
        billing_address={**billing, "first_name": payload, "last_name": '"><script>x()</script>'},
        lines=[LineInput(1, sku=coffee.sku)],
    )
    template = EmailTemplate.objects.filter(code=code).first()

    # when the admin opens any template's preview with it
    body = staff_client.get(
        f"/admin/notifications/emailtemplate/{template.pk}/preview/?order={order.number}"
    ).content.decode()

    # then no tag of it is markup: the text is escaped, and so is the HTML frame's source
    assert "<img src=x" not in body and "<script>x()" not in body
    assert "&lt;img src=x" in body or "&amp;lt;img src=x" in body


def test_the_admin_preview_shows_a_template_error_and_a_missing_order(order, staff_client):
    template = EmailTemplate.objects.get(code="order_confirmation", language="de")
    template.subject = "{% if %}"
    template.save()
    url = f"/admin/notifications/emailtemplate/{template.pk}/preview/"
    assert "lässt sich nicht darstellen" in staff_client.get(url).content.decode()
    missing = staff_client.get(url + "?order=99", headers={"accept-language": "de"})
    assert "Keine aufgegebene Bestellung für die Vorschau vorhanden." in missing.content.decode()


def test_the_admin_form_lists_the_variables(staff_client):
    template = EmailTemplate.objects.get(code="shipment", language="de")
    response = staff_client.get(f"/admin/notifications/emailtemplate/{template.pk}/change/")
    body = response.content.decode()
    assert response.status_code == 200
    for name, _description in TEMPLATE_VARIABLES:
        assert "{{ " + name + " }}" in body
    assert f"/admin/notifications/emailtemplate/{template.pk}/preview/" in body


def test_the_preview_needs_a_staff_login(client, order):
    template = EmailTemplate.objects.first()
    response = client.get(f"/admin/notifications/emailtemplate/{template.pk}/preview/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_apps_speak_german_first():
    from django.utils import translation

    from bestellwerk.automations.models import Automation, StepAction

    with translation.override("de"):
        assert str(EmailTemplate._meta.verbose_name) == "E-Mail-Vorlage"
        assert str(Automation._meta.verbose_name_plural) == "Automationen"
        assert str(StepAction.ADD_CUSTOMER_TAGS.label) == "Kunden-Tags hinzufügen"
        assert str(TEMPLATE_VARIABLES[1][1]) == "Bestellnummer"


def test_the_preview_fills_event_variables_from_the_orders_latest_event(order, staff_client, actor):
    from bestellwerk.orders.services import add_shipment

    # given a parcel with a tracking link
    add_shipment(
        number=order.number,
        actor=actor,
        carrier_name="DHL",
        tracking_code="JJD000390007",
        tracking_url="https://track.example/JJD000390007",
    )
    template = EmailTemplate.objects.get(code="shipment", language="de")
    response = staff_client.get(
        f"/admin/notifications/emailtemplate/{template.pk}/preview/?order={order.number}"
    )
    body = response.content.decode()
    assert "Sendungsnummer: JJD000390007." in body
    assert "Sendung verfolgen: https://track.example/JJD000390007" in body
