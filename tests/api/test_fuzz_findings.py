"""What schemathesis found in the API (test_fuzz.py), each pinned as a plain regression test:
answers that were 500s or that the OpenAPI document did not describe."""

import pytest

from bestellwerk.api.api import api
from bestellwerk.api.schemas import TEXT_PATTERN
from bestellwerk.catalog.services import MAX_STOCK, MAX_STOCK_DELTA
from bestellwerk.core.money import parse_money
from tests.api.conftest import assert_error, refused, send


def test_an_amount_of_thirty_digits_is_refused_not_overflowed(admin_api, order):
    with pytest.raises(ValueError, match=r"9999999\.99"):
        parse_money(10**30)
    error = refused(
        admin_api, "POST", f"/orders/{order.number}/payments", {"amount": 10**30}, 422,
        "invalid_input",
    )  # fmt: skip
    assert set(error["fields"]) == {"amount"}


@pytest.mark.parametrize("query", ["created_to=0", "created_from=20260301", "created_to=1e3"])
def test_a_list_date_is_only_yyyy_mm_dd(admin_api, order, query):
    error = assert_error(send(admin_api, "GET", f"/orders?{query}"), 422, "invalid_input")
    assert set(error["fields"]) == {query.split("=")[0]}


def test_list_dates_at_the_calendars_edges_filter_nothing_out(admin_api, order):
    response = send(admin_api, "GET", "/orders?created_from=0001-01-01&created_to=9999-12-31")
    assert response.status_code == 200, response.content
    assert [item["number"] for item in response.json()["items"]] == [order.number]


@pytest.mark.parametrize(
    "paid_at", ["2026-11-01T10:00:00", "2026-11-01", 1767225600, "01.11.2026 10:00"]
)
def test_a_payment_time_needs_rfc_3339_with_its_offset(admin_api, order, paid_at):
    body = {"amount": "1.00", "paid_at": paid_at}
    refused(admin_api, "POST", f"/orders/{order.number}/payments", body, 422, "invalid_input")


@pytest.mark.parametrize("paid_at", ["0001-01-01T00:00:00+01:00", "1899-12-31T23:59:59Z"])
def test_a_payment_time_before_1900_is_refused(admin_api, order, paid_at):
    body = {"amount": "1.00", "paid_at": paid_at}
    error = refused(
        admin_api, "POST", f"/orders/{order.number}/payments", body, 422, "invalid_date"
    )
    assert set(error["fields"]) == {"paid_at"}


def test_a_payment_time_with_an_offset_is_stored_as_that_moment(admin_api, order):
    body = {"amount": "1.00", "paid_at": "2026-11-01T10:00:00.5+01:00"}
    response = send(admin_api, "POST", f"/orders/{order.number}/payments", body)
    assert response.status_code == 201, response.content
    assert response.json()["paid_at"].startswith("2026-11-01T09:00:00.5")


def test_a_coupon_end_beyond_2999_is_refused(admin_api, db):
    end = "9999-12-31T23:59:59-05:00"
    body = {"code": "FERN", "kind": "percent", "value": "10", "valid_until": end}
    refused(admin_api, "POST", "/coupons", body, 422, "invalid_date")


@pytest.mark.parametrize("path", ["/orders?q=a%00b", "/orders?tag=%1B", "/products?q=%7F"])
def test_control_characters_in_a_query_are_refused(admin_api, order, path):
    assert_error(send(admin_api, "GET", path), 422, "invalid_input")


def test_a_control_character_in_a_path_sku_is_refused(admin_api, coffee):
    assert_error(send(admin_api, "GET", "/products/KAF%00"), 422, "invalid_input")
    body = {"delta": 1}
    refused(admin_api, "POST", "/products/KAF%00/stock", body, 422, "invalid_input")


@pytest.mark.parametrize("header", ['"²"', '"٣"', '"3²"'])
def test_if_match_takes_ascii_digits_only(admin_api, order, header):
    response = send(
        admin_api, "POST", f"/orders/{order.number}/notes", {"body": "x"}, **{"If-Match": header}
    )
    assert_error(response, 422, "invalid_if_match")


def test_stock_stays_within_a_billion(admin_api, coffee):
    coffee.stock_quantity = MAX_STOCK - MAX_STOCK_DELTA + 1
    coffee.save(update_fields=["stock_quantity"])
    error = refused(
        admin_api, "POST", f"/products/{coffee.sku}/stock", {"delta": MAX_STOCK_DELTA}, 422,
        "stock_out_of_range",
    )  # fmt: skip
    assert error["fields"] == {"skus": [coffee.sku]}
    response = send(admin_api, "POST", f"/products/{coffee.sku}/stock", {"delta": -5})
    assert response.status_code == 200, response.content


def _request_schemas(document: dict) -> list[tuple[str, dict]]:
    """Every query parameter and every property of every component a request names."""
    fields = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            for parameter in operation.get("parameters", []):
                fields.append((f"{method} {path} {parameter['name']}", parameter["schema"]))
    for name, component in document["components"]["schemas"].items():
        if name.endswith("In"):
            for field, schema in component.get("properties", {}).items():
                fields.append((f"{name}.{field}", schema))
    return fields


def _strings(schema: dict) -> list[dict]:
    found = [schema] if schema.get("type") == "string" else []
    for option in schema.get("anyOf", []):
        found += _strings(option)
    if isinstance(schema.get("items"), dict):
        found += _strings(schema["items"])
    return found


def test_the_openapi_document_states_the_form_of_every_request_string():
    document = api.get_openapi_schema()
    unstated = [
        label
        for label, schema in _request_schemas(document)
        for string in _strings(schema)
        if not {"pattern", "format", "enum", "const"} & string.keys()
    ]
    assert unstated == []
    assert any(
        string.get("pattern") == TEXT_PATTERN
        for _label, schema in _request_schemas(document)
        for string in _strings(schema)
    )


def test_every_operation_documents_415_and_429():
    document = api.get_openapi_schema()
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            assert {415, 429} <= operation["responses"].keys(), f"{method} {path}"


@pytest.mark.parametrize(
    ("path", "unknown"),
    [("/orders?stauts=paid", "stauts"), ("/customers?=x", ""), ("/products?q=a&Limit=5", "Limit")],
)
def test_an_unknown_query_parameter_is_refused_not_ignored(admin_api, order, path, unknown):
    error = assert_error(send(admin_api, "GET", path), 422, "invalid_input")
    assert set(error["fields"]) == {unknown}


def test_known_query_parameters_still_pass_even_repeated(admin_api, order):
    response = send(admin_api, "GET", "/orders?status=pending&status=processing&limit=5")
    assert response.status_code == 200, response.content
