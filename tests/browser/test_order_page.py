"""The order page in a real Chromium against the live server: a phone order typed in
section by section, totals changing as you type, logistics, status with stock, two editors."""

import importlib
import re
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from playwright.sync_api import expect

from bestellwerk.catalog.models import Product
from bestellwerk.catalog.services import create_product
from bestellwerk.core.actors import Actor
from bestellwerk.customers.models import Customer
from bestellwerk.orders.inputs import LineInput
from bestellwerk.orders.models import Order, OrderStatus
from bestellwerk.orders.services import create_order, set_order_status
from bestellwerk.promotions.models import Coupon
from tests.browser_support import screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def shop_settings_lists(db):
    """The seeded settings lists (payment and shipping methods, carriers, lead sources):
    a transactional test starts from a flushed database, so seed them again."""
    seed_migration = importlib.import_module("bestellwerk.orders.migrations.0003_seed_settings")
    seed_migration.seed(django_apps, None)


@pytest.fixture
def products(browser_user):
    actor = Actor.for_user(browser_user)
    return [
        create_product(
            sku=sku, name=name, price=price, vat_rate=vat, stock_quantity=10, actor=actor
        )
        for sku, name, price, vat in (
            ("KAF-1", "Kaffee Crema 1 kg", "19.90", "7"),
            ("TAS-1", "Tasse Steingut", "9.90", "19"),
            ("MUE-1", "Mühle Handbetrieb", "49.00", "19"),
        )
    ]


@pytest.fixture
def placed_order(browser_user, products):
    return create_order(
        actor=Actor.for_user(browser_user),
        billing_address={
            "first_name": "Erika",
            "last_name": "Mustermann",
            "line1": "Hauptstraße 1",
            "postal_code": "10115",
            "city": "Berlin",
            "country": "DE",
            "email": "erika@example.de",
        },
        shipping_address={
            "first_name": "Max",
            "last_name": "Nachbar",
            "line1": "Nebenweg 2",
            "postal_code": "10117",
            "city": "Berlin",
            "country": "DE",
        },
        lines=[LineInput(quantity=2, sku="KAF-1"), LineInput(quantity=1, sku="TAS-1")],
        payment_method="invoice",
        shipping_method="standard",
    )


def open_order(page, live_server, order: Order):
    page.goto(f"{live_server.url}/orders/{order.number}/")
    expect(page.get_by_test_id("order-number")).to_have_text(str(order.number))
    # A marker that a full page load would wipe: every change below must keep it.
    page.evaluate("window.__noReload = true")
    return page


def assert_no_reload(page) -> None:
    assert page.evaluate("window.__noReload === true"), "the page was reloaded"


def add_product(page, query: str, sku: str) -> None:
    search = page.get_by_label("Artikel hinzufügen (Artikelnummer oder Name)")
    search.fill(query)
    page.locator(f'[data-testid="product-result"][value="{sku}"]').click()
    expect(page.locator(f'[data-testid="cart-line"][data-sku="{sku}"]')).to_be_visible()
    wait_for_htmx_idle(page)


