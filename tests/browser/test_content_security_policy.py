"""The Content-Security-Policy in a real Chromium: the main pages, with hostile input in
every text field (`hostile_shop` of tests/ui/conftest.py), load without one violation
of the policy and without a JavaScript dialog, and what htmx does still works under it.

A violation is what Chromium reports on the console ("Refused to …") or as a
`securitypolicyviolation` event; a dialog would be an injected alert() that ran."""

import re
from collections.abc import Callable
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

from bestellwerk.notifications.models import EmailTemplate
from tests.browser_support import screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Every context a value is shown in, each tried: text, attribute, textarea, script.
HOSTILE = (
    "\"><img src=x onerror=alert(1)></textarea><script>alert(2)</script>'onmouseover='alert(3)"
)
# Reported on the page's console, and by every frame of it.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`securitypolicyviolation: ${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture
def payload() -> str:
    return HOSTILE


class PolicyWatch:
    """Collects the page's policy violations and JavaScript dialogs."""

    def __init__(self, page: Page) -> None:
        self.violations: list[str] = []
        self.dialogs: list[str] = []
        page.add_init_script(REPORT_VIOLATIONS)
        page.on("console", self._on_console)
        page.on("dialog", self._on_dialog)

    def _on_console(self, message) -> None:
        text = message.text
        if text.startswith(("Refused to", "securitypolicyviolation")) or (
            "Content Security Policy" in text
        ):
            self.violations.append(f"{message.page.url if message.page else ''}: {text}")
            print("VIOLATION", text, message.location)

    def _on_dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@pytest.fixture
def watched_page(page: Page) -> tuple[Page, PolicyWatch]:
    return page, PolicyWatch(page)


def open_page(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")


def visit(page: Page, url: str, name: str) -> None:
    open_page(page, url)
    screenshot(page, f"csp-{name}")


def test_main_pages_keep_the_policy_with_hostile_input(
    watched_page, live_server, hostile_shop, hostile_admin, log_in: Callable, settings
):
    page, watch = watched_page
    shop, base = hostile_shop, live_server.url
    # The demo checkout leads back to the public address: this server.
    settings.PUBLIC_BASE_URL = base
    visit(page, f"{base}/login/", "login")
    log_in(page, hostile_admin, password="pw-hostile-123")
    order = shop.order.number
    preview = EmailTemplate.objects.get(code="order_confirmation", language="de").pk
    template = shop.email_template.pk
    for name, path in [
        ("order-list", "/orders/"),
        ("order-list-search", "/orders/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E"),
        ("order-page", f"/orders/{order}/"),
        ("customer-page", f"/customers/{shop.customer_id}/"),
        ("product-list", "/products/"),
        ("admin-payments", "/admin/payments/payment/"),
        ("admin-email-templates", "/admin/notifications/emailtemplate/"),
        ("admin-email-template", f"/admin/notifications/emailtemplate/{template}/change/"),
        ("admin-shop-settings", "/admin/core/shopsettings/1/change/"),
        ("admin-email-preview", f"/admin/notifications/emailtemplate/{preview}/preview/"),
    ]:
        visit(page, base + path, name)
    # The hostile text is on the page, as text.
    expect(page.frame_locator("iframe.email-preview-frame").locator("body")).to_contain_text(
        "<img src=x onerror=alert(1)>"
    )

    customer = page.context.new_page()
    for path in shop.pay_paths:
        visit(customer, base + urlparse(path).path, "payment-page")
    customer.get_by_role("button", name="Jetzt bezahlen").click()
    expect(customer.get_by_test_id("demo-label")).to_be_visible()
    screenshot(customer, "csp-demo-checkout")

    assert watch.violations == []
    assert watch.dialogs == []


def test_the_api_docs_work_under_the_policy(watched_page, live_server):
    page, watch = watched_page
    visit(page, f"{live_server.url}/api/v1/docs", "api-docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Bestellwerk API")
    page.get_by_text("List Orders Endpoint").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    expect(page.locator(".live-responses-table tbody .response-col_status")).to_contain_text("401")
    screenshot(page, "csp-api-docs-try-it-out")
    assert watch.violations == []
    assert watch.dialogs == []


def test_an_email_templates_own_markup_runs_no_script_in_its_preview(
    watched_page, live_server, hostile_shop, hostile_admin, log_in: Callable
):
    page, watch = watched_page
    template = EmailTemplate.objects.create(
        code="hostile_markup",
        language="de",
        name="Markup",
        subject="Markup",
        body_text="Markup",
        body_html=(
            '<p style="color: #b00">Styled</p><img src=x onerror=alert(1)><script>alert(2)</script>'
        ),
    )
    log_in(page, hostile_admin, password="pw-hostile-123")
    visit(
        page,
        f"{live_server.url}/admin/notifications/emailtemplate/{template.pk}/preview/",
        "admin-email-preview-markup",
    )
    frame = page.frame_locator("iframe.email-preview-frame")
    # The e-mail's inline style applies (the one relaxation of the preview), its script not.
    expect(frame.get_by_text("Styled")).to_have_css("color", "rgb(187, 0, 0)")
    page.wait_for_timeout(500)
    assert watch.dialogs == []


def test_htmx_works_under_the_policy(
    watched_page, live_server, hostile_shop, hostile_admin, log_in: Callable
):
    page, watch = watched_page
    shop = hostile_shop
    log_in(page, hostile_admin, password="pw-hostile-123")
    cart_posts: list[str] = []
    page.on(
        "request",
        lambda request: (
            cart_posts.append(request.url)
            if request.method == "POST" and request.url.endswith("/cart")
            else None
        ),
    )

    # Screenshots come last on each page: Playwright's leaves an empty style attribute on
    # the inputs (it hides the caret), which htmx would copy while settling a swap.
    # A quantity saves as it is typed (hx-trigger), and only once it is valid.
    open_page(page, f"{live_server.url}/orders/{shop.card_order.number}/")
    quantity = page.locator("#line-qty-0")
    quantity.fill("3")
    expect(page.locator("#line-total-0")).to_have_text("15,00\xa0€")
    saved = len(cart_posts)
    quantity.fill("0")
    page.wait_for_timeout(1000)
    assert len(cart_posts) == saved
    expect(page.locator("#line-total-0")).to_have_text("15,00\xa0€")

    # The customer lookup answers as you type (hx-get).
    page.get_by_label("Kunden suchen (Name, E-Mail, Telefon, Ort)").fill("kunde@example")
    expect(page.locator("#customer-results")).to_contain_text("kunde@example.de")

    # The status dialog opens and closes (order_page.js).
    page.get_by_role("button", name="Status ändern…").click()
    dialog = page.locator("#status-dialog")
    expect(dialog).to_be_visible()
    screenshot(page, "csp-htmx-status-dialog")
    dialog.get_by_role("button", name="Abbrechen").click()
    expect(dialog).to_be_hidden()

    # The order list filters as you type and keeps the filter in the address (hx-push-url).
    open_page(page, f"{live_server.url}/orders/")
    page.get_by_label("Suchen", exact=True).fill(str(shop.card_order.number))
    expect(page).to_have_url(re.compile(rf"/orders/\?q={shop.card_order.number}&"))
    expect(page.locator("#order-results")).to_contain_text(str(shop.card_order.number))
    screenshot(page, "csp-htmx-order-list-filtered")

    assert watch.violations == []
    assert watch.dialogs == []
