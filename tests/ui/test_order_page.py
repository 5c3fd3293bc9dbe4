"""The order page through Django's test client: each section's change calls its service
with the page's version and answers with the sections that changed (htmx out-of-band)."""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bestellwerk.catalog.models import Product
from bestellwerk.catalog.services import create_product
from bestellwerk.core.models import Tag
from bestellwerk.customers.models import Customer
from bestellwerk.customers.services import create_customer
from bestellwerk.orders.inputs import LineInput
from bestellwerk.orders.models import Order, OrderEvent, OrderStatus
from bestellwerk.orders.services import (
    add_order_note,
    create_order,
    set_order_status,
    update_order,
)
from bestellwerk.payments.services import refund_order, set_payment_status
from bestellwerk.promotions.models import Coupon
from bestellwerk.shipping.models import Shipment

HX = {"HTTP_HX_REQUEST": "true"}


def hx_post(client, url: str, data: dict) -> object:
    return client.post(url, data, **HX)


def page_url(order: Order, action: str = "") -> str:
    return f"/orders/{order.number}/{action}"


def cart_data(order: Order, **extra) -> dict:
    """The cart form as the page posts it: every line with its copied name and price."""
    lines = list(order.lines.all())
    return {
        "version": order.version,
        "line_sku": [line.sku for line in lines],
        "line_name": [line.name for line in lines],
        "line_price": [f"{line.unit_price:.2f}" for line in lines],
        "line_vat": [f"{line.vat_rate:.2f}" for line in lines],
        "line_qty": [str(line.quantity) for line in lines],
        **extra,
    }


def oob_ids(response) -> set[str]:
    return set(re.findall(r'id="([\w-]+)"[^>]*hx-swap-oob="true"', response.content.decode()))


@pytest.fixture
def draft(actor):
    return create_order(actor=actor, status=OrderStatus.DRAFT)


@pytest.fixture
def coupon(db):
    return Coupon.objects.create(code="SOMMER10", kind="percent", value=Decimal("10"))


# --------------------------------------------------------------------------- new + page


def test_post_new_creates_a_manual_draft_and_opens_it(sales_client):
    response = sales_client.post("/orders/new/")

    order = Order.objects.get()
    assert order.status == OrderStatus.DRAFT and order.channel == "manual"
    assert response.status_code == 302 and response.url == page_url(order)


def test_get_new_only_asks_and_creates_nothing(sales_client):
    response = sales_client.get("/orders/new/")

    assert response.status_code == 200
    assert "Entwurf anlegen" in response.content.decode()
    assert not Order.objects.exists()


def test_warehouse_may_not_create_orders(warehouse_client):
    assert warehouse_client.post("/orders/new/").status_code == 403
    assert not Order.objects.exists()


def test_anonymous_is_sent_to_login(client, order):
    response = client.get(page_url(order))

    assert response.status_code == 302 and response.url.startswith("/login/")


def test_unknown_order_is_404(sales_client, db):
    assert sales_client.get("/orders/99999/").status_code == 404


def test_page_shows_every_section_in_german(sales_client, order):
    response = sales_client.get(page_url(order))

    html = response.content.decode()
    assert response.status_code == 200
    for section in (
        "section-customer",
        "section-addresses",
        "section-cart",
        "section-payment",
        "section-logistics",
        "section-status",
        "section-assignment",
        "section-tags",
        "section-notes",
        "section-timeline",
    ):
        assert f'id="{section}"' in html
    assert f'id="order-version" name="version" value="{order.version}"' in html
    assert "Warenkorb" in html and "Intern – nur für Mitarbeiter" in html
    assert "Bestellung aufgegeben" in html  # the timeline in words
    assert "Kaffee Crema 1 kg" in html and "54,60\xa0€" in html


def test_warehouse_sees_the_page_without_cart_editing(warehouse_client, order):
    html = warehouse_client.get(page_url(order)).content.decode()

    assert 'id="product-search"' not in html
    assert 'name="remove"' not in html
    assert "Status ändern…" in html
    assert 'id="note-body"' in html and 'id="shipment-tracking"' in html