def wait_for_htmx_idle(page) -> None:
    """Wait until no htmx request is in flight, as a person would before typing on."""
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def test_phone_order_for_a_new_customer_with_three_products_and_a_coupon(
    logged_in_page, live_server, products
):
    Coupon.objects.create(code="SOMMER10", kind="percent", value=Decimal("10"))
    page = logged_in_page

    # given a new draft from the list's "new order" button, made in one click
    page.get_by_role("button", name="Neue Bestellung").click()
    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    order = Order.objects.get()
    assert order.is_draft and order.channel == "manual"
    page.evaluate("window.__noReload = true")

    # when the caller is a new customer, created inline
    new_customer = page.get_by_test_id("new-customer")
    new_customer.get_by_text("Neuen Kunden anlegen").click()
    for label, value in (
        ("Vorname", "Nora"),
        ("Nachname", "Neu"),
        ("E-Mail", "nora@example.de"),
        ("Telefon", "030 5550"),
        ("Straße und Hausnummer", "Lindenallee 7"),
        ("PLZ", "20095"),
        ("Ort", "Hamburg"),
    ):
        new_customer.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Kunden anlegen und für diese Bestellung verwenden").click()
    expect(page.get_by_test_id("customer-card")).to_contain_text("Nora Neu")
    expect(page.get_by_test_id("billing-address")).to_contain_text("Lindenallee 7")

    # and three products are added by SKU and by name, the goods total following each
    goods = page.get_by_test_id("total-goods")
    add_product(page, "KAF", "KAF-1")
    expect(goods).to_have_text("19,90\xa0€")
    expect(page.get_by_label("Artikel hinzufügen (Artikelnummer oder Name)")).to_be_focused()
    add_product(page, "tasse", "TAS-1")
    expect(goods).to_have_text("29,80\xa0€")
    add_product(page, "Mühle", "MUE-1")
    expect(goods).to_have_text("78,80\xa0€")

    # then typing a quantity changes the line, goods, VAT and total without a button
    quantity = page.get_by_label("Menge von Kaffee Crema 1 kg")
    quantity.fill("3")
    expect(page.locator("#line-total-0")).to_have_text("59,70\xa0€")
    expect(goods).to_have_text("118,60\xa0€")
    expect(page.get_by_test_id("total-grand")).to_have_text("118,60\xa0€")
    expect(page.get_by_test_id("total-vat-7")).to_have_text("3,91\xa0€")
    expect(quantity).to_be_focused()

    # and the coupon takes 10 % off, shown as a discount and in the total
    page.get_by_label("Gutschein").fill("sommer10")
    page.get_by_role("button", name="Einlösen").click()
    expect(page.get_by_test_id("total-discount")).to_have_text("−11,86\xa0€")
    expect(page.get_by_test_id("total-grand")).to_have_text("106,74\xa0€")

    # and a shipping method adds its price to the total
    page.get_by_label("Versandart").select_option("standard")
    expect(page.get_by_test_id("total-shipping")).to_have_text("4,90\xa0€")
    expect(page.get_by_test_id("total-grand")).to_have_text("111,64\xa0€")
    assert_no_reload(page)

    order.refresh_from_db()
    assert order.customer == Customer.objects.get(email="nora@example.de")
    assert order.total == Decimal("111.64") and order.coupon.code == "SOMMER10"
    assert [(line.sku, line.quantity) for line in order.lines.all()] == [
        ("KAF-1", 3),
        ("TAS-1", 1),
        ("MUE-1", 1),
    ]


