"""Hostile input stays text everywhere it is shown.

Each payload of a corpus is written into every text field that staff, customers and
integrations write (`hostile_shop` in tests/ui/conftest.py: the services and the admin's
forms), into a note through the order page, and into the searches, filters, lookups, bulk
form and login form that echo what was typed. Then every page that shows them is rendered:
the staff pages (order list with filters and search echoed, the order page, its htmx
sections and answers, lookups, customers, products, the bulk summary, login), the e-mails of
every kind in German and English, the customer's payment page and demo checkout, and every
admin page (changelists, searches, change forms, every e-mail template's preview). A page
fails on markup the input brought (an event handler attribute, a script, a javascript: URL —
in the frames of e-mail previews too), on a payload shown unescaped, on no typed value shown
at all where one belongs (a vacuous check), and on a missing Content-Security-Policy.

Coupon codes and SKUs are left out: their alphabet (core.identifiers) has no markup.
An e-mail template's HTML body is markup by design (the admin writes the e-mail); its
preview is a sandboxed frame (tests/browser/test_content_security_policy.py).
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, reverse

from bestellwerk.notifications.models import EmailLog, EmailTemplate
from bestellwerk.notifications.selectors import EVENT_TYPE_OF_KIND
from bestellwerk.notifications.services import queue_order_email, send_queued_email
from bestellwerk.orders.models import Order, OrderEvent, OrderEventType
from tests.ui.conftest import HostileShop, fit
from tests.ui.test_order_page import HX, cart_data

pytestmark = pytest.mark.django_db

PAYLOADS = {
    "script": "</script><script>alert(1)</script>",
    "attribute-break": '"><img src=x onerror=alert(1)>',
    "single-quote-attribute": "'onmouseover='alert(1)",
    "javascript-url": "javascript:alert(1)",
    "template-variable": "{{ 7*7 }}",
    "template-tag": "{% debug %}",
    "textarea-break": "</textarea><svg onload=alert(1)>",
    "right-to-left-override": "\u202e<svg/onload=alert(1)>gpj.exe",
    "pre-escaped": "&lt;script&gt;alert(1)&lt;/script&gt;",
    # Fills every field to its limit.
    "long": "<img src=x onerror=alert(1)>" * 200,
}


class InjectedMarkup(HTMLParser):
    """Markup that runs script in a page: event handler attributes, scripts without a
    source, javascript: URLs — also in the documents that `<iframe srcdoc>` frames show."""

    URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data"})

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            elif name in self.URL_ATTRIBUTES and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}=javascript:…>")
            elif name == "srcdoc":
                self.found += [f"in <{tag} srcdoc>: {f}" for f in injected_markup(value or "")]
        is_data = attributes.get("type") == "application/json"
        if tag == "script" and not attributes.get("src") and not is_data:
            self.found.append("<script> without src")


def injected_markup(html: str) -> list[str]:
    parser = InjectedMarkup()
    parser.feed(html)
    parser.close()
    return parser.found


@dataclass
class Scan:
    """Each page's problems, and how many pages were read."""

    written: set[str]
    pages: int = 0
    problems: list[str] = field(default_factory=list)

    def page(self, label: str, response, *, shows_input: bool = True, status: int = 200) -> None:
        self.pages += 1
        if response.status_code != status:
            self.problems.append(f"{label}: status {response.status_code}, not {status}")
            return
        if "Content-Security-Policy" not in response.headers:
            self.problems.append(f"{label}: no Content-Security-Policy")
        self.html(label, response.content.decode(), shows_input=shows_input)

    def html(self, label: str, html: str, *, shows_input: bool = True) -> None:
        self.problems += [f"{label}: markup from input: {found}" for found in injected_markup(html)]
        # Escaping changes each of these characters: a value holding one and found as typed
        # was printed unescaped.
        self.problems += [
            f"{label}: unescaped: {value[:60]!r}"
            for value in self.written
            if any(c in value for c in "<>\"'&") and value in html
        ]
        if shows_input and not any(escape(value) in html for value in self.written):
            self.problems.append(f"{label}: shows none of the typed values")

    def email(self, label: str, log: EmailLog) -> None:
        """An e-mail as sent: its HTML body escapes, its subject and text body are text."""
        self.pages += 1
        self.html(f"{label}, HTML", log.body_html)
        text = log.subject + "\n" + log.body_text
        if not any(value in text for value in self.written):
            self.problems.append(f"{label}: shows none of the typed values as typed")
        self.problems += [
            f"{label}: HTML-escaped in plain text: {value[:60]!r}"
            for value in self.written
            if escape(value) != value and escape(value) in text
        ]