def _order_with(actor, products, lines: int, notes: int) -> Order:
    order = create_order(
        actor=actor,
        billing_address={"first_name": "Q", "last_name": "Count", "email": f"q{lines}@example.de"},
        lines=[LineInput(quantity=1, sku=products[i % len(products)].sku) for i in range(lines)],
        shipping_method="standard",
        payment_method="invoice",
        tags=["vip", "phone"],
    )
    for i in range(notes):
        add_order_note(number=order.number, body=f"note {i}", actor=actor)
    return order


def test_order_page_renders_in_a_fixed_number_of_queries(sales_client, actor):
    products = [
        create_product(sku=f"Q-{i}", name=f"Q {i}", price="1.00", stock_quantity=1000, actor=actor)
        for i in range(30)
    ]
    small = _order_with(actor, products, lines=2, notes=1)
    large = _order_with(actor, products, lines=30, notes=29)
    update_order(number=large.number, actor=actor, assignee="sam", lead_source="google")
    assert large.events.count() >= 30 > small.events.count()

    counts = []
    for order in (small, large):
        with CaptureQueriesContext(connection) as queries:
            response = sales_client.get(page_url(order))
        assert response.status_code == 200
        counts.append(len(queries))

    print("order page queries", counts)
    assert counts[0] == counts[1], counts
    assert counts[0] <= 20, counts


# --------------------------------------------------------------------------- cart


def test_typing_a_quantity_swaps_totals_and_line_amounts_but_not_the_inputs(sales_client, order):
    response = hx_post(sales_client, page_url(order, "cart"), cart_data(order, figures="1"))

    # given 2 × coffee and 1 × mug; when quantity of the first line stays: then nothing moves
    assert response.status_code == 200
    data = cart_data(order, figures="1")
    order.refresh_from_db()
    data["version"] = order.version
    data["line_qty"] = ["5", "1"]
    response = hx_post(sales_client, page_url(order, "cart"), data)

    order.refresh_from_db()
    assert order.lines.get(sku="KAF-1").quantity == 5
    assert order.total == Decimal("5") * Decimal("19.90") + Decimal("9.90") + Decimal("4.90")
    ids = oob_ids(response)
    assert {"cart-totals", "line-total-0", "order-version", "order-header"} <= ids
    assert "section-cart" not in ids  # the inputs being typed in are not replaced
    assert 'name="line_qty"' not in response.content.decode()
    assert response["HX-Reswap"] == "none"
    assert f'value="{order.version}"' in response.content.decode()


def test_adding_a_product_twice_raises_its_quantity(sales_client, draft, coffee):
    hx_post(sales_client, page_url(draft, "cart"), cart_data(draft, add_sku="KAF-1"))
    draft.refresh_from_db()
    response = hx_post(sales_client, page_url(draft, "cart"), cart_data(draft, add_sku="KAF-1"))

    draft.refresh_from_db()
    assert [(line.sku, line.quantity) for line in draft.lines.all()] == [("KAF-1", 2)]
    assert "section-cart" in oob_ids(response)
    assert draft.subtotal == Decimal("39.80")


def test_removing_a_line_and_adding_a_custom_line_with_a_german_price(sales_client, order):
    hx_post(sales_client, page_url(order, "cart"), cart_data(order, remove="1"))
    order.refresh_from_db()
    assert [line.sku for line in order.lines.all()] == ["KAF-1"]

    hx_post(
        sales_client,
        page_url(order, "cart"),
        cart_data(
            order,
            add_custom="1",
            custom_name="Geschenkverpackung",
            custom_price="3,50",
            custom_vat="19.00",
            custom_qty="2",
        ),
    )

    order.refresh_from_db()
    custom = order.lines.get(sku="")
    assert (custom.name, custom.unit_price, custom.vat_rate, custom.quantity) == (
        "Geschenkverpackung",
        Decimal("3.50"),
        Decimal("19.00"),
        2,
    )


def test_a_bad_quantity_is_refused_inline_and_nothing_changes(sales_client, order):
    data = cart_data(order, figures="1")
    data["line_qty"] = ["0", "1"]
    response = hx_post(sales_client, page_url(order, "cart"), data)

    html = response.content.decode()
    assert 'id="errors-cart"' in html and 'data-error-code="invalid_lines"' in html
    assert "Zeile 1, Menge: eine ganze Zahl von 1 bis 10000" in html
    assert oob_ids(response) == {"errors-cart"}
    assert order.lines.get(sku="KAF-1").quantity == 2


