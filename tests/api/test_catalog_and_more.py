"""Products, coupons, customers and the settings lists over REST."""

import pytest

from bestellwerk.catalog.models import Product, StockMovement
from bestellwerk.catalog.services import create_product
from bestellwerk.core.tags import get_or_create_tags
from bestellwerk.customers.models import Customer
from bestellwerk.orders.services import create_order
from bestellwerk.payments.models import PaymentMethod
from bestellwerk.promotions.models import Coupon
from bestellwerk.promotions.services import create_coupon
from tests.api.conftest import assert_error, db_state, send

# --------------------------------------------------------------------------- products


def test_create_product(admin_api):
    response = send(
        admin_api,
        "POST",
        "/products",
        {
            "sku": "TEE-1",
            "name": "Grüner Tee",
            "price": "7.50",
            "vat_rate": "7",
            "stock_quantity": 12,
            "customer_tags": ["Teetrinker"],
        },
    )
    assert response.status_code == 201, response.content
    assert response.json() | {"created_at": None, "updated_at": None} == {
        "sku": "TEE-1",
        "name": "Grüner Tee",
        "price": "7.50",
        "vat_rate": "7.00",
        "track_stock": True,
        "stock_quantity": 12,
        "allow_backorder": False,
        "customer_tags": ["Teetrinker"],
        "is_active": True,
        "created_at": None,
        "updated_at": None,
    }
    assert StockMovement.objects.get(product__sku="TEE-1").delta == 12


def test_get_and_list_products(sales_api, coffee, mug):
    assert send(sales_api, "GET", "/products/KAF-1").json()["price"] == "19.90"
    page = send(sales_api, "GET", "/products?limit=1").json()
    assert [p["sku"] for p in page["items"]] == ["KAF-1"]
    rest = send(sales_api, "GET", f"/products?limit=1&cursor={page['next_cursor']}").json()
    assert [p["sku"] for p in rest["items"]] == ["TAS-1"]
    assert rest["next_cursor"] is None
    found = send(sales_api, "GET", "/products?q=tasse").json()["items"]
    assert [p["sku"] for p in found] == ["TAS-1"]


def test_patch_product_changes_only_what_is_sent(admin_api, coffee):
    response = send(
        admin_api,
        "PATCH",
        "/products/KAF-1",
        {"price": "21.00", "is_active": False, "customer_tags": ["Kaffee"]},
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["price"], data["is_active"], data["name"]) == ("21.00", False, coffee.name)
    assert data["customer_tags"] == ["Kaffee"]
    assert data["stock_quantity"] == 10


def test_adjust_stock(warehouse_api, coffee):
    response = send(
        warehouse_api, "POST", "/products/KAF-1/stock", {"delta": -3, "reason": "Inventur"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["stock_quantity"] == 7
    movement = StockMovement.objects.filter(product=coffee).order_by("-id").first()
    assert (movement.delta, movement.note, movement.actor_kind) == (-3, "Inventur", "api_token")


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("POST", "/products", {"sku": "KAF-1", "name": "X", "price": "1.00"}, 422, "sku_exists"),
        ("POST", "/products", {"sku": "N-1", "name": "X", "price": 1.99}, 422, "invalid_input"),
        ("POST", "/products", {"sku": "N-1", "name": "X", "price": "-1.00"}, 422, "invalid_amount"),
        (
            "POST",
            "/products",
            {"sku": "N-1", "name": "X", "price": "1", "vat_rate": "16"},
            422,
            "invalid_input",
        ),
        (
            "POST",
            "/products",
            {"sku": "S" * 65, "name": "X", "price": "1.00"},
            422,
            "invalid_input",
        ),
        (
            "POST",
            "/products",
            {"sku": "N-1", "name": "X", "price": "1", "stock_quantity": "5"},
            422,
            "invalid_input",
        ),
        ("PATCH", "/products/KAF-1", {"name": None}, 422, "invalid_input"),
        ("PATCH", "/products/KAF-1", {"stock_quantity": 5}, 422, "invalid_input"),
        ("PATCH", "/products/NOPE", {"name": "X"}, 404, "not_found"),
        ("GET", "/products/NOPE", None, 404, "not_found"),
        ("POST", "/products/KAF-1/stock", {"delta": 0}, 422, "invalid_quantity"),
        ("POST", "/products/KAF-1/stock", {"delta": 10**7}, 422, "invalid_input"),
        ("POST", "/products/KAF-1/stock", {"delta": -11}, 409, "stock_short"),
        ("POST", "/products/NOPE/stock", {"delta": 1}, 404, "not_found"),
    ],
)
def test_product_bad_input(admin_api, coffee, method, path, body, status, code):
    before = db_state()
    assert_error(send(admin_api, method, path, body), status, code)
    assert db_state() == before


