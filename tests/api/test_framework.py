"""The API as a whole: OpenAPI and docs, unknown routes and methods, unexpected errors."""

import json

import pytest
from django.contrib.staticfiles import finders
from django.test import Client, RequestFactory

from bestellwerk.api.api import api
from tests.api.conftest import API, assert_error, db_state, send


def test_openapi_document_lists_every_endpoint(anon_api):
    response = anon_api.get(f"{API}/openapi.json")
    assert response.status_code == 200
    document = response.json()
    paths = set(document["paths"])
    assert {
        "/api/v1/orders",
        "/api/v1/orders/{number}",
        "/api/v1/orders/{number}/lines",
        "/api/v1/orders/{number}/place",
        "/api/v1/orders/{number}/status",
        "/api/v1/orders/{number}/payment-status",
        "/api/v1/orders/{number}/notes",
        "/api/v1/orders/{number}/shipments",
        "/api/v1/orders/{number}/shipments/{shipment_id}",
        "/api/v1/orders/{number}/events",
        "/api/v1/products",
        "/api/v1/products/{sku}",
        "/api/v1/products/{sku}/stock",
        "/api/v1/coupons",
        "/api/v1/customers",
        "/api/v1/customers/{customer_id}",
        "/api/v1/payment-methods",
        "/api/v1/shipping-methods",
        "/api/v1/carriers",
        "/api/v1/lead-sources",
    } <= paths
    schemas = document["components"]["schemas"]
    # Money is a string both ways.
    assert schemas["LineOut"]["properties"]["total"]["type"] == "string"
    unit_price = json.dumps(schemas["LineIn"]["properties"]["unit_price"])
    assert '"string"' in unit_price and "number" not in unit_price
    assert document["components"]["securitySchemes"]["BearerTokenAuth"]["scheme"] == "bearer"


def test_docs_page_serves_swagger_from_local_static_files(anon_api):
    response = anon_api.get(f"{API}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-init.js"):
        assert finders.find(f"ninja/{asset}"), asset


def test_unknown_route_is_404_in_the_error_shape(admin_api, db):
    for path in ("/nope", "/orders/1/unknown", "/orders/", "/v2/orders", "/"):
        assert_error(send(admin_api, "GET", path), 404, "not_found")


def test_wrong_method_is_405_in_the_error_shape(admin_api, order):
    response = send(admin_api, "DELETE", f"/orders/{order.number}")
    error = assert_error(response, 405, "method_not_allowed")
    assert set(error["fields"]["allowed"]) == {"GET", "PATCH"}
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "PATCH"}


def test_validation_errors_of_query_and_nested_body_have_dotted_paths(admin_api, order):
    error = assert_error(send(admin_api, "GET", "/orders?limit=x"), 422, "invalid_input")
    assert list(error["fields"]) == ["limit"]
    error = assert_error(
        send(
            admin_api,
            "PUT",
            f"/orders/{order.number}/lines",
            {"lines": [{"sku": "KAF-1", "quantity": 1}, {"sku": "KAF-1", "quantity": -1}]},
        ),
        422,
        "invalid_input",
    )
    assert list(error["fields"]) == ["lines.1.quantity"]


def test_oversized_body_on_patch_is_413(admin_api, order):
    before = db_state()
    body = {"tags": ["x"], "filler": "y" * (1024 * 1024)}
    assert_error(send(admin_api, "PATCH", f"/orders/{order.number}", body), 413, "body_too_large")
    assert db_state() == before


def test_too_many_query_parameters_is_400(admin_api, order):
    query = "&".join(["status=pending"] * 2001)
    assert_error(send(admin_api, "GET", f"/orders?{query}"), 400, "bad_request")


def test_unexpected_error_is_500_without_traceback(settings, caplog):
    # Even with DEBUG on, a client never sees the exception or a traceback; the log does.
    settings.DEBUG = True
    request = RequestFactory().get(f"{API}/orders")
    response = api.on_exception(request, RuntimeError("geheime Verbindungsdaten"))
    assert response.status_code == 500
    body = response.content.decode()
    assert "geheim" not in body
    assert "Traceback" not in body
    assert json.loads(body)["error"]["code"] == "server_error"
    assert "geheime Verbindungsdaten" in caplog.text


def test_error_messages_speak_german_first_english_second(anon_api, db):
    german = send(anon_api, "GET", "/orders")
    english = send(anon_api, "GET", "/orders", **{"Accept-Language": "en"})
    assert german.json()["error"]["message"].startswith("Senden Sie einen gültigen API-Token")
    assert english.json()["error"]["message"].startswith("Send a valid API token")
    assert german.json()["error"]["code"] == english.json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "GET"])
def test_every_method_on_an_unknown_path_gets_the_json_404(method):
    # A client with CSRF checks on, as a browser session would be: no CSRF page either.
    client = Client(enforce_csrf_checks=True)

    response = client.generic(method, "/api/v1/no/such/thing", data="{}")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_found"


def test_a_csrf_refusal_under_the_api_is_json(sales_user):
    # A logged-in browser session posting to a real endpoint without a CSRF token.
    client = Client(enforce_csrf_checks=True)
    client.force_login(sales_user)

    response = client.post("/api/v1/orders", data="{}", content_type="application/json")

    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] in {"unauthorized", "permission_denied"}