def test_applying_and_removing_a_coupon(sales_client, order, coupon):
    response = hx_post(
        sales_client,
        page_url(order, "cart"),
        {"version": order.version, "coupon_action": "apply", "coupon_code": "sommer10"},
    )
    order.refresh_from_db()
    assert order.coupon == coupon and order.discount_total == Decimal("4.97")
    assert "−4,97\xa0€" in response.content.decode()

    hx_post(
        sales_client,
        page_url(order, "cart"),
        {"version": order.version, "coupon_action": "remove"},
    )
    order.refresh_from_db()
    assert order.coupon is None and order.discount_total == 0


def test_an_unknown_coupon_gets_a_german_message(sales_client, order):
    response = hx_post(
        sales_client,
        page_url(order, "cart"),
        {"version": order.version, "coupon_action": "apply", "coupon_code": "NIX"},
    )

    assert "Den Gutschein 'NIX' gibt es nicht." in unescape(response.content.decode())
    order.refresh_from_db()
    assert order.coupon is None


def test_stock_short_names_the_skus(sales_client, actor, order, mug):
    # given the order holds stock (processing) and the mug has 4 left
    hx_post(
        sales_client,
        page_url(order, "status"),
        {"version": order.version, "status": "processing", "adjust_stock": "1"},
    )
    order.refresh_from_db()
    data = cart_data(order, figures="1")
    data["line_qty"] = ["2", "50"]

    response = hx_post(sales_client, page_url(order, "cart"), data)

    html = response.content.decode()
    assert "Nicht genug Bestand für TAS-1." in html and "TAS-1: 4 auf Lager" in html
    assert Product.objects.get(sku="TAS-1").stock_quantity == 4


def test_lookup_products_by_sku_prefix_and_by_name(sales_client, coffee, mug):
    by_sku = sales_client.get("/orders/lookup/products", {"q": "kaf"}).content.decode()
    by_name = sales_client.get("/orders/lookup/products", {"q": "tasse stein"}).content.decode()
    nothing = sales_client.get("/orders/lookup/products", {"q": "zzz"}).content.decode()

    assert 'value="KAF-1"' in by_sku and "TAS-1" not in by_sku
    assert 'value="TAS-1"' in by_name and "KAF-1" not in by_name
    assert "Kein Artikel passt zu „zzz“." in nothing


# --------------------------------------------------------------------------- locking


def test_a_stale_version_is_refused_with_a_reload_link(sales_client, actor, order):
    stale = order.version
    update_order(number=order.number, actor=actor, assignee="anna")  # someone else

    data = cart_data(order, figures="1")
    data["version"] = stale
    data["line_qty"] = ["9", "1"]
    response = hx_post(sales_client, page_url(order, "cart"), data)

    html = response.content.decode()
    assert "Diese Bestellung wurde inzwischen von jemand anderem geändert" in html
    assert f'href="/orders/{order.number}/"' in html and 'data-testid="reload-link"' in html
    assert order.lines.get(sku="KAF-1").quantity == 2


def test_a_post_without_version_is_refused(sales_client, order):
    response = hx_post(sales_client, page_url(order, "notes"), {"body": "Hallo"})

    assert 'data-error-code="version_missing"' in response.content.decode()
    assert not order.notes.exists()


# --------------------------------------------------------------------------- customer


def test_lookup_and_choose_an_existing_customer_fills_the_billing_address(sales_client, draft):
    customer = create_customer(
        email="kai@example.de", first_name="Kai", last_name="Berg", city="Köln", line1="Ring 2"
    )
    found = sales_client.get("/orders/lookup/customers", {"q": "berg köln"}).content.decode()
    assert f'value="{customer.pk}"' in found

    response = hx_post(
        sales_client,
        page_url(draft, "customer"),
        {"version": draft.version, "customer_id": customer.pk},
    )

    draft.refresh_from_db()
    assert draft.customer == customer and draft.billing_address["city"] == "Köln"
    assert {"section-customer", "section-addresses"} <= oob_ids(response)
    assert f'href="/customers/{customer.pk}/"' in response.content.decode()


