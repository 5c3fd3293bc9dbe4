"""Finding 2 of the hostile run: cursors the server did not make are refused, never a 500."""

import base64
import json

import pytest

from bestellwerk.core.cursors import encode_cursor
from bestellwerk.orders.inputs import LineInput
from bestellwerk.orders.services import create_order
from tests.api.conftest import assert_error, send


def unsigned(value: object) -> str:
    """A cursor in the old, unsigned shape: base64 of JSON, as a tester would forge it."""
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


FORGED = [
    unsigned(["2026-01-01T00:00:00+00:00", "1e400"]),
    unsigned(["0001-01-01T00:00:00+14:00", 1]),
    unsigned(["9999-12-31T23:59:59-14:00", 1]),
    base64.urlsafe_b64encode(b'["NaN", Infinity]').decode(),
    base64.urlsafe_b64encode(b"[1e400, 1]").decode(),
    "not-a-cursor",
    "x" * 400,
    encode_cursor("orders:-created", ["0001-01-01T00:00:00", 1])[:-3] + "abc",
]


@pytest.mark.parametrize("cursor", FORGED)
@pytest.mark.parametrize("path", ["/orders", "/products", "/customers", "/coupons"])
def test_a_forged_cursor_is_refused_with_422(admin_api, order, path, cursor):
    response = send(admin_api, "GET", f"{path}?cursor={cursor}")

    assert_error(response, 422, "invalid_cursor")


def test_a_cursor_of_another_sort_is_refused(admin_api, order, actor, billing):
    for _ in range(2):
        create_order(actor=actor, billing_address=billing, lines=[LineInput(1, sku="KAF-1")])
    first = send(admin_api, "GET", "/orders?sort=-total&limit=1").json()

    response = send(admin_api, "GET", f"/orders?sort=-created&cursor={first['next_cursor']}")

    assert_error(response, 422, "invalid_cursor")
