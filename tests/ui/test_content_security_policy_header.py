"""The Content-Security-Policy as sent: the strict policy on every answer, and each of its
exceptions on its own views only (settings.CONTENT_SECURITY_POLICY)."""

import pytest
from django.test import Client

from bestellwerk.notifications.models import EmailTemplate, LocalOutboxMessage
from bestellwerk.payments.services import send_payment_link

pytestmark = pytest.mark.django_db

STRICT = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def policy(response) -> dict[str, list[str]]:
    directives = (part.split() for part in response["Content-Security-Policy"].split(";"))
    return {name: sources for name, *sources in directives}


@pytest.fixture
def staff_client(admin_user) -> Client:
    admin_user.is_superuser = True
    admin_user.save()
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize(
    "path",
    ["/login/", "/orders/", "/customers/", "/products/", "/admin/", "/api/v1/docs", "/api/v1/x"],
)
def test_pages_the_api_and_its_docs_get_the_strict_policy(staff_client, order, path):
    assert policy(staff_client.get(path)) == STRICT


def test_the_order_page_and_its_htmx_answers_get_the_strict_policy(staff_client, order):
    assert policy(staff_client.get(f"/orders/{order.number}/")) == STRICT
    section = staff_client.get(f"/orders/{order.number}/section/cart", HTTP_HX_REQUEST="true")
    assert policy(section) == STRICT


def test_the_payment_page_may_send_its_form_on_to_stripe_checkout(order, actor):
    path = send_payment_link(number=order.number, actor=actor).url
    assert policy(Client().get(path)) == {
        **STRICT,
        "form-action": ["'self'", "https://checkout.stripe.com"],
    }


def test_the_email_previews_allow_the_emails_inline_styles_and_no_script(staff_client, order):
    template = EmailTemplate.objects.get(code="order_confirmation", language="de")
    sent = LocalOutboxMessage.objects.create(
        from_email="shop@example.de",
        to="erika@example.de",
        subject="Hallo",
        body_html="<p>Hallo</p>",
    )
    previews = [
        f"/admin/notifications/emailtemplate/{template.pk}/preview/?order={order.number}",
        f"/admin/notifications/localoutboxmessage/{sent.pk}/change/",
    ]
    relaxed = {**STRICT, "style-src": ["'self'", "'unsafe-inline'"]}
    assert [policy(staff_client.get(url)) for url in previews] == [relaxed, relaxed]
    assert policy(staff_client.get("/admin/notifications/localoutboxmessage/")) == STRICT
