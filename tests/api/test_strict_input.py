"""Finding 5 of the hostile run: loose input. Every request body refuses unknown fields,
coerces nothing and refuses control characters; one money format."""

import types
import typing
from typing import Any

import pytest
from pydantic import BaseModel
from pydantic.types import Strict

from bestellwerk.api.api import api
from bestellwerk.api.schemas import InputSchema
from tests.api.conftest import assert_error, db_state, send


def body_schemas() -> list[tuple[str, type[BaseModel]]]:
    """The body schema of every API operation, read off the API itself."""
    found = []
    for _prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                for model in operation.models:
                    if getattr(model, "__ninja_param_source__", None) != "body":
                        continue
                    for field in model.model_fields.values():
                        for schema in _classes_in(field.annotation):
                            found.append((f"{operation.methods[0]} {path}", schema))
    return found


def _classes_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [cls for arg in typing.get_args(annotation) for cls in _classes_in(arg)]


def _loose_scalars(model: type[BaseModel], seen: set[type] | None = None) -> list[str]:
    """Fields typed plain `bool` or `int` (which pydantic would coerce from "yes" or "1")."""
    seen = seen if seen is not None else set()
    if model in seen:
        return []
    seen.add(model)
    loose = []
    for name, field in model.model_fields.items():
        strict = any(isinstance(item, Strict) for item in field.metadata)
        for leaf in _leaves(field.annotation):
            if isinstance(leaf, type) and issubclass(leaf, BaseModel):
                loose += [f"{name}.{inner}" for inner in _loose_scalars(leaf, seen)]
            elif leaf in (bool, int) and not strict:
                loose.append(name)
    return loose


def _leaves(annotation: Any) -> list[Any]:
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *metadata = args
        if any(isinstance(item, Strict) for item in metadata):
            return []
        return _leaves(inner)
    if origin in (typing.Union, types.UnionType, list, tuple, set, dict):
        return [leaf for arg in args for leaf in _leaves(arg)]
    return [annotation]


BODIES = body_schemas()


def test_the_api_has_bodies_to_check():
    assert len(BODIES) >= 16


@pytest.mark.parametrize(("operation", "schema"), BODIES, ids=[op for op, _ in BODIES])
def test_every_body_forbids_unknown_fields_and_coerces_nothing(operation, schema):
    assert issubclass(schema, InputSchema), f"{operation}: {schema.__name__} is no InputSchema"
    assert schema.model_config.get("extra") == "forbid"
    assert _loose_scalars(schema) == [], f"{operation}: use StrictBool / StrictInt"


def refused(client, path: str, body: dict, field: str) -> None:
    before = db_state()
    response = send(client, "POST", path, body)
    error = assert_error(response, 422, "invalid_input")
    assert any(key == field or key.startswith(f"{field}.") for key in error["fields"]), error
    assert db_state() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "5.00", "restok": True}, "restok"),
        ({"amount": "5.00", "restock": "yes"}, "restock"),
        ({"amount": "5.00", "notify_customer": 1}, "notify_customer"),
        ({"lines": [{"sku": "KAF-1", "quantity": "1"}]}, "lines.0.quantity"),
        ({"amount": "1e5"}, "amount"),
        ({"amount": "١٢٫٥٠"}, "amount"),
        ({"amount": "12,50"}, "amount"),
        ({"amount": " 12.50"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": 12.5}, "amount"),
        ({"amount": "5.00", "reason": "Kulanz\x00"}, "reason"),
        ({"amount": "5.00", "reason": "\x1b[31mrot"}, "reason"),
    ],
)
def test_a_loose_refund_body_is_refused(admin_api, paid_api_order, body, field):
    refused(admin_api, f"/orders/{paid_api_order.number}/refunds", body, field)


@pytest.mark.parametrize(
    ("name", "field"),
    [("Tasse\x00", "lines.0.name"), ("Tasse\x07", "lines.0.name"), ("Tas\x85se", "lines.0.name")],
)
def test_control_characters_are_refused_in_nested_text(admin_api, name, field):
    body = {"lines": [{"name": name, "unit_price": "1.00", "vat_rate": "19", "quantity": 1}]}
    refused(admin_api, "/orders", body, field)


def test_line_breaks_stay_allowed_in_notes(admin_api, order):
    response = send(
        admin_api, "POST", f"/orders/{order.number}/notes", {"body": "Zeile 1\nZeile 2\tTab"}
    )
    assert response.status_code == 201, response.content


@pytest.fixture
def paid_api_order(order, actor):
    from bestellwerk.payments.services import set_payment_status

    return set_payment_status(number=order.number, payment_status="paid", actor=actor)


def test_a_body_that_is_not_declared_json_is_refused_with_415(admin_api):
    before = db_state()
    response = admin_api.generic(
        "POST", "/api/v1/orders", data='{"channel": "web"}', content_type="text/plain"
    )

    assert_error(response, 415, "unsupported_media_type")
    assert db_state() == before


def test_a_key_named_twice_is_refused(admin_api, order):
    before = db_state()
    response = admin_api.generic(
        "POST",
        f"/api/v1/orders/{order.number}/notes",
        data='{"body": "harmlos", "body": "anders"}',
        content_type="application/json",
    )

    error = assert_error(response, 400, "invalid_json")
    assert "body" in error["message"]
    assert db_state() == before


@pytest.mark.parametrize("sku", ["TEE/1", "TEE 1", "-TEE", "TEE\x00", "TÉE", "x" * 65])
def test_a_sku_outside_the_alphabet_is_refused(admin_api, sku):
    body = {"sku": sku, "name": "Tee", "price": "4.90"}
    refused_with(admin_api, "/products", body, "sku")


@pytest.mark.parametrize("code", ["SOMMER 15", "SOMMER/15", "ß", ""])
def test_a_coupon_code_outside_the_alphabet_is_refused(admin_api, code):
    refused_with(admin_api, "/coupons", {"code": code, "kind": "percent", "value": "5"}, "code")


def test_field_paths_are_dotted_from_the_schema_and_the_services_alike(admin_api):
    schema_error = send(admin_api, "POST", "/orders", {"lines": [{"sku": "KAF-1", "quantity": 0}]})
    service_error = send(
        admin_api,
        "POST",
        "/orders",
        {
            "lines": [{"name": "Tasse", "unit_price": "1.00", "vat_rate": "19", "quantity": 1}] * 2
            + [{"name": "", "unit_price": "1.00", "vat_rate": "19", "quantity": 1}]
        },
    )

    assert list(assert_error(schema_error, 422, "invalid_input")["fields"]) == ["lines.0.quantity"]
    assert list(assert_error(service_error, 422, "invalid_lines")["fields"]) == ["lines.2.name"]


def refused_with(client, path: str, body: dict, field: str) -> None:
    before = db_state()
    error = assert_error(send(client, "POST", path, body), 422, "invalid_input")
    assert field in error["fields"], error
    assert db_state() == before