def test_create_a_new_customer_inline(sales_client, draft):
    response = hx_post(
        sales_client,
        page_url(draft, "customer/new"),
        {
            "version": draft.version,
            "new-customer-first_name": "Nora",
            "new-customer-last_name": "Neu",
            "new-customer-email": "Nora@Example.de",
            "new-customer-phone": "0301234",
            "new-customer-city": "Hamburg",
            "new-customer-country": "de",
        },
    )

    draft.refresh_from_db()
    customer = Customer.objects.get(email="nora@example.de")
    assert draft.customer == customer and customer.country == "DE"
    assert draft.billing_address["email"] == "nora@example.de"
    assert "Nora Neu" in response.content.decode()


def test_a_new_customer_without_name_or_email_is_refused(sales_client, draft):
    response = hx_post(
        sales_client,
        page_url(draft, "customer/new"),
        {"version": draft.version, "new-customer-phone": "0301234"},
    )

    assert "Bitte mindestens einen Namen" in response.content.decode()
    assert not Customer.objects.exists()


def test_a_stale_inline_customer_creates_no_orphan(sales_client, actor, draft):
    stale = draft.version
    update_order(number=draft.number, actor=actor, lead_source="google")

    hx_post(
        sales_client,
        page_url(draft, "customer/new"),
        {"version": stale, "new-customer-last_name": "Waise", "new-customer-email": "w@example.de"},
    )

    assert not Customer.objects.exists()


def test_pressing_enter_in_the_customer_search_changes_nothing(sales_client, order):
    response = hx_post(sales_client, page_url(order, "customer"), {"version": order.version})

    assert response.status_code == 204
    order.refresh_from_db()
    assert order.customer is not None


# --------------------------------------------------------------------------- addresses


def test_edit_addresses_and_use_billing_for_shipping(sales_client, order, billing):
    editor = sales_client.get(page_url(order, "section/addresses"), {"edit": "1"}).content.decode()
    assert 'name="billing-line1"' in editor and 'value="Hauptstraße 1"' in editor

    hx_post(
        sales_client,
        page_url(order, "addresses"),
        {
            "version": order.version,
            **{f"billing-{k}": v for k, v in billing.items()},
            "billing-city": "Potsdam",
            "shipping-first_name": "Max",
            "shipping-last_name": "Muster",
            "shipping-line1": "Weg 5",
            "shipping-postal_code": "14467",
            "shipping-city": "Potsdam",
            "shipping-country": "DE",
        },
    )
    order.refresh_from_db()
    assert order.billing_address["city"] == "Potsdam"
    assert not order.shipping_same_as_billing and order.shipping_address["first_name"] == "Max"

    response = hx_post(
        sales_client, page_url(order, "addresses"), {"version": order.version, "use_billing": "1"}
    )

    order.refresh_from_db()
    assert order.shipping_same_as_billing and order.shipping_address["first_name"] == "Erika"
    assert "Wie Rechnungsadresse" in response.content.decode()


def test_an_invalid_email_in_the_address_is_refused(sales_client, order, billing):
    response = hx_post(
        sales_client,
        page_url(order, "addresses"),
        {
            "version": order.version,
            **{f"billing-{k}": v for k, v in billing.items()},
            "billing-email": "kein-at",
            "shipping_same_as_billing": "1",
        },
    )

    assert "Die Adresse enthält ungültige Felder." in response.content.decode()
    order.refresh_from_db()
    assert order.billing_address["email"] == "erika@example.de"


def test_copy_button_carries_the_billing_text(sales_client, order):
    html = sales_client.get(page_url(order)).content.decode()

    assert 'data-copy-from="#billing-copy-text"' in html
    assert "Erika Mustermann\nHauptstraße 1\n10115 Berlin\nDE\nerika@example.de" in html


# --------------------------------------------------------------------------- status


def test_status_dialog_offers_only_allowed_transitions_with_their_stock_effect(sales_client, order):
    html = sales_client.get(page_url(order)).content.decode()
    dialog = html[html.index('id="status-dialog"') : html.index("</dialog>")]

    options = re.findall(r'<option value="(\w+)" data-effect="(\w+)"', dialog)
    assert options == [
        ("processing", "deduct"),
        ("on_hold", "deduct"),
        ("shipped", "deduct"),
        ("completed", "deduct"),
        ("cancelled", "none"),
    ]
    assert 'name="adjust_stock" value="1" id="adjust-stock" checked' in dialog
    assert 'name="notify_customer"' in dialog and 'name="notify_admins"' in dialog


