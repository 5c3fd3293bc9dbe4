"""The payments ledger over REST (issue 9): recording and listing payments, voids, the
paid/unpaid shorthand, Idempotency-Key replays, roles, and the money in the order JSON."""

import pytest

from bestellwerk.api.models import IdempotencyKey
from bestellwerk.orders.models import Order
from bestellwerk.payments.models import Payment
from tests.api.conftest import assert_error, db_state, send

pytestmark = pytest.mark.django_db


def money(client, order) -> dict:
    body = send(client, "GET", f"/orders/{order.number}").json()
    return {"payment_status": body["payment_status"], **body["totals"]}


def test_record_payments_and_read_the_money_in_the_order(admin_api, order):
    # when 20.00 arrives by bank transfer
    response = send(
        admin_api,
        "POST",
        f"/orders/{order.number}/payments",
        {"amount": "20.00", "method": "prepayment", "reference": "Überweisung 4711"},
    )
    # then the payment is answered
    assert response.status_code == 201, response.content
    payment = response.json()
    assert (payment["amount"], payment["provider"], payment["method"]) == (
        "20.00",
        "manual",
        "prepayment",
    )
    assert (payment["reference"], payment["recorded_by"]) == ("Überweisung 4711", "API: test")
    assert payment["voided_payment_id"] is None and payment["voided_by_id"] is None
    # and the order says what is paid and due
    totals = money(admin_api, order)
    assert totals["payment_status"] == "partially_paid"
    assert (totals["total"], totals["paid"], totals["refunded"], totals["balance"]) == (
        "54.60",
        "20.00",
        "0.00",
        "34.60",
    )
    # when 40.00 more arrive, 5.40 is owed back
    send(admin_api, "POST", f"/orders/{order.number}/payments", {"amount": "40.00"})
    totals = money(admin_api, order)
    assert (totals["payment_status"], totals["balance"]) == ("paid", "-5.40")


def test_void_a_payment_and_list_the_ledger(admin_api, warehouse_api, order):
    # given a paid order
    paid = send(admin_api, "POST", f"/orders/{order.number}/payments", {"amount": "54.60"})
    payment_id = paid.json()["id"]
    # when the payment is voided with a reason
    response = send(
        admin_api,
        "POST",
        f"/orders/{order.number}/payments/{payment_id}/void",
        {"reason": "Doppelt erfasst"},
    )
    # then the void is answered, and the order is unpaid again
    assert response.status_code == 201, response.content
    void = response.json()
    assert (void["amount"], void["voided_payment_id"], void["reason"]) == (
        "-54.60",
        payment_id,
        "Doppelt erfasst",
    )
    assert money(admin_api, order)["payment_status"] == "unpaid"
    # and the ledger lists both rows, oldest first, for anyone who may see the order
    ledger = send(warehouse_api, "GET", f"/orders/{order.number}/payments")
    assert ledger.status_code == 200
    assert [(p["id"], p["amount"], p["voided_by_id"]) for p in ledger.json()["items"]] == [
        (payment_id, "54.60", void["id"]),
        (void["id"], "-54.60", None),
    ]
    # and a second void is refused
    again = send(
        admin_api,
        "POST",
        f"/orders/{order.number}/payments/{payment_id}/void",
        {"reason": "Nochmal"},
    )
    assert_error(again, 422, "already_voided")


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("payments", {"amount": "0.00"}, 422, "invalid_amount"),
        ("payments", {"amount": 12.5}, 422, "invalid_input"),
        ("payments", {"amount": "12.50", "typo": 1}, 422, "invalid_input"),
        ("payments", {"amount": "12.50", "method": "gold"}, 422, "unknown_payment_method"),
        ("payments", {"amount": "12.50", "version": 99}, 409, "version_conflict"),
        ("payments/999999/void", {"reason": "x"}, 404, "not_found"),
        ("payments/1/void", {"reason": ""}, 422, "invalid_input"),
        ("payment-status", {"payment_status": "refunded"}, 422, "invalid_input"),
    ],
)
def test_bad_ledger_requests_write_nothing(admin_api, order, path, body, status, code):
    before = db_state()
    response = send(admin_api, "POST", f"/orders/{order.number}/{path}", body)
    error = assert_error(response, status, code)
    assert error["message"]
    assert db_state() == before and not Payment.objects.exists()


