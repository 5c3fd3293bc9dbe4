"""Order endpoints, the happy paths: each answers with the order as the issue shows it."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bestellwerk.catalog.models import Product, StockMovement
from bestellwerk.customers.models import Customer
from bestellwerk.orders.models import Order, OrderEventType
from bestellwerk.orders.services import add_order_note, add_shipment, create_order
from bestellwerk.promotions.services import create_coupon
from tests.api.conftest import send

ORDER_KEYS = {
    "number",
    "status",
    "payment_status",
    "channel",
    "customer",
    "billing_address",
    "shipping_address",
    "shipping_same_as_billing",
    "lines",
    "totals",
    "currency",
    "coupon_code",
    "payment_method",
    "shipping_method",
    "assignee",
    "lead_source",
    "tags",
    "shipments",
    "notes",
    "version",
    "created_at",
    "updated_at",
    "placed_at",
    "external_source",
    "external_id",
    "external_number",
}


def test_create_order_with_product_and_custom_lines(admin_api, coffee, mug, billing, sales_user):
    # Given a product line, a custom line and every detail of the issue
    body = {
        "channel": "web",
        "billing_address": billing,
        "shipping_address": {
            "first_name": "Max",
            "last_name": "Muster",
            "line1": "Nebenweg 2",
            "postal_code": "80331",
            "city": "München",
            "country": "de",
        },
        "lines": [
            {"sku": "KAF-1", "quantity": 2},
            {"name": "Geschenkverpackung", "unit_price": "3.50", "vat_rate": "19", "quantity": 1},
        ],
        "payment_method": "invoice",
        "shipping_method": "standard",
        "assignee": sales_user.username,
        "tags": ["VIP", "Telefon"],
        "note": "Kunde ruft zurück",
    }
    # When it is posted
    response = send(admin_api, "POST", "/orders", body)
    # Then the order is created pending, with totals as two-decimal strings
    assert response.status_code == 201, response.content
    order = response.json()
    assert set(order) == ORDER_KEYS
    assert order["status"] == "pending"
    assert order["channel"] == "web"
    assert order["customer"]["email"] == "erika@example.de"
    assert order["customer"]["name"] == "Erika Mustermann"
    assert order["shipping_same_as_billing"] is False
    assert order["shipping_address"]["city"] == "München"
    assert order["shipping_address"]["country"] == "DE"
    assert [line["sku"] for line in order["lines"]] == ["KAF-1", ""]
    custom = order["lines"][1]
    assert custom == {
        "id": custom["id"],
        "sku": "",
        "name": "Geschenkverpackung",
        "unit_price": "3.50",
        "vat_rate": "19.00",
        "quantity": 1,
        "subtotal": "3.50",
        "discount": "0.00",
        "total": "3.50",
        "tax": "0.56",
    }
    assert order["totals"]["subtotal"] == "43.30"
    assert order["totals"]["shipping"] == "4.90"
    assert order["totals"]["total"] == "48.20"
    assert {t["rate"] for t in order["totals"]["tax"]} == {"19.00", "7.00"}
    assert order["assignee"] == "sam"
    assert sorted(order["tags"]) == ["Telefon", "VIP"]
    assert order["notes"][0]["body"] == "Kunde ruft zurück"
    assert order["payment_method"] == "invoice"
    assert order["version"] >= 1
    # And the actor of its events is the API token
    created = Order.objects.get(number=order["number"]).events.get(type=OrderEventType.CREATED)
    assert created.actor_kind == "api_token"
    assert created.actor_token is not None


def test_create_draft_for_an_existing_customer(admin_api, coffee):
    # Given an existing customer
    customer = Customer.objects.create(email="kunde@example.de", first_name="Karl", city="Köln")
    # When a draft is created for them
    response = send(
        admin_api,
        "POST",
        "/orders",
        {"status": "draft", "customer_id": customer.pk, "lines": [{"sku": "KAF-1", "quantity": 1}]},
    )
    # Then the draft carries their billing data and is not in the default list
    assert response.status_code == 201, response.content
    draft = response.json()
    assert draft["status"] == "draft"
    assert draft["placed_at"] is None
    assert draft["customer"]["id"] == customer.pk
    assert draft["billing_address"]["city"] == "Köln"
    listed = send(admin_api, "GET", "/orders").json()["items"]
    assert draft["number"] not in [o["number"] for o in listed]


def test_get_order_sends_its_version_as_etag(admin_api, order):
    response = send(admin_api, "GET", f"/orders/{order.number}")
    assert response.status_code == 200
    assert response.json()["number"] == order.number
    assert response["ETag"] == f'"{order.version}"'


def test_patch_order_changes_only_the_fields_sent(admin_api, order, sales_user):
    # When assignee, lead source and tags are patched
    response = send(
        admin_api,
        "PATCH",
        f"/orders/{order.number}",
        {"assignee": "sam", "lead_source": "google", "tags": ["Eilig"], "version": order.version},
    )
    # Then those change, the rest stays, and the version goes up
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["assignee"] == "sam"
    assert data["lead_source"] == "google"
    assert data["tags"] == ["Eilig"]
    assert data["payment_method"] == "invoice"
    assert data["version"] > order.version
    assert response["ETag"] == f'"{data["version"]}"'


def test_patch_clears_assignee_with_null(admin_api, order, sales_user):
    send(admin_api, "PATCH", f"/orders/{order.number}", {"assignee": "sam"})
    response = send(admin_api, "PATCH", f"/orders/{order.number}", {"assignee": None})
    assert response.status_code == 200
    assert response.json()["assignee"] is None


def test_put_lines_replaces_cart_and_applies_coupon(admin_api, order, actor):
    # Given a 10 % coupon
    create_coupon(code="ZEHN", kind="percent", value="10")
    # When the cart is replaced with the coupon
    response = send(
        admin_api,
        "PUT",
        f"/orders/{order.number}/lines",
        {"lines": [{"sku": "TAS-1", "quantity": 2}], "coupon_code": "zehn"},
    )
    # Then the lines and the discount are the new ones
    assert response.status_code == 200, response.content
    data = response.json()
    assert [(line["sku"], line["quantity"]) for line in data["lines"]] == [("TAS-1", 2)]
    assert data["coupon_code"] == "ZEHN"
    assert data["totals"]["discount"] == "1.98"
    # And leaving the coupon out keeps it, null removes it
    kept = send(admin_api, "PUT", f"/orders/{order.number}/lines", {"lines": data_lines(data)})
    assert kept.json()["coupon_code"] == "ZEHN"
    removed = send(
        admin_api,
        "PUT",
        f"/orders/{order.number}/lines",
        {"lines": data_lines(data), "coupon_code": None},
    )
    assert removed.json()["coupon_code"] is None
    assert removed.json()["totals"]["discount"] == "0.00"


def data_lines(order_json: dict) -> list[dict]:
    return [{"sku": line["sku"], "quantity": line["quantity"]} for line in order_json["lines"]]


def test_place_a_draft(admin_api, coffee, billing):
    draft = send(
        admin_api,
        "POST",
        "/orders",
        {"status": "draft", "billing_address": billing, "lines": [{"sku": "KAF-1", "quantity": 3}]},
    ).json()
    response = send(admin_api, "POST", f"/orders/{draft['number']}/place", {"status": "processing"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "processing"
    assert response.json()["placed_at"] is not None
    coffee.refresh_from_db()
    assert coffee.stock_quantity == 7


def test_status_change_deducts_stock_and_records_the_flags(warehouse_api, order, coffee):
    response = send(
        warehouse_api,
        "POST",
        f"/orders/{order.number}/status",
        {
            "status": "processing",
            "notify_customer": True,
            "notify_admins": False,
            "comment": "Ab ins Lager",
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "processing"
    coffee.refresh_from_db()
    assert coffee.stock_quantity == 8
    event = Order.objects.get(pk=order.pk).events.get(type=OrderEventType.STATUS_CHANGED)
    assert event.data["notify_customer"] is True
    assert event.data["comment"] == "Ab ins Lager"


def test_status_change_without_stock_adjustment(admin_api, order, coffee):
    response = send(
        admin_api,
        "POST",
        f"/orders/{order.number}/status",
        {"status": "processing", "adjust_stock": False},
    )
    assert response.status_code == 200
    coffee.refresh_from_db()
    assert coffee.stock_quantity == 10
    assert not StockMovement.objects.filter(order=order).exists()


def test_payment_status(sales_api, order):
    response = send(
        sales_api, "POST", f"/orders/{order.number}/payment-status", {"payment_status": "paid"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["payment_status"] == "paid"


def test_add_note(warehouse_api, order):
    response = send(
        warehouse_api, "POST", f"/orders/{order.number}/notes", {"body": "Paket beschädigt"}
    )
    assert response.status_code == 201, response.content
    note = response.json()
    assert note["body"] == "Paket beschädigt"
    assert note["author"] == "API: test"
    detail = send(warehouse_api, "GET", f"/orders/{order.number}").json()
    assert [n["body"] for n in detail["notes"]] == ["Paket beschädigt"]


def test_add_shipment_with_listed_carrier_derives_tracking_url(warehouse_api, order):
    response = send(
        warehouse_api,
        "POST",
        f"/orders/{order.number}/shipments",
        {"carrier": "dhl", "tracking_code": "00340434161094042557"},
    )
    assert response.status_code == 201, response.content
    shipment = response.json()
    assert shipment["carrier_code"] == "dhl"
    assert shipment["tracking_code"] == "00340434161094042557"
    assert "00340434161094042557" in shipment["tracking_url"]
    detail = send(warehouse_api, "GET", f"/orders/{order.number}").json()
    assert detail["shipments"][0]["id"] == shipment["id"]


def test_add_shipment_with_custom_carrier(admin_api, order):
    response = send(
        admin_api,
        "POST",
        f"/orders/{order.number}/shipments",
        {
            "carrier_name": "Kurier Müller",
            "tracking_code": "KM-1",
            "tracking_url": "https://kurier.example/KM-1",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["carrier"] == "Kurier Müller"
    assert response.json()["carrier_code"] is None
    assert response.json()["tracking_url"] == "https://kurier.example/KM-1"


def test_update_shipment_tracking(warehouse_api, order, actor):
    shipment = add_shipment(number=order.number, actor=actor, carrier="dpd", tracking_code="1")
    response = send(
        warehouse_api,
        "PATCH",
        f"/orders/{order.number}/shipments/{shipment.pk}",
        {"tracking_code": "05123456789"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["tracking_code"] == "05123456789"
    assert "05123456789" in response.json()["tracking_url"]


def test_events_are_the_timeline_in_pages(admin_api, order):
    for text in ("eins", "zwei", "drei"):
        send(admin_api, "POST", f"/orders/{order.number}/notes", {"body": text})
    first = send(admin_api, "GET", f"/orders/{order.number}/events?limit=2").json()
    assert len(first["items"]) == 2
    assert first["items"][0]["type"] == "created"
    assert first["next_cursor"]
    rest = send(
        admin_api, "GET", f"/orders/{order.number}/events?limit=50&cursor={first['next_cursor']}"
    ).json()
    types = [e["type"] for e in first["items"] + rest["items"]]
    assert types.count("note_added") == 3
    assert rest["next_cursor"] is None
    note_event = rest["items"][-1]
    assert note_event["actor"] == {"kind": "api_token", "label": "API: test", "username": "anna"}


def test_order_created_by_service_is_readable_by_every_role(
    admin_api, sales_api, warehouse_api, actor, coffee
):
    order = create_order(actor=actor, lines=[], status="draft")
    for client in (admin_api, sales_api, warehouse_api):
        assert send(client, "GET", f"/orders/{order.number}").status_code == 200


def test_product_stock_unchanged_by_reads(admin_api, order, coffee):
    before = Product.objects.get(pk=coffee.pk).stock_quantity
    send(admin_api, "GET", f"/orders/{order.number}")
    assert Product.objects.get(pk=coffee.pk).stock_quantity == before


def test_place_a_draft_without_a_body_makes_it_pending(admin_api, coffee, billing):
    draft = send(
        admin_api,
        "POST",
        "/orders",
        {"status": "draft", "billing_address": billing, "lines": [{"sku": "KAF-1", "quantity": 1}]},
    ).json()
    response = admin_api.generic("POST", f"/api/v1/orders/{draft['number']}/place")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "pending"
    assert response.json()["customer"]["email"] == billing["email"]


def test_order_detail_takes_a_fixed_number_of_queries(admin_api, order, actor):
    # Given the order read once (the token's first use of the minute is recorded then)
    path = f"/orders/{order.number}"
    send(admin_api, "GET", path)
    with CaptureQueriesContext(connection) as small:
        send(admin_api, "GET", path)
    # When it gets more shipments, notes and tags
    for index in range(5):
        add_shipment(number=order.number, actor=actor, carrier="dhl", tracking_code=f"T{index}")
        add_order_note(number=order.number, body=f"Notiz {index}", actor=actor)
    send(admin_api, "PATCH", path, {"tags": ["a", "b", "c"]})
    # Then reading it costs no more queries
    with CaptureQueriesContext(connection) as large:
        data = send(admin_api, "GET", path).json()
    assert len(data["shipments"]) == 5 and len(data["notes"]) == 5
    assert len(large) == len(small)


def test_patch_addresses_methods_and_channel(admin_api, order):
    response = send(
        admin_api,
        "PATCH",
        f"/orders/{order.number}",
        {
            "shipping_address": {"first_name": "Paul", "line1": "Postweg 3", "city": "Bonn"},
            "shipping_method": "express",
            "payment_method": "paypal",
            "channel": "pos",
        },
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["shipping_same_as_billing"] is False
    assert data["shipping_address"] == {"first_name": "Paul", "line1": "Postweg 3", "city": "Bonn"}
    assert data["billing_address"]["city"] == "Berlin"
    assert (data["shipping_method"], data["payment_method"], data["channel"]) == (
        "express",
        "paypal",
        "pos",
    )
    # Express shipping (12.90) replaces standard (4.90) in the totals.
    assert data["totals"]["shipping"] == "12.90"
    assert data["totals"]["total"] == "62.60"
    # And back to the billing address
    same = send(admin_api, "PATCH", f"/orders/{order.number}", {"shipping_same_as_billing": True})
    assert same.json()["shipping_address"]["city"] == "Berlin"