def test_changing_status_deducts_stock_when_confirmed(sales_client, order, coffee):
    response = hx_post(
        sales_client,
        page_url(order, "status"),
        {
            "version": order.version,
            "status": "shipped",
            "adjust_stock": "1",
            "notify_customer": "1",
        },
    )

    order.refresh_from_db()
    coffee.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED and order.stock_held
    assert coffee.stock_quantity == 8
    html = response.content.decode()
    assert "Status Ausstehend → Versandt (Kunde benachrichtigt)" in html
    assert "Bestand abgezogen" in html
    assert {"section-status", "section-cart", "order-header"} <= oob_ids(response)


def test_changing_status_without_confirmation_leaves_stock(sales_client, order, coffee):
    hx_post(
        sales_client, page_url(order, "status"), {"version": order.version, "status": "processing"}
    )

    coffee.refresh_from_db()
    order.refresh_from_db()
    assert order.status == OrderStatus.PROCESSING and coffee.stock_quantity == 10


def test_an_invalid_transition_is_refused_in_german(sales_client, actor, order):
    order = set_order_status(number=order.number, status="cancelled", actor=actor)
    response = hx_post(
        sales_client, page_url(order, "status"), {"version": order.version, "status": "shipped"}
    )

    html = response.content.decode()
    assert "Dieser Statuswechsel ist nicht erlaubt." in html and "Erlaubt als Nächstes" in html
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED


def test_warehouse_changes_status_adds_shipment_and_note_but_not_the_cart(warehouse_client, order):
    response = hx_post(
        warehouse_client,
        page_url(order, "status"),
        {"version": order.version, "status": "processing", "adjust_stock": "1"},
    )
    assert response.status_code == 200
    order.refresh_from_db()
    hx_post(
        warehouse_client,
        page_url(order, "shipments"),
        {"version": order.version, "carrier": "dhl", "tracking_code": "0034"},
    )
    order.refresh_from_db()
    hx_post(
        warehouse_client, page_url(order, "notes"), {"version": order.version, "body": "Gepackt"}
    )
    order.refresh_from_db()

    assert order.status == OrderStatus.PROCESSING
    assert order.shipments.count() == 1 and order.notes.get().body == "Gepackt"
    for action, data in (
        ("cart", cart_data(order, figures="1")),
        ("tags", {"version": order.version, "add": "x"}),
        ("assignment", {"version": order.version, "assignee": "wim"}),
    ):
        assert hx_post(warehouse_client, page_url(order, action), data).status_code == 403


def test_placing_a_draft_reloads_the_page(sales_client, draft, coffee):
    hx_post(sales_client, page_url(draft, "cart"), cart_data(draft, add_sku="KAF-1"))
    draft.refresh_from_db()

    response = hx_post(
        sales_client,
        page_url(draft, "place"),
        {"version": draft.version, "status": "processing", "adjust_stock": "1"},
    )

    assert response.status_code == 204 and response["HX-Refresh"] == "true"
    draft.refresh_from_db()
    coffee.refresh_from_db()
    assert draft.status == OrderStatus.PROCESSING and coffee.stock_quantity == 9


def test_placing_an_empty_draft_is_refused(sales_client, draft):
    response = hx_post(
        sales_client, page_url(draft, "place"), {"version": draft.version, "status": "pending"}
    )

    assert "Die Bestellung braucht mindestens eine Position." in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_draft


# --------------------------------------------------------------------------- logistics, payment


def test_add_a_shipment_shows_the_tracking_link(sales_client, order):
    response = hx_post(
        sales_client,
        page_url(order, "shipments"),
        {"version": order.version, "carrier": "dhl", "tracking_code": "00340434"},
    )

    shipment = Shipment.objects.get()
    assert shipment.carrier_name == "DHL" and shipment.tracking_url.endswith("00340434")
    assert f'href="{shipment.tracking_url}"' in response.content.decode()


