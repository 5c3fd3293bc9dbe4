"""The REST endpoints: payment link, refunds with Idempotency-Key, refund list."""

import pytest

from bestellwerk.orders.models import Order
from bestellwerk.payments.models import PaymentLink, Refund
from tests.payments.conftest import checkout_completed, post_webhook, sign

pytestmark = pytest.mark.django_db


def _post(client, path: str, body: dict | None = None, **headers):
    return client.post(
        f"/api/v1{path}", data=body or {}, content_type="application/json", headers=headers
    )


def test_post_payment_link_answers_the_url(admin_api, order):
    response = _post(admin_api, f"/orders/{order.number}/payment-link")

    assert response.status_code == 200
    body = response.json()
    assert body["url"].startswith("http://127.0.0.1:8000/pay/")
    assert body["amount"] == "54.60"
    assert PaymentLink.objects.filter(order=order).count() == 1


def test_payment_link_for_a_paid_order_is_refused_in_the_error_shape(admin_api, paid_order):
    response = _post(admin_api, f"/orders/{paid_order.number}/payment-link")

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "already_paid"


def test_warehouse_staff_may_not_send_links_or_refund(warehouse_api, paid_order):
    link = _post(warehouse_api, f"/orders/{paid_order.number}/payment-link")
    refund = _post(warehouse_api, f"/orders/{paid_order.number}/refunds", {"amount": "1.00"})

    assert link.status_code == refund.status_code == 403
    assert not Refund.objects.exists()


def test_without_a_token_the_answer_is_401(client, paid_order):
    response = _post(client, f"/orders/{paid_order.number}/refunds", {"amount": "1.00"})
    assert response.status_code == 401


def test_refund_by_amount_answers_the_refund_with_its_status(sales_api, paid_order):
    response = _post(
        sales_api,
        f"/orders/{paid_order.number}/refunds",
        {"amount": "12.50", "reason": "Beschädigt", "notify_customer": True},
    )

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "succeeded"
    assert body["amount"] == "12.50"
    assert body["provider"] == "manual"
    assert body["reason"] == "Beschädigt"
    assert body["notify_customer"] is True
    assert Order.objects.get(pk=paid_order.pk).payment_status == "partially_refunded"


def test_refund_by_lines_with_shipping(admin_api, paid_order):
    response = _post(
        admin_api,
        f"/orders/{paid_order.number}/refunds",
        {"lines": [{"sku": "TAS-1", "quantity": 1}], "include_shipping": True, "restock": True},
    )

    assert response.status_code == 201
    body = response.json()
    assert body["amount"] == "14.80"
    assert body["shipping_amount"] == "4.90"
    assert body["lines"] == [
        {
            "sku": "TAS-1",
            "name": "Tasse Steingut",
            "quantity": 1,
            "amount": "9.90",
            "restocked_quantity": 0,
        }
    ]


def test_a_retry_with_the_same_idempotency_key_refunds_once(admin_api, paid_order):
    path = f"/orders/{paid_order.number}/refunds"
    first = _post(admin_api, path, {"amount": "20.00"}, **{"Idempotency-Key": "r-1"})
    second = _post(admin_api, path, {"amount": "20.00"}, **{"Idempotency-Key": "r-1"})

    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert Refund.objects.count() == 1


def test_an_idempotency_key_reused_for_another_refund_is_409(admin_api, paid_order):
    path = f"/orders/{paid_order.number}/refunds"
    _post(admin_api, path, {"amount": "20.00"}, **{"Idempotency-Key": "r-1"})

    response = _post(admin_api, path, {"amount": "21.00"}, **{"Idempotency-Key": "r-1"})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_conflict"
    assert Refund.objects.count() == 1


def test_an_empty_idempotency_key_is_refused(admin_api, paid_order):
    path = f"/orders/{paid_order.number}/refunds"
    response = _post(admin_api, path, {"amount": "1.00"}, **{"Idempotency-Key": " "})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_idempotency_key"


def test_a_stripe_refund_is_answered_pending_until_confirmed(
    client, admin_api, card_order, stripe_settings
):
    payload = checkout_completed(card_order.number, 5460)
    post_webhook(client, payload, sign(payload))
    stripe_settings.refund_answer = "pending"

    response = _post(admin_api, f"/orders/{card_order.number}/refunds", {"amount": "5.00"})

    assert response.status_code == 201
    assert (response.json()["status"], response.json()["provider"]) == ("pending", "stripe")


def test_more_than_refundable_is_refused(admin_api, paid_order):
    response = _post(admin_api, f"/orders/{paid_order.number}/refunds", {"amount": "54.61"})

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "refund_exceeds_paid"
    assert error["fields"]["refundable"] == "54.60"


@pytest.mark.parametrize(
    "body",
    [
        {"amount": 12.5},
        {"amount": "abc"},
        {"lines": [{"sku": "KAF-1", "quantity": 0}]},
        {"lines": [{"sku": "", "quantity": 1}]},
        {"amount": "1.00", "reason": "x" * 501},
    ],
)
def test_bad_input_gets_the_error_shape(admin_api, paid_order, body):
    response = _post(admin_api, f"/orders/{paid_order.number}/refunds", body)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"
    assert not Refund.objects.exists()


def test_get_refunds_lists_them_oldest_first(admin_api, warehouse_api, paid_order):
    path = f"/orders/{paid_order.number}/refunds"
    _post(admin_api, path, {"amount": "1.00"})
    _post(admin_api, path, {"amount": "2.00"})

    response = warehouse_api.get(f"/api/v1{path}")

    assert response.status_code == 200
    assert [r["amount"] for r in response.json()["items"]] == ["1.00", "2.00"]


def test_refunds_of_an_unknown_order_are_404(admin_api, db):
    assert admin_api.get("/api/v1/orders/99999/refunds").status_code == 404
    assert _post(admin_api, "/orders/99999/refunds", {"amount": "1.00"}).status_code == 404