def test_use_billing_for_shipping_and_copy_billing_data(logged_in_page, live_server, placed_order):
    page = open_order(logged_in_page, live_server, placed_order)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    expect(page.get_by_test_id("shipping-address")).to_contain_text("Max Nachbar")

    page.get_by_role("button", name="Rechnungsadresse als Lieferadresse verwenden").click()

    expect(page.get_by_test_id("shipping-same-note")).to_be_visible()
    expect(page.get_by_test_id("shipping-address")).to_contain_text("Erika Mustermann")
    expect(page.get_by_test_id("shipping-address")).to_contain_text("Hauptstraße 1")
    placed_order.refresh_from_db()
    assert placed_order.shipping_address["line1"] == "Hauptstraße 1"

    page.get_by_role("button", name="Rechnungsdaten kopieren").click()
    expect(page.get_by_role("button", name="Kopiert")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("Erika Mustermann\nHauptstraße 1\n10115 Berlin")
    assert_no_reload(page)


def test_add_a_shipment_with_tracking_and_see_the_link(logged_in_page, live_server, placed_order):
    page = open_order(logged_in_page, live_server, placed_order)

    page.get_by_label("Versanddienstleister", exact=True).select_option("dhl")
    page.get_by_label("Sendungsnummer").fill("00340434161094042557")
    page.get_by_role("button", name="Sendung hinzufügen").click()

    link = page.get_by_test_id("tracking-link")
    expect(link).to_be_visible()
    expect(link).to_have_attribute("href", re.compile(r"dhl\.de/.*00340434161094042557$"))
    expect(page.get_by_test_id("timeline")).to_contain_text(
        "Sendung hinzugefügt: DHL 00340434161094042557"
    )
    assert_no_reload(page)


def test_change_status_to_shipped_with_stock_confirmation(
    logged_in_page, live_server, placed_order
):
    page = open_order(logged_in_page, live_server, placed_order)
    stock = page.locator('[data-sku="KAF-1"] [data-testid="line-stock"]')
    expect(stock).to_have_text("10")

    page.get_by_role("button", name="Status ändern…").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Neuer Status").select_option("shipped")
    expect(dialog.get_by_text("Der Bestand wird abgezogen:")).to_be_visible()
    expect(dialog.get_by_text("KAF-1: −2")).to_be_visible()
    expect(dialog.get_by_label("Ja, Bestand anpassen")).to_be_checked()
    dialog.get_by_label("Kunden per E-Mail benachrichtigen").check()
    screenshot(page, "order_status_dialog")
    dialog.get_by_role("button", name="Status ändern").click()

    expect(page.get_by_test_id("order-status")).to_have_text("Versandt")
    expect(stock).to_have_text("8")
    expect(page.get_by_test_id("status-history")).to_contain_text("Ausstehend → Versandt")
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert Product.objects.get(sku="KAF-1").stock_quantity == 8
    assert Product.objects.get(sku="TAS-1").stock_quantity == 9
    assert_no_reload(page)

    # and the product list shows the new stock too
    page.goto(f"{live_server.url}/products/")
    expect(page.locator('tr[data-sku="KAF-1"] td').nth(4)).to_have_text("8")


def test_a_cancellation_asks_whether_to_restock_without_a_default(
    logged_in_page, live_server, browser_user, placed_order
):
    # given an order in processing that holds its stock (coffee 10 → 8)
    set_order_status(
        number=placed_order.number, status="processing", actor=Actor.for_user(browser_user)
    )
    page = open_order(logged_in_page, live_server, placed_order)

    # when the status dialog opens, the way forward is proposed
    page.get_by_role("button", name="Status ändern…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Neuer Status")).to_have_value("shipped")

    # and choosing a cancellation asks about the stock, with neither answer chosen
    dialog.get_by_label("Neuer Status").select_option("cancelled")
    expect(dialog.get_by_text("Der Bestand wird wieder aufgefüllt:")).to_be_visible()
    yes, no = (
        dialog.get_by_label("Ja, zurückbuchen"),
        dialog.get_by_label("Nein, Bestand nicht ändern"),
    )
    expect(yes).not_to_be_checked()
    expect(no).not_to_be_checked()
    screenshot(page, "order_status_dialog_restock")

    # then it cannot be sent without an answer
    dialog.get_by_role("button", name="Status ändern").click()
    expect(dialog).to_be_visible()
    placed_order.refresh_from_db()
    assert placed_order.status == OrderStatus.PROCESSING

    # and with "no", the order is cancelled and the stock stays where it is
    no.check()
    dialog.get_by_role("button", name="Status ändern").click()
    expect(page.get_by_test_id("order-status")).to_have_text("Storniert")
    assert Product.objects.get(sku="KAF-1").stock_quantity == 8
    assert_no_reload(page)


def test_two_editors_the_second_save_is_refused_with_a_reload_link(
    browser, logged_in_page, log_in, browser_user, live_server, placed_order
):
    first = open_order(logged_in_page, live_server, placed_order)
    other_context = browser.new_context(locale="de-DE", viewport={"width": 1400, "height": 900})
    try:
        second = open_order(
            log_in(other_context.new_page(), browser_user), live_server, placed_order
        )

        # the first editor changes the quantity and it is saved
        first.get_by_label("Menge von Kaffee Crema 1 kg").fill("4")
        expect(first.get_by_test_id("total-goods")).to_have_text("89,50\xa0€")

        # the second, on the old version, is refused and nothing is overwritten
        second.get_by_label("Menge von Kaffee Crema 1 kg").fill("7")
        expect(second.get_by_role("alert")).to_contain_text(
            "Diese Bestellung wurde inzwischen von jemand anderem geändert"
        )
        placed_order.refresh_from_db()
        assert placed_order.lines.get(sku="KAF-1").quantity == 4

        second.get_by_test_id("reload-link").click()
        expect(second.get_by_label("Menge von Kaffee Crema 1 kg")).to_have_value("4")
        expect(second.get_by_test_id("total-goods")).to_have_text("89,50\xa0€")
    finally:
        other_context.close()