def test_stock_of_untracked_product_cannot_be_adjusted(admin_api, actor):
    create_product(sku="DL-1", name="Download", price="5.00", track_stock=False, actor=actor)
    before = db_state()
    assert_error(
        send(admin_api, "POST", "/products/DL-1/stock", {"delta": 1}), 422, "stock_not_tracked"
    )
    assert db_state() == before


# --------------------------------------------------------------------------- coupons


def test_create_and_list_coupons(sales_api):
    response = send(
        sales_api,
        "POST",
        "/coupons",
        {
            "code": "sommer10",
            "kind": "percent",
            "value": "10",
            "min_subtotal": "50.00",
            "valid_from": "2026-06-01T00:00:00+02:00",
            "valid_until": "2026-08-31T23:59:59+02:00",
            "usage_limit": 100,
            "usage_limit_per_customer": 1,
        },
    )
    assert response.status_code == 201, response.content
    coupon = response.json()
    assert coupon["code"] == "SOMMER10"
    assert (coupon["value"], coupon["min_subtotal"]) == ("10.00", "50.00")
    assert coupon["times_used"] == 0
    send(sales_api, "POST", "/coupons", {"code": "GRATIS", "kind": "free_shipping"})
    page = send(sales_api, "GET", "/coupons?limit=1").json()
    assert [c["code"] for c in page["items"]] == ["GRATIS"]
    rest = send(sales_api, "GET", f"/coupons?cursor={page['next_cursor']}").json()
    assert [c["code"] for c in rest["items"]] == ["SOMMER10"]
    assert [c["code"] for c in send(sales_api, "GET", "/coupons?q=somm").json()["items"]] == [
        "SOMMER10"
    ]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"code": "X", "kind": "percent", "value": "150"}, "invalid_amount"),
        ({"code": "X", "kind": "fixed", "value": 5.5}, "invalid_input"),
        ({"code": "X", "kind": "gift"}, "invalid_input"),
        ({"code": "X" * 41, "kind": "free_shipping"}, "invalid_input"),
        (
            {"code": "X", "kind": "free_shipping", "valid_from": "2026-06-01T00:00:00"},
            "invalid_input",
        ),
        (
            {
                "code": "X",
                "kind": "free_shipping",
                "valid_from": "2026-06-01T00:00:00Z",
                "valid_until": "2026-05-01T00:00:00Z",
            },
            "invalid_dates",
        ),
        ({"code": "X", "kind": "free_shipping", "usage_limit": 0}, "invalid_input"),
        ({"code": "DA", "kind": "free_shipping"}, "code_exists"),
    ],
)
def test_coupon_bad_input(admin_api, body, code):
    create_coupon(code="DA", kind="free_shipping")
    before = db_state()
    assert_error(send(admin_api, "POST", "/coupons", body), 422, code)
    assert db_state() == before
    assert Coupon.objects.count() == 1


# --------------------------------------------------------------------------- customers


