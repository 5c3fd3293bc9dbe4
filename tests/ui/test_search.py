"""One search everywhere (`core.search`): what staff type finds the same orders in the staff
list, the API's `q` and the selector, and the same customers and products in their lists and
typeaheads. The suite runs on SQLite and on PostgreSQL (CI), so this table holds on both."""

import re

import pytest

from bestellwerk.catalog.services import create_product
from bestellwerk.core.search import fold, phone_digits, search_words
from bestellwerk.orders.inputs import LineInput
from bestellwerk.orders.selectors import OrderFilters, filter_orders
from bestellwerk.orders.services import add_shipment, create_order


@pytest.fixture
def gift_box(actor):
    return create_product(
        sku="GES-003", name="Geschenkbox Grün", price="4.90", stock_quantity=50, actor=actor
    )


def _address(first: str, last: str, **fields: str) -> dict[str, str]:
    return {
        "first_name": first,
        "last_name": last,
        "line1": "Hauptstraße 1",
        "postal_code": "10115",
        "city": "Berlin",
        "country": "DE",
        "email": f"{fold(first)}.{fold(last)}@example.de".replace(" ", ""),
        **fields,
    }


@pytest.fixture
def people(actor, coffee, mug, gift_box) -> dict[str, int]:
    """Orders by who placed them: the key names each in the table below."""

    def order(address: dict[str, str], sku: str = "TAS-1", **values) -> int:
        return create_order(
            actor=actor,
            billing_address=address,
            lines=[LineInput(quantity=1, sku=sku)],
            payment_method="invoice",
            shipping_method="standard",
            **values,
        ).number

    numbers = {
        "hans": order(
            _address("Hans", "Fuchs", phone="0160 5484029", line1="Goethestraße 91"),
            sku="GES-003",
        ),
        "petra": order(
            _address("Petra", "Müller", city="München", postal_code="80331", company="Groß AG")
        ),
        "mueller": order(_address("Karl", "Mueller", phone="+49 (30) 9876543")),
        "muller": order(_address("Anne", "Muller", phone="+43 1 234567")),
        "fuchsberger": order(_address("Klaus", "Fuchsberger", line1="Goethestraße 7b")),
        "imported": order(
            _address("Zoë", "Ågren", postal_code="01067", city="Dresden"),
            sku="KAF-1",
            external_source="shopify",
            external_id="gid-55501",
            external_number="#SH-1001",
        ),
    }
    add_shipment(
        number=numbers["petra"], actor=actor, carrier_name="DHL", tracking_code="00340434161094"
    )
    return numbers


# query -> the orders it finds
ORDER_QUERIES: list[tuple[str, set[str]]] = [
    ("Hans Fuchs", {"hans"}),
    ("hans fuchs", {"hans"}),
    ("Fuchs Hans", {"hans"}),
    ("Hans", {"hans"}),
    ("Klaus Fuchs", {"fuchsberger"}),
    ("Fuchs", {"hans", "fuchsberger"}),
    ("Petra Müller", {"petra"}),
    ("Müller", {"petra", "mueller", "muller"}),
    ("mueller", {"petra", "mueller", "muller"}),
    ("muller", {"petra", "mueller", "muller"}),
    ("MÜLLER", {"petra", "mueller", "muller"}),
    ("Muenchen", {"petra"}),
    ("gross ag", {"petra"}),
    ("Goethestraße 91", {"hans"}),
    ("goethestrasse", {"hans", "fuchsberger"}),
    ("Goethestr. 7b", {"fuchsberger"}),
    ("0160 5484029", {"hans"}),
    ("+49 160 5484029", {"hans"}),
    ("0049 160/5484029", {"hans"}),
    ("01605484029", {"hans"}),
    ("5484029", {"hans"}),
    ("030 9876543", {"mueller"}),
    ("+43 1 234567", {"muller"}),
    ("01067 Dresden", {"imported"}),
    ("Zoe Agren", {"imported"}),
    ("#SH-1001", {"imported"}),
    ("sh-1001", {"imported"}),
    ("gid-55501", {"imported"}),
    ("ges-003", {"hans"}),
    ("GES", {"hans"}),
    ("geschenkbox grun", {"hans"}),
    ("Kaffee Crema", {"imported"}),
    ("00340434161094", {"petra"}),
    ("karl.mueller@example.de", {"mueller"}),
    ("Hans Müller", set()),
    ("zzzqxj", set()),
]


def found(numbers: dict[str, int], order_numbers: set[int]) -> set[str]:
    by_number = {number: key for key, number in numbers.items()}
    return {by_number[number] for number in order_numbers if number in by_number}