def test_place_a_draft(logged_in_page, live_server, browser_user, products):
    draft = create_order(
        actor=Actor.for_user(browser_user),
        status=OrderStatus.DRAFT,
        lines=[LineInput(quantity=1, sku="MUE-1")],
        billing_address={"first_name": "Paul", "last_name": "Platz", "email": "paul@example.de"},
    )
    page = logged_in_page
    page.goto(f"{live_server.url}/orders/{draft.number}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Entwurf")

    page.get_by_role("button", name="Bestellung aufgeben…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Aufgeben als")).to_have_value("pending")
    expect(dialog.get_by_text("Der Bestand ändert sich nicht.")).to_be_visible()
    dialog.get_by_role("button", name="Bestellung aufgeben").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Bestellung")
    expect(page.get_by_test_id("order-status")).to_have_text("Ausstehend")
    draft.refresh_from_db()
    assert draft.status == OrderStatus.PENDING and draft.customer.email == "paul@example.de"


def test_screenshot_of_the_order_page(logged_in_page, live_server, placed_order):
    page = open_order(logged_in_page, live_server, placed_order)
    page.get_by_label("Neue interne Notiz (wird dem Kunden nie gezeigt)").fill(
        "Kundin ruft morgen zurück"
    )
    page.get_by_role("button", name="Notiz hinzufügen").click()
    expect(page.get_by_test_id("notes")).to_contain_text("Kundin ruft morgen zurück")

    path = screenshot(page, "order_page")

    assert path.exists() and path.stat().st_size > 10_000


def test_quick_changes_in_several_sections_wait_for_each_other(
    logged_in_page, live_server, placed_order
):
    page = open_order(logged_in_page, live_server, placed_order)

    # a payment asked for, a tag and a lead source, fired without waiting in between
    payments = page.locator("#order-payments")
    payments.get_by_text("Zahlung erfassen").click()
    expect(payments.get_by_label("Betrag (EUR)")).to_have_value("54,60")
    payments.get_by_role("button", name="Weiter").click()
    page.get_by_label("Tag hinzufügen").fill("Telefon")
    page.get_by_label("Tag hinzufügen").press("Enter")
    page.get_by_label("Lead-Quelle", exact=True).select_option("google")
    # then the payment confirmed, and a quantity typed (the order is paid now: confirmed too)
    payments.get_by_role("button", name="Zahlung erfassen", exact=True).click()
    expect(page.get_by_test_id("payment-status")).to_have_text("Bezahlt")
    page.get_by_label("Menge von Tasse Steingut").fill("2")
    page.get_by_role("button", name="Änderung speichern").click()

    expect(page.get_by_test_id("order-tag")).to_have_text("Telefon")
    expect(page.get_by_test_id("total-goods")).to_have_text("59,60\xa0€")
    expect(page.get_by_test_id("payment-status")).to_have_text("Teilweise bezahlt")
    expect(page.get_by_test_id("order-payment-status")).to_have_text("Teilweise bezahlt")
    expect(page.get_by_test_id("timeline")).to_contain_text("Lead-Quelle: – → Google")
    expect(page.get_by_role("alert")).to_have_count(0)
    assert_no_reload(page)
    placed_order.refresh_from_db()
    assert placed_order.lead_source.code == "google"
    assert placed_order.paid_total == Decimal("54.60")
    assert placed_order.payment_status == "partially_paid"
    assert placed_order.lines.get(sku="TAS-1").quantity == 2