def test_customer_with_tags_and_order_count(sales_api, order, actor, coffee):
    # Given a customer with one placed order and one draft
    customer = order.customer
    customer.tags.add(*get_or_create_tags(["Stammkunde"]))
    create_order(actor=actor, status="draft", customer_id=customer.pk)
    # When it is read
    response = send(sales_api, "GET", f"/customers/{customer.pk}")
    # Then the tags are there and the draft does not count
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["email"] == "erika@example.de"
    assert data["tags"] == ["Stammkunde"]
    assert data["order_count"] == 1


def test_search_customers(sales_api, db):
    Customer.objects.create(email="a@example.de", first_name="Anna", last_name="Alt")
    Customer.objects.create(email="b@example.de", company="Bäckerei Brot", phone="0301234")
    Customer.objects.create(email="c@example.de", first_name="Carla")
    assert [c["email"] for c in send(sales_api, "GET", "/customers?q=brot").json()["items"]] == [
        "b@example.de"
    ]
    assert [c["email"] for c in send(sales_api, "GET", "/customers?q=0301").json()["items"]] == [
        "b@example.de"
    ]
    assert [
        c["email"] for c in send(sales_api, "GET", "/customers?q=anna alt").json()["items"]
    ] == ["a@example.de"]
    page = send(sales_api, "GET", "/customers?limit=2").json()
    assert [c["email"] for c in page["items"]] == ["c@example.de", "b@example.de"]
    rest = send(sales_api, "GET", f"/customers?limit=2&cursor={page['next_cursor']}").json()
    assert [c["email"] for c in rest["items"]] == ["a@example.de"]


def test_customer_list_is_a_fixed_number_of_queries(sales_api, db, django_assert_max_num_queries):
    for index in range(30):
        Customer.objects.create(email=f"k{index}@example.de")
    send(sales_api, "GET", "/customers?limit=1")
    # token lookup, customers with order counts, their tags
    with django_assert_max_num_queries(3):
        assert len(send(sales_api, "GET", "/customers?limit=200").json()["items"]) == 30


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/customers/424242", 404, "not_found"),
        ("/customers/abc", 422, "invalid_input"),
        ("/customers?cursor=bm9wZQ", 422, "invalid_cursor"),
        ("/customers?q=" + "x" * 201, 422, "invalid_input"),
    ],
)
def test_customer_bad_input(sales_api, db, path, status, code):
    assert_error(send(sales_api, "GET", path), status, code)


# --------------------------------------------------------------------------- settings lists


@pytest.mark.parametrize(
    ("path", "codes"),
    [
        ("/payment-methods", ["invoice", "prepayment", "cash", "card", "paypal"]),
        ("/shipping-methods", ["standard", "express", "pickup"]),
        ("/carriers", ["dhl", "deutsche_post", "dpd", "hermes", "gls", "ups", "fedex"]),
        ("/lead-sources", ["direct", "google", "social", "newsletter", "referral", "trade_fair"]),
    ],
)
def test_settings_lists(warehouse_api, path, codes):
    items = send(warehouse_api, "GET", path).json()["items"]
    assert [item["code"] for item in items] == codes


def test_settings_labels_follow_the_request_language(warehouse_api):
    german = send(warehouse_api, "GET", "/shipping-methods", **{"Accept-Language": "de"})
    english = send(warehouse_api, "GET", "/shipping-methods", **{"Accept-Language": "en"})
    assert german.json()["items"][0]["label"] == "Standardversand"
    assert english.json()["items"][0]["label"] == "Standard shipping"
    pickup = german.json()["items"][2]
    assert (pickup["code"], pickup["price"]) == ("pickup", "0.00")
    carrier = send(warehouse_api, "GET", "/carriers").json()["items"][0]
    assert "{tracking}" in carrier["tracking_url_template"]


def test_inactive_settings_are_not_offered(warehouse_api):
    PaymentMethod.objects.filter(code="paypal").update(is_active=False)
    codes = [i["code"] for i in send(warehouse_api, "GET", "/payment-methods").json()["items"]]
    assert "paypal" not in codes


def test_products_unchanged_by_listing(admin_api, coffee):
    send(admin_api, "GET", "/products")
    assert Product.objects.get(pk=coffee.pk).stock_quantity == 10