def test_a_custom_carrier_needs_a_name(sales_client, order):
    refused = hx_post(
        sales_client,
        page_url(order, "shipments"),
        {"version": order.version, "carrier": "other", "carrier_name": "", "tracking_code": "1"},
    )
    assert "Versanddienstleister aus der Liste" in refused.content.decode()

    hx_post(
        sales_client,
        page_url(order, "shipments"),
        {
            "version": order.version,
            "carrier": "other",
            "carrier_name": "Kurier Kalle",
            "tracking_code": "K1",
        },
    )
    assert Shipment.objects.get().carrier_name == "Kurier Kalle"


def test_update_tracking_code(sales_client, order):
    hx_post(
        sales_client,
        page_url(order, "shipments"),
        {"version": order.version, "carrier": "dpd", "tracking_code": "A"},
    )
    order.refresh_from_db()
    shipment = Shipment.objects.get()

    hx_post(
        sales_client,
        page_url(order, f"shipments/{shipment.pk}/tracking"),
        {"version": order.version, "tracking_code": "B"},
    )

    shipment.refresh_from_db()
    assert shipment.tracking_code == "B" and shipment.tracking_url.endswith("/B")


def test_shipping_method_change_updates_the_totals(sales_client, order):
    response = hx_post(
        sales_client,
        page_url(order, "shipping-method"),
        {"version": order.version, "shipping_method": "express"},
    )

    order.refresh_from_db()
    assert order.shipping_total == Decimal("12.90")
    assert {"section-logistics", "section-cart"} <= oob_ids(response)


def test_payment_method(sales_client, order):
    hx_post(
        sales_client,
        page_url(order, "payment-method"),
        {"version": order.version, "payment_method": "prepayment"},
    )

    order.refresh_from_db()
    assert order.payment_method.code == "prepayment"


# --------------------------------------------------------------------------- details


def test_assignee_and_lead_source(sales_client, order, sales_user):
    hx_post(
        sales_client,
        page_url(order, "assignment"),
        {"version": order.version, "assignee": "sam", "lead_source": "google"},
    )

    order.refresh_from_db()
    assert order.assignee == sales_user and order.lead_source.code == "google"


def test_notes_are_marked_internal(sales_client, order):
    response = hx_post(
        sales_client, page_url(order, "notes"), {"version": order.version, "body": "Ruft zurück"}
    )

    html = response.content.decode()
    assert order.notes.get().body == "Ruft zurück"
    assert "Ruft zurück" in html and "Intern – nur für Mitarbeiter" in html


def test_an_empty_note_is_refused(sales_client, order):
    response = hx_post(
        sales_client, page_url(order, "notes"), {"version": order.version, "body": " "}
    )

    assert "Eine Notiz hat 1 bis 5000 Zeichen." in response.content.decode()


def test_tags_add_remove_and_suggestions(sales_client, order):
    Tag.objects.create(name="Großkunde")
    html = sales_client.get(page_url(order)).content.decode()
    assert '<option value="Großkunde">' in html

    hx_post(sales_client, page_url(order, "tags"), {"version": order.version, "add": "Großkunde"})
    order.refresh_from_db()
    assert [t.name for t in order.tags.all()] == ["Großkunde"]

    hx_post(
        sales_client, page_url(order, "tags"), {"version": order.version, "remove": "großkunde"}
    )
    order.refresh_from_db()
    assert not order.tags.exists()


def test_timeline_names_who_did_what(sales_client, order, sales_user):
    hx_post(sales_client, page_url(order, "notes"), {"version": order.version, "body": "x"})

    html = sales_client.get(page_url(order)).content.decode()
    timeline = html[html.index('id="section-timeline"') :]
    assert "Interne Notiz hinzugefügt" in timeline and "sam" in timeline
    assert OrderEvent.objects.filter(order=order, type="note_added", actor_user=sales_user).exists()


def test_timeline_shows_settings_by_their_label(sales_client, order):
    hx_post(
        sales_client,
        page_url(order, "payment-method"),
        {"version": order.version, "payment_method": "prepayment"},
    )

    html = sales_client.get(page_url(order)).content.decode()
    assert "Zahlungsart: Rechnung → Vorkasse" in html