@pytest.mark.parametrize(("query", "expected"), ORDER_QUERIES)
def test_the_selector_finds_orders_by_every_word(people, query, expected):
    orders = filter_orders(OrderFilters(q=query))

    assert found(people, set(orders.values_list("number", flat=True))) == expected


@pytest.mark.parametrize(("query", "expected"), ORDER_QUERIES)
def test_the_api_q_finds_the_same_orders(people, sales_api, query, expected):
    response = sales_api.get("/api/v1/orders", {"q": query, "limit": 200})

    assert response.status_code == 200
    numbers = {item["number"] for item in response.json()["items"]}
    assert found(people, numbers) == expected


@pytest.mark.parametrize(("query", "expected"), ORDER_QUERIES)
def test_the_staff_list_finds_the_same_orders(people, sales_client, query, expected):
    response = sales_client.get("/orders/", {"q": query, "limit": 200})

    assert response.status_code == 200
    numbers = {order.number for order in response.context["orders"]}
    assert found(people, numbers) == expected


def test_a_search_number_is_its_order_number_in_the_document(people):
    """The order number is searched like every other part: "#10001" is 10001."""
    number = people["petra"]

    orders = filter_orders(OrderFilters(q=f"#{number}"))

    assert number in set(orders.values_list("number", flat=True))


# query -> the customers it finds, by last name
CUSTOMER_QUERIES: list[tuple[str, set[str]]] = [
    ("Hans Fuchs", {"Fuchs"}),
    ("muller", {"Müller", "Mueller", "Muller"}),
    ("Petra Mueller", {"Müller"}),
    ("+49 160 5484029", {"Fuchs"}),
    ("0160 5484029", {"Fuchs"}),
    ("Goethestraße", {"Fuchs", "Fuchsberger"}),
    ("munchen", {"Müller"}),
    ("zzzqxj", set()),
]


@pytest.mark.parametrize(("query", "expected"), CUSTOMER_QUERIES)
def test_customer_search_is_the_same_search(people, sales_api, sales_client, query, expected):
    api = sales_api.get("/api/v1/customers", {"q": query, "limit": 200})
    page = sales_client.get("/customers/", {"q": query})
    lookup = sales_client.get("/orders/lookup/customers", {"q": query})

    assert {item["last_name"] for item in api.json()["items"]} == expected
    assert {customer.last_name for customer in page.context["page"].object_list} == expected
    assert {customer.last_name for customer in lookup.context["customers"]} == expected


# query -> the products it finds, by SKU
PRODUCT_QUERIES: list[tuple[str, set[str]]] = [
    ("ges-003", {"GES-003"}),
    ("Geschenkbox Grun", {"GES-003"}),
    ("gruen", {"GES-003"}),
    ("crema kaffee", {"KAF-1"}),
    ("tasse", {"TAS-1"}),
    ("-1", {"KAF-1", "TAS-1"}),
    ("zzzqxj", set()),
]


@pytest.mark.parametrize(("query", "expected"), PRODUCT_QUERIES)
def test_product_search_is_the_same_search(people, admin_api, sales_client, query, expected):
    api = admin_api.get("/api/v1/products", {"q": query, "limit": 200})
    page = sales_client.get("/products/", {"q": query})
    lookup = sales_client.get("/orders/lookup/products", {"q": query})

    assert {item["sku"] for item in api.json()["items"]} == expected
    assert {product.sku for product in page.context["page"].object_list} == expected
    assert set(re.findall(r"GES-003|KAF-1|TAS-1", lookup.text)) == expected


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Müller", "muller"),
        ("MUELLER", "muller"),
        ("Straße", "strasse"),
        ("STRASSE", "strasse"),
        ("Émile  Zoë", "emile zo"),
        ("Ågren", "agren"),
    ],
)
def test_folding_makes_spellings_one(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("phone", "digits"),
    [
        ("+49 160 5484029", "01605484029"),
        ("0049 160 5484029", "01605484029"),
        ("0160/548 40 29", "01605484029"),
        ("(030) 123456", "030123456"),
        ("+43 1 234567", "00431234567"),
        ("", ""),
    ],
)
def test_phone_numbers_are_their_digits_with_the_german_prefix_as_0(phone, digits):
    assert phone_digits(phone) == digits


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("Hans  Fuchs", ["hans", "fuchs"]),
        ("0160 5484029 Fuchs", ["01605484029", "fuchs"]),
        ("01067 Dresden", ["01067", "dresden"]),
        ("Goethestraße 91", ["gothestrasse", "91"]),
        ('"#10001",', ["10001"]),
        ("a b c d e f g h i j k l", ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]),
        ("   ", []),
    ],
)
def test_a_query_is_split_into_folded_words(query, words):
    assert search_words(query) == words
