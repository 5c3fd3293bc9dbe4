"""Random Shopify files through the real import: whatever the file holds, every imported
order keeps the file's total, its lines and VAT add up, its ledger sums and payment status
follow from its ledger rows, the status counters agree, and a second import adds nothing."""

import io
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Count, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bestellwerk.core.actors import Actor
from bestellwerk.core.money import ZERO, round_money, tax_from_gross
from bestellwerk.orders.balance import derive_payment_status
from bestellwerk.orders.models import Order, OrderStatusCount
from bestellwerk.payments.models import Payment, Refund
from bestellwerk.transfer.preparing import ImportOptions
from bestellwerk.transfer.services import import_orders
from tests.transfer.conftest import csv_bytes, shopify_columns

pytestmark = pytest.mark.django_db

cents = st.integers(min_value=0, max_value=50_000).map(lambda c: Decimal(c) / 100)
line_strategy = st.fixed_dictionaries(
    {
        "price": cents,
        "quantity": st.integers(min_value=1, max_value=20),
        "discount_share": st.integers(min_value=0, max_value=100),
        "sku": st.sampled_from(["", "A-1", "B-2", "KAF-1"]),
    }
)
order_strategy = st.fixed_dictionaries(
    {
        "lines": st.lists(line_strategy, min_size=1, max_size=3),
        "shipping": st.integers(min_value=0, max_value=2_000).map(lambda c: Decimal(c) / 100),
        "financial": st.sampled_from(
            ["paid", "pending", "partially_refunded", "refunded", "voided", "partially_paid"]
        ),
        "fulfillment": st.sampled_from(["", "fulfilled", "partial", "unfulfilled"]),
        "cancelled": st.booleans(),
        "rate": st.sampled_from(["MwSt 19%", "USt 7%", ""]),
        "refund_share": st.integers(min_value=1, max_value=100),
        "outstanding_share": st.integers(min_value=0, max_value=100),
        "total_delta": st.sampled_from([Decimal(0), Decimal(0), Decimal("0.01"), Decimal(-1)]),
    }
)


def shopify_rows(number: int, spec: dict) -> tuple[list[dict[str, str]], Decimal]:
    line_totals = []
    rows = []
    for index, line in enumerate(spec["lines"]):
        subtotal = round_money(line["price"] * line["quantity"])
        discount = round_money(subtotal * line["discount_share"] / 200)
        line_totals.append(subtotal - discount)
        cells = {
            "Name": f"#{number}",
            "Lineitem quantity": str(line["quantity"]),
            "Lineitem name": f"Artikel {index}",
            "Lineitem price": f"{line['price']:.2f}",
            "Lineitem sku": line["sku"],
            "Lineitem discount": f"{discount:.2f}",
        }
        rows.append(cells)
    computed = sum(line_totals, ZERO) + spec["shipping"]
    total = max(ZERO, computed + spec["total_delta"])
    financial = spec["financial"]
    first = rows[0]
    first.update(
        {
            "Email": f"kunde{number % 3}@example.org",
            "Financial Status": financial,
            "Fulfillment Status": spec["fulfillment"],
            "Currency": "EUR",
            "Subtotal": f"{sum(line_totals, ZERO):.2f}",
            "Shipping": f"{spec['shipping']:.2f}",
            "Total": f"{total:.2f}",
            "Created at": f"2024-02-{1 + number % 28:02d} 10:00:00 +0100",
            "Billing Name": "Erika Muster",
            "Tax 1 Name": spec["rate"],
        }
    )
    if spec["cancelled"]:
        first["Cancelled at"] = "2024-03-01 10:00:00 +0100"
    if financial in ("partially_refunded", "refunded") and total:
        first["Refunded Amount"] = f"{round_money(total * spec['refund_share'] / 100):.2f}"
    if financial == "partially_paid":
        first["Outstanding Balance"] = f"{round_money(total * spec['outstanding_share'] / 100):.2f}"
    return rows, total


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(orders=st.lists(order_strategy, min_size=1, max_size=6))
def test_any_shopify_file_imports_into_consistent_orders(orders, admin_user):
    rows, totals = [], {}
    for number, spec in enumerate(orders, start=1):
        order_rows, totals[f"#{number}"] = shopify_rows(number, spec)
        rows += order_rows
    data = csv_bytes(shopify_columns(), rows)
    actor = Actor.for_user(admin_user)
    savepoint = transaction.savepoint()
    try:
        summary = import_orders(stream=io.BytesIO(data), options=ImportOptions(), actor=actor)
        assert summary.imported + summary.rejected == len(orders)
        for order in Order.objects.prefetch_related("lines"):
            check_order(order, totals[order.external_number])
        assert {d.order for d in summary.differences} == {
            o.external_number for o in Order.objects.all() if o.total != computed_total(o)
        }
        counts = dict(
            OrderStatusCount.objects.values_list("status")
            .annotate(n=Sum("count"))
            .values_list("status", "n")
        )
        actual = dict(Order.objects.values_list("status").annotate(n=Count("id")))
        assert {s: n for s, n in counts.items() if n} == actual

        again = import_orders(stream=io.BytesIO(data), options=ImportOptions(), actor=actor)
        assert (again.imported, again.skipped) == (0, summary.imported)
    finally:
        transaction.savepoint_rollback(savepoint)


def computed_total(order: Order) -> Decimal:
    return sum((line.total for line in order.lines.all()), ZERO) + order.shipping_total


def check_order(order: Order, file_total: Decimal) -> None:
    where = f"order {order.external_number}"
    assert order.total == file_total, where
    for line in order.lines.all():
        assert line.subtotal == round_money(line.unit_price * line.quantity), where
        assert line.total == line.subtotal - line.discount and line.discount >= 0, where
        assert line.tax == tax_from_gross(line.total, line.vat_rate), where
    breakdown_tax = sum((Decimal(t["tax"]) for t in order.tax_breakdown), ZERO)
    assert breakdown_tax == order.tax_total and order.net_total == order.total - order.tax_total
    paid = sum(Payment.objects.filter(order=order).values_list("amount", flat=True), ZERO)
    refunds = Refund.objects.filter(order=order)
    refunded = sum((r.amount for r in refunds), ZERO)
    credited = sum((r.credited_amount for r in refunds), ZERO)
    assert (order.paid_total, order.refunded_total, order.credited_total) == (
        paid,
        refunded,
        credited,
    ), where
    assert ZERO <= credited <= refunded <= paid, where
    assert order.balance == order.total - credited - paid + refunded, where
    assert order.payment_status == derive_payment_status(
        total=order.total, paid=paid, refunded=refunded
    ), where
    if order.status == "refunded":
        assert refunded > 0, where
