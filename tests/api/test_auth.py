"""Bearer tokens: 401 without a valid one, 403 outside the role, and the CLI's token works."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from bestellwerk.accounts.models import ApiToken
from bestellwerk.accounts.services import create_api_token
from tests.api.conftest import assert_error, db_state, send

# Every endpoint with a body that would succeed for a role that may use it.
ENDPOINTS = [
    ("GET", "/orders", None),
    ("POST", "/orders", {"status": "draft"}),
    ("GET", "/orders/{number}", None),
    ("PATCH", "/orders/{number}", {"tags": ["x"]}),
    ("PUT", "/orders/{number}/lines", {"lines": [{"sku": "KAF-1", "quantity": 1}]}),
    ("POST", "/orders/{number}/place", {}),
    ("POST", "/orders/{number}/status", {"status": "on_hold"}),
    ("POST", "/orders/{number}/payment-status", {"payment_status": "paid"}),
    ("POST", "/orders/{number}/notes", {"body": "Notiz"}),
    ("POST", "/orders/{number}/shipments", {"carrier": "dhl"}),
    ("PATCH", "/orders/{number}/shipments/1", {"tracking_code": "1"}),
    ("GET", "/orders/{number}/events", None),
    ("GET", "/products", None),
    ("POST", "/products", {"sku": "NEU-1", "name": "Neu", "price": "1.00"}),
    ("GET", "/products/KAF-1", None),
    ("PATCH", "/products/KAF-1", {"name": "Kaffee"}),
    ("POST", "/products/KAF-1/stock", {"delta": 5, "reason": "Lieferung"}),
    ("GET", "/coupons", None),
    ("POST", "/coupons", {"code": "NEU", "kind": "free_shipping"}),
    ("GET", "/customers", None),
    ("GET", "/customers/1", None),
    ("GET", "/payment-methods", None),
    ("GET", "/shipping-methods", None),
    ("GET", "/carriers", None),
    ("GET", "/lead-sources", None),
]

# (method, path) → roles refused with 403; every other role gets past the permission check.
FORBIDDEN = {
    ("POST", "/orders"): {"warehouse"},
    ("PATCH", "/orders/{number}"): {"warehouse"},
    ("PUT", "/orders/{number}/lines"): {"warehouse"},
    ("POST", "/orders/{number}/place"): {"warehouse"},
    ("POST", "/orders/{number}/payment-status"): {"warehouse"},
    ("POST", "/products"): {"sales", "warehouse"},
    ("PATCH", "/products/KAF-1"): {"sales", "warehouse"},
    ("POST", "/products/KAF-1/stock"): {"sales"},
    ("GET", "/coupons"): {"warehouse"},
    ("POST", "/coupons"): {"warehouse"},
    ("GET", "/customers"): {"warehouse"},
    ("GET", "/customers/1"): {"warehouse"},
}


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_no_token_is_401(anon_api, order, method, path, body):
    before = db_state()
    response = send(anon_api, method, path.format(number=order.number), body)
    assert_error(response, 401, "unauthorized")
    assert response["WWW-Authenticate"] == "Bearer"
    assert db_state() == before


@pytest.mark.parametrize(
    "authorization",
    ["Bearer bw_not-a-real-token", "Bearer ", "Token abc", "bw_abc", "Bearer " + "x" * 5000],
)
def test_bad_token_is_401(order, authorization):
    client = Client(headers={"Authorization": authorization})
    assert_error(send(client, "GET", f"/orders/{order.number}"), 401, "unauthorized")


def test_revoked_token_is_401(admin_api, order):
    ApiToken.objects.update(revoked_at=timezone.now())
    assert_error(send(admin_api, "GET", f"/orders/{order.number}"), 401, "unauthorized")


def test_token_of_deactivated_user_is_401(admin_api, admin_user, order):
    admin_user.is_active = False
    admin_user.save()
    assert_error(send(admin_api, "GET", f"/orders/{order.number}"), 401, "unauthorized")


@pytest.mark.parametrize("role", ["admin", "sales", "warehouse"])
@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_roles(request, order, role, method, path, body):
    """Each role gets 403 exactly outside its permissions, with nothing written."""
    client = request.getfixturevalue(f"{role}_api")
    before = db_state()
    response = send(client, method, path.format(number=order.number), body)
    if role in FORBIDDEN.get((method, path), set()):
        error = assert_error(response, 403, "permission_denied")
        assert error["fields"]["permission"]
        assert db_state() == before
    else:
        # Past the permission check: success, or a business answer about this very order.
        assert response.status_code != 403, response.content
        assert response.status_code != 401


def test_create_api_token_command_prints_a_working_token(admin_user, order):
    # Given a token made by the CLI
    out = StringIO()
    call_command("create_api_token", admin_user.username, stdout=out)
    token = out.getvalue().strip()
    assert token.startswith("bw_")
    # Then the API accepts it as the user's bearer token
    client = Client(headers={"Authorization": f"Bearer {token}"})
    response = send(client, "GET", f"/orders/{order.number}")
    assert response.status_code == 200, response.content
    # And only its hash is stored
    assert not ApiToken.objects.filter(key_hash=token).exists()
    assert ApiToken.objects.filter(user=admin_user, name="cli").exists()


def test_a_burst_of_wrong_tokens_answers_429_with_retry_after(anon_api, admin_token, settings):
    settings.API_TOKEN_FAILURE_LIMIT = 5
    for _ in range(5):
        wrong = anon_api.get("/api/v1/orders", HTTP_AUTHORIZATION="Bearer bw_wrong")
        assert wrong.status_code == 401

    throttled = anon_api.get("/api/v1/orders", HTTP_AUTHORIZATION="Bearer bw_wrong")
    # the address is held back whatever it sends until the window has passed
    also_throttled = anon_api.get("/api/v1/orders", HTTP_AUTHORIZATION=f"Bearer {admin_token}")

    for response in (throttled, also_throttled):
        assert response.status_code == 429
        assert response.json()["error"]["code"] == "too_many_attempts"
        assert int(response["Retry-After"]) == settings.API_TOKEN_FAILURE_WINDOW


def test_another_address_is_not_held_back(anon_api, admin_token, settings):
    settings.API_TOKEN_FAILURE_LIMIT = 5
    for _ in range(6):
        anon_api.get("/api/v1/orders", HTTP_AUTHORIZATION="Bearer bw_wrong")

    response = anon_api.get(
        "/api/v1/orders", HTTP_AUTHORIZATION=f"Bearer {admin_token}", REMOTE_ADDR="198.51.100.9"
    )

    assert response.status_code == 200


@pytest.fixture
def admin_token(admin_user) -> str:
    _token, raw = create_api_token(user=admin_user, name="burst test")
    return raw
