"""`Idempotency-Key`: a retry replays the first answer without a second write."""

import json
import threading

import pytest
from django.db import connection

from bestellwerk.api.models import IdempotencyKey
from bestellwerk.orders.models import Order, OrderNote
from bestellwerk.shipping.models import Shipment
from tests.api.conftest import assert_error, db_state, send
from tests.conftest import api_client_for, requires_postgres


@pytest.fixture
def order_body(coffee, billing) -> dict:
    return {"billing_address": billing, "lines": [{"sku": "KAF-1", "quantity": 1}]}


def test_same_key_and_body_replays_without_a_second_order(admin_api, order_body):
    # Given an order created with a key
    first = send(admin_api, "POST", "/orders", order_body, **{"Idempotency-Key": "abc-1"})
    assert first.status_code == 201
    count = Order.objects.count()
    # When the same request is retried
    again = send(admin_api, "POST", "/orders", order_body, **{"Idempotency-Key": "abc-1"})
    # Then the first answer comes back, byte for byte, and nothing new is written
    assert again.status_code == 201
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == count


def test_key_order_and_whitespace_of_the_body_do_not_matter(admin_api, order_body):
    first = send(admin_api, "POST", "/orders", order_body, **{"Idempotency-Key": "k"})
    reordered = dict(reversed(list(order_body.items())))
    again = send(
        admin_api, "POST", "/orders", json.dumps(reordered, indent=4), **{"Idempotency-Key": "k"}
    )
    assert again.content == first.content


def test_same_key_with_another_body_is_409(admin_api, order_body):
    send(admin_api, "POST", "/orders", order_body, **{"Idempotency-Key": "abc-2"})
    before = db_state()
    other = order_body | {"lines": [{"sku": "KAF-1", "quantity": 2}]}
    response = send(admin_api, "POST", "/orders", other, **{"Idempotency-Key": "abc-2"})
    assert_error(response, 409, "idempotency_conflict")
    assert db_state() == before


def test_same_key_on_another_endpoint_is_409(admin_api, order, order_body):
    send(admin_api, "POST", "/orders", order_body, **{"Idempotency-Key": "k"})
    response = send(
        admin_api,
        "POST",
        f"/orders/{order.number}/notes",
        {"body": "x"},
        **{"Idempotency-Key": "k"},
    )
    assert_error(response, 409, "idempotency_conflict")


def test_keys_are_per_user(admin_api, sales_api, order_body):
    send(admin_api, "POST", "/orders", order_body, **{"Idempotency-Key": "shared"})
    response = send(sales_api, "POST", "/orders", order_body, **{"Idempotency-Key": "shared"})
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert Order.objects.count() == 2


def test_without_key_each_post_creates(admin_api, order_body):
    send(admin_api, "POST", "/orders", order_body)
    send(admin_api, "POST", "/orders", order_body)
    assert Order.objects.count() == 2
    assert not IdempotencyKey.objects.exists()


def test_a_refused_request_stores_no_key_and_may_be_retried(admin_api, order_body):
    bad = order_body | {"payment_method": "bitcoin"}
    assert_error(
        send(admin_api, "POST", "/orders", bad, **{"Idempotency-Key": "retry"}),
        422,
        "unknown_payment_method",
    )
    assert not IdempotencyKey.objects.exists()
    fixed = send(admin_api, "POST", "/orders", order_body, **{"Idempotency-Key": "retry"})
    assert fixed.status_code == 201


@pytest.mark.parametrize("key", ["k" * 256, "   ", "zeile\numbruch"])
def test_invalid_key(admin_api, order_body, key):
    before = db_state()
    response = send(admin_api, "POST", "/orders", order_body, **{"Idempotency-Key": key})
    assert_error(response, 422, "invalid_idempotency_key")
    assert db_state() == before


@pytest.mark.parametrize(
    ("path", "body", "model"),
    [
        ("/orders/{number}/notes", {"body": "einmal"}, OrderNote),
        ("/orders/{number}/shipments", {"carrier": "dhl", "tracking_code": "1"}, Shipment),
    ],
)
def test_notes_and_shipments_replay(admin_api, order, path, body, model):
    url = path.format(number=order.number)
    first = send(admin_api, "POST", url, body, **{"Idempotency-Key": "n-1"})
    again = send(admin_api, "POST", url, body, **{"Idempotency-Key": "n-1"})
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert model.objects.count() == 1


def test_products_and_coupons_replay(admin_api):
    product = {"sku": "NEU-1", "name": "Neu", "price": "5.00"}
    first = send(admin_api, "POST", "/products", product, **{"Idempotency-Key": "p"})
    again = send(admin_api, "POST", "/products", product, **{"Idempotency-Key": "p"})
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    coupon = {"code": "ZEHN", "kind": "percent", "value": "10"}
    first = send(admin_api, "POST", "/coupons", coupon, **{"Idempotency-Key": "c"})
    again = send(admin_api, "POST", "/coupons", coupon, **{"Idempotency-Key": "c"})
    assert first.status_code == again.status_code == 201
    assert again.content == first.content


@requires_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_retries_with_one_key_create_one_order(admin_user, coffee, billing):
    # Given eight clients sending the same request with the same key at the same moment
    body = {"billing_address": billing, "lines": [{"sku": "KAF-1", "quantity": 1}]}
    clients = [api_client_for(admin_user) for _ in range(8)]
    start = threading.Barrier(len(clients))
    answers: list = []

    def post(client) -> None:
        try:
            start.wait()
            answers.append(send(client, "POST", "/orders", body, **{"Idempotency-Key": "race"}))
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then one order exists and every client got its answer
    assert Order.objects.count() == 1
    assert {answer.status_code for answer in answers} == {201}
    assert len({answer.content for answer in answers}) == 1