def test_payment_status_shorthand(admin_api, order):
    # when the order is marked paid: the balance is recorded as one manual payment
    response = send(
        admin_api, "POST", f"/orders/{order.number}/payment-status", {"payment_status": "paid"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["payment_status"], body["totals"]["paid"], body["totals"]["balance"]) == (
        "paid",
        "54.60",
        "0.00",
    )
    assert response.headers["ETag"] == f'"{body["version"]}"'
    # when it is marked unpaid: the manual payment is voided
    response = send(
        admin_api, "POST", f"/orders/{order.number}/payment-status", {"payment_status": "unpaid"}
    )
    assert response.json()["payment_status"] == "unpaid"
    assert sorted(Payment.objects.filter(order=order).values_list("amount", flat=True)) == [
        -order.total,
        order.total,
    ]


def test_the_shorthand_is_refused_with_a_provider_payment(admin_api, card_order):
    from tests.payments.test_ledger import pay_by_card

    pay_by_card(card_order, "54.60")
    response = send(
        admin_api,
        "POST",
        f"/orders/{card_order.number}/payment-status",
        {"payment_status": "unpaid"},
    )
    assert_error(response, 422, "provider_payment")
    assert Order.objects.get(pk=card_order.pk).payment_status == "paid"


def test_a_retried_payment_is_recorded_once(admin_api, order):
    # when the same payment is posted twice with one Idempotency-Key
    body = {"amount": "20.00", "reference": "Kasse 12"}
    first = send(
        admin_api,
        "POST",
        f"/orders/{order.number}/payments",
        body,
        **{"Idempotency-Key": "zahlung-1"},
    )
    second = send(
        admin_api,
        "POST",
        f"/orders/{order.number}/payments",
        body,
        **{"Idempotency-Key": "zahlung-1"},
    )
    # then the second answer replays the first, and one payment exists
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert Payment.objects.filter(order=order).count() == 1
    assert Order.objects.get(pk=order.pk).paid_total == 20
    # and the key used for another payment is a conflict, writing nothing
    other = send(
        admin_api,
        "POST",
        f"/orders/{order.number}/payments",
        {"amount": "21.00"},
        **{"Idempotency-Key": "zahlung-1"},
    )
    assert_error(other, 409, "idempotency_conflict")
    assert Payment.objects.filter(order=order).count() == 1


def test_a_retried_void_voids_once(admin_api, order):
    paid = send(admin_api, "POST", f"/orders/{order.number}/payments", {"amount": "54.60"}).json()
    path = f"/orders/{order.number}/payments/{paid['id']}/void"
    key = {"Idempotency-Key": "storno-1"}

    first = send(admin_api, "POST", path, {"reason": "Irrtum"}, **key)
    second = send(admin_api, "POST", path, {"reason": "Irrtum"}, **key)

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json() and second.headers["Idempotent-Replayed"] == "true"
    assert Payment.objects.filter(order=order, voided_payment__isnull=False).count() == 1
    assert IdempotencyKey.objects.count() == 1
    assert Order.objects.get(pk=order.pk).payment_status == "unpaid"


def test_the_warehouse_may_not_touch_money(warehouse_api, admin_api, order):
    paid = send(admin_api, "POST", f"/orders/{order.number}/payments", {"amount": "54.60"}).json()
    before = db_state()
    for path, body in (
        ("payments", {"amount": "1.00"}),
        (f"payments/{paid['id']}/void", {"reason": "Irrtum"}),
        ("payment-status", {"payment_status": "unpaid"}),
        ("refunds", {"amount": "1.00"}),
    ):
        response = send(warehouse_api, "POST", f"/orders/{order.number}/{path}", body)
        assert_error(response, 403, "permission_denied")
    assert db_state() == before
    assert Payment.objects.filter(order=order).count() == 1


def test_the_warehouse_moves_orders_forward_through_fulfilment(warehouse_api, order):
    def move(status):
        return send(warehouse_api, "POST", f"/orders/{order.number}/status", {"status": status})

    # given a pending order, when the warehouse walks it through fulfilment
    for status in ("processing", "on_hold", "processing", "shipped", "completed"):
        response = move(status)
        # then each step is taken
        assert response.status_code == 200, response.content
        assert response.json()["status"] == status


def test_the_warehouse_may_not_cancel_or_reopen(warehouse_api, admin_api, order):
    def move(client, status):
        return send(client, "POST", f"/orders/{order.number}/status", {"status": status})

    before = db_state()
    assert_error(move(warehouse_api, "cancelled"), 403, "permission_denied")
    assert db_state() == before
    assert move(admin_api, "cancelled").status_code == 200
    assert_error(move(warehouse_api, "processing"), 403, "permission_denied")
    assert Order.objects.get(pk=order.pk).status == "cancelled"


def test_refunded_is_reached_only_through_refunds(admin_api, paid_order):
    response = send(
        admin_api, "POST", f"/orders/{paid_order.number}/status", {"status": "refunded"}
    )
    assert_error(response, 422, "refund_required")
    refund = send(
        admin_api,
        "POST",
        f"/orders/{paid_order.number}/refunds",
        {"amount": "54.60", "set_status_refunded": True},
    )
    assert refund.status_code == 201
    body = send(admin_api, "GET", f"/orders/{paid_order.number}").json()
    # a refund of everything paid leaves nothing owed either way
    assert (body["status"], body["payment_status"], body["totals"]["balance"]) == (
        "refunded",
        "refunded",
        "0.00",
    )


def test_the_list_filters_by_balance(admin_api, actor, paid_order, card_order):
    # given one order paid exactly (paid_order), one overpaid by 5.40 (card_order)
    from bestellwerk.payments.services import record_manual_payment

    record_manual_payment(number=card_order.number, amount="60.00", actor=actor)

    def numbers(balance):
        response = send(admin_api, "GET", f"/orders?balance={balance}")
        assert response.status_code == 200
        return [item["number"] for item in response.json()["items"]]

    assert numbers("settled") == [paid_order.number]
    assert numbers("refund_due") == [card_order.number]
    assert numbers("due") == []
    # and once the paid order's cart grows, it owes
    from bestellwerk.orders.inputs import LineInput
    from bestellwerk.orders.services import set_order_lines

    set_order_lines(
        number=paid_order.number, lines=[LineInput(3, "KAF-1"), LineInput(1, "TAS-1")], actor=actor
    )
    assert numbers("due") == [paid_order.number]
    assert_error(send(admin_api, "GET", "/orders?balance=odd"), 422, "invalid_input")