def staff_pages(shop: HostileShop, client: Client) -> Iterator[tuple[str, object, dict]]:
    """(label, response, expectations) of every staff page and htmx answer showing input."""
    number = shop.order.number
    text = fit(shop.payload, 200)
    yield "order list", client.get("/orders/"), {}
    filters = {
        "q": text,
        "tag": fit(shop.payload, 50),
        "status": text,
        "payment_method": text,
        "sort": text,
        "created_from": text,
        "cursor": text,
    }
    yield "order list, hostile filters", client.get("/orders/", filters), {}
    yield "order list, search", client.get("/orders/", {"q": text}), {}
    yield "order list, htmx", client.get("/orders/", {"q": text}, **HX), {}
    yield "order list, customer", client.get("/orders/", {"customer": shop.customer_id}), {}
    yield "new order", client.get("/orders/new/"), {"shows_input": False}
    for order in (shop.order, shop.card_order):
        yield f"order page {order.number}", client.get(f"/orders/{order.number}/"), {}
    for section in ("addresses", "cart", "logistics"):
        url = f"/orders/{number}/section/{section}"
        yield f"section {section}", client.get(url, **HX), {}
    yield "address editor", client.get(f"/orders/{number}/section/addresses?edit=1", **HX), {}
    yield "payments", client.get(f"/orders/{number}/payments/"), {}
    yield "payments, htmx", client.get(f"/orders/{number}/payments/", **HX), {}
    yield "refund form", client.get(f"/orders/{number}/refunds/new"), {}
    yield "refund form, htmx", client.get(f"/orders/{number}/refunds/new", **HX), {}
    order = Order.objects.get(pk=shop.order.pk)
    coupon = cart_data(order, coupon_action="apply", coupon_code=text)
    answer = client.post(f"/orders/{number}/cart", coupon, **HX)
    yield "cart, coupon refused", answer, {"shows_input": False}
    note = {"version": order.version, "body": fit(shop.payload, 5000)}
    yield "note added", client.post(f"/orders/{number}/notes", note, **HX), {}
    lookup = {"q": text}
    yield "customer lookup", client.get("/orders/lookup/customers", lookup, **HX), {}
    yield "product lookup", client.get("/orders/lookup/products", lookup, **HX), {}
    yield "customers", client.get("/customers/"), {}
    yield "customers, search", client.get("/customers/", {"q": text}), {}
    yield "customer", client.get(f"/customers/{shop.customer_id}/"), {}
    yield "products", client.get("/products/"), {}
    yield "products, search", client.get("/products/", {"q": text}), {}
    bulk = {
        "action": "add_tags",
        "orders": [number],
        "tags": fit(shop.payload, 50),
        "filters": urlencode({"q": text}),
    }
    yield "bulk summary", client.post("/orders/bulk/", bulk), {}
    yield "unknown order", client.get("/orders/999999/"), {"status": 404, "shows_input": False}


def customer_pages(shop: HostileShop) -> Iterator[tuple[str, object, dict]]:
    """The customer's side: payment pages, the demo checkout, an unknown link."""
    customer = Client()
    for path in shop.pay_paths:
        yield f"payment page {path[-12:]}", customer.get(path), {}
    checkout = customer.post(shop.pay_paths[-1] + "checkout/")
    assert checkout.status_code == 302, checkout.content.decode()[:2000]
    yield "demo checkout", customer.get(checkout["Location"]), {}
    yield "unknown payment link", customer.get("/pay/unknown/"), {"status": 404}
    yield "login, next", customer.get("/login/", {"next": shop.payload}), {"shows_input": False}
    failed = {"username": fit(shop.payload, 150), "password": "wrong"}
    yield "login, failed", customer.post("/login/", failed), {}


def emails(shop: HostileShop, scan: Scan) -> None:
    """Every template kind in German and English, sent for the hostile order: HTML bodies
    escape, subjects and text bodies are text (`rendering.render_template_strings`)."""
    order = shop.order
    events = {event.type: event for event in OrderEvent.objects.filter(order=order)}
    for template in EmailTemplate.objects.exclude(pk=shop.email_template.pk):
        if template.code.startswith("status_"):
            event = events[OrderEventType.STATUS_CHANGED]
        else:
            event = events[EVENT_TYPE_OF_KIND[template.code]]
        label = f"e-mail {template.code} ({template.language})"
        log = queue_order_email(
            event=event,
            template_code=template.code,
            recipient=f"{template.language}@example.de",
            language=template.language,
        )
        assert log is not None and log.language == template.language, label
        scan.email(label, log)
        assert send_queued_email(email_id=log.pk) == "sent", label


def admin_pages(shop: HostileShop, client: Client) -> Iterator[tuple[str, object, dict]]:
    """Every admin page: the index, each model's changelist and search, the change forms of
    up to three of its objects (of the e-mail templates only the hostile one: nothing typed
    by users is on the shipped ones' forms), and every e-mail template's preview with the
    hostile order."""
    yield "admin index", client.get("/admin/"), {"shows_input": False}
    for model, model_admin in admin.site._registry.items():
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        yield f"{name} list", client.get(reverse(f"{name}_changelist")), {"shows_input": False}
        if model_admin.search_fields:
            search = {"q": fit(shop.payload, 100)}
            yield f"{name} search", client.get(reverse(f"{name}_changelist"), search), {}
        if not model._meta.managed:
            # django_rq's queue dashboard (with Redis) is an admin entry without a table.
            continue
        objects = model._default_manager.all()
        if model is EmailTemplate:
            objects = objects.filter(pk=shop.email_template.pk)
        for obj in objects[:3]:
            try:
                url = reverse(f"{name}_change", args=[obj.pk])
            except NoReverseMatch:
                continue
            yield f"{name} {obj.pk}", client.get(url), {"shows_input": False}
    for template in EmailTemplate.objects.all():
        url = f"/admin/notifications/emailtemplate/{template.pk}/preview/"
        preview = client.get(url, {"order": shop.order.number})
        yield f"preview {template.code} ({template.language})", preview, {}


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_every_page_shows_hostile_input_as_text(hostile_shop, hostile_admin_client):
    shop, client = hostile_shop, hostile_admin_client
    scan = Scan(written=shop.written)
    emails(shop, scan)
    assert EmailLog.objects.filter(status="sent").count() >= 22
    for pages in (
        staff_pages(shop, client),
        customer_pages(shop),
        admin_pages(shop, client),
    ):
        for label, response, expectations in pages:
            scan.page(label, response, **expectations)
    # Every page of the list was read: a page dropped from it fails here.
    assert scan.pages >= 120, scan.pages
    assert not scan.problems, "\n".join(scan.problems)