def test_enter_in_the_cart_applies_the_coupon_field(sales_client, order, coupon):
    # the hidden default button of the cart form is "apply coupon"
    html = sales_client.get(page_url(order)).content.decode()
    cart_form = html[html.index('id="cart-form"') :]
    first_button = re.search(r"<button [^>]*>", cart_form).group(0)
    assert 'name="coupon_action" value="apply"' in first_button

    hx_post(
        sales_client,
        page_url(order, "cart"),
        cart_data(order, coupon_action="apply", coupon_code="SOMMER10", q="irgendwas"),
    )

    order.refresh_from_db()
    assert order.coupon == coupon


def test_an_english_user_gets_the_page_and_errors_in_english(sales_client, sales_user, order):
    sales_user.language = "en"
    sales_user.save()

    html = sales_client.get(page_url(order)).content.decode()
    refused = hx_post(
        sales_client, page_url(order, "notes"), {"version": order.version - 1, "body": "x"}
    ).content.decode()

    assert "Cart" in html and "Internal – staff only" in html and "Change status…" in html
    assert "This order was changed by someone else in the meantime." in refused


def test_a_shipped_orders_cart_is_refused_in_german(sales_client, actor, order):
    set_order_status(number=order.number, status="shipped", actor=actor)
    order.refresh_from_db()
    data = cart_data(order, figures="1")
    data["line_qty"] = ["1", "1"]

    response = hx_post(sales_client, page_url(order, "cart"), data)

    assert (
        "Der Warenkorb einer Bestellung im Status „Versandt“ kann nicht mehr geändert werden."
        in response.content.decode()
    )
    assert order.lines.get(sku="KAF-1").quantity == 2


def test_warehouse_may_not_place_a_draft(warehouse_client, draft):
    html = warehouse_client.get(page_url(draft)).content.decode()

    assert "Bestellung aufgeben…" not in html and 'id="status-dialog"' not in html
    response = hx_post(
        warehouse_client, page_url(draft, "place"), {"version": draft.version, "status": "pending"}
    )
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.is_draft


def test_a_refunded_order_offers_no_status_change(sales_client, actor, order):
    set_order_status(number=order.number, status="processing", actor=actor)
    set_payment_status(number=order.number, payment_status="paid", actor=actor)
    refund_order(number=order.number, actor=actor, amount=order.total, set_status_refunded=True)

    html = sales_client.get(page_url(order)).content.decode()

    assert "Status ändern…" not in html and 'id="status-dialog"' not in html


def test_an_expired_session_sends_htmx_to_the_login_page(client, order):
    response = client.post(
        page_url(order, "notes"),
        {"version": order.version, "body": "x"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver/orders/{order.number}/",
    )

    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/login/?next=%2Forders%2F{order.number}%2F"
    assert not order.notes.exists()


def test_a_status_change_short_of_stock_is_refused_inside_the_dialog(
    sales_client, actor, order, coffee
):
    Product.objects.filter(pk=coffee.pk).update(stock_quantity=1)

    response = hx_post(
        sales_client,
        page_url(order, "status"),
        {"version": order.version, "status": "processing", "adjust_stock": "1"},
    )

    html = response.content.decode()
    assert oob_ids(response) == {"errors-status"}
    assert "Nicht genug Bestand für KAF-1." in html and "KAF-1: 1 auf Lager" in html
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


def test_the_payments_section_is_on_the_page_of_a_placed_order(
    sales_client, warehouse_client, order, draft
):
    # Given a placed unpaid order and a draft
    # When sales staff open them
    placed_page = sales_client.get(page_url(order)).content.decode()
    draft_page = sales_client.get(page_url(draft)).content.decode()

    # Then the placed order offers a payment link and the draft has no payments section
    assert 'id="order-payments"' in placed_page
    assert "Zahlungslink senden" in placed_page
    assert 'id="order-payments"' not in draft_page
    # And the warehouse, who may not touch payments, does not see it
    assert 'id="order-payments"' not in warehouse_client.get(page_url(order)).content.decode()


def test_a_cart_change_refreshes_the_payments_box(sales_client, order):
    # given the unpaid order of 54.60 (2 × coffee, mug, shipping)
    data = cart_data(order, figures="1")
    data["line_qty"] = ["3", "1"]

    # when the coffee's quantity is raised
    response = hx_post(sales_client, page_url(order, "cart"), data)

    # then the payments box comes along with the new open amount
    assert "order-payments" in oob_ids(response)
    assert 'data-balance="due">74,50\xa0€<' in response.content.decode()
