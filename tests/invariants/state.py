"""The whole money and stock state of the test database as plain values, and the invariants
every state must satisfy, whatever sequence of service calls led to it.

`capture()` reads every row the order, payment and stock services write (a few queries: the
property test keeps its database small); `check_invariants()` checks one captured state
without touching the database (`machine.check_step()` checks what may change from one state
to the next).
The expectations are written out here rather than taken from the code under test where a
short independent formula exists (the payment status table, the coupon discounts, shipping,
the VAT split); where the rounding helper itself is the rule (`tax_from_gross`) it is used.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bestellwerk.catalog.models import Product, StockMovement
from bestellwerk.core.money import MAX_AMOUNT, round_money, tax_from_gross
from bestellwerk.customers.models import Customer
from bestellwerk.orders.balance import derive_payment_status, order_balance
from bestellwerk.orders.models import Order, OrderEvent, OrderLine
from bestellwerk.payments.models import Payment, Refund, RefundLine
from bestellwerk.promotions.models import Coupon, CouponRedemption
from bestellwerk.shipping.models import ShippingMethod

ZERO = Decimal("0.00")
HOLDING = frozenset({"processing", "on_hold", "shipped", "completed"})


def capture(previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every row the services under test write, as comparable plain values.

    Events are only ever added: given the `previous` state, only the new ones are read (the
    count shows whether any vanished)."""
    known = previous["events"] if previous else []
    last_event = known[-1][0] if known else 0
    orders = {}
    for row in Order.objects.values():
        row.pop("updated_at")  # auto_now: the version says the same, exactly
        orders[row["id"]] = row
    return {
        "orders": orders,
        "lines": {row["id"]: row for row in OrderLine.objects.values()},
        "events": known
        + list(
            OrderEvent.objects.filter(id__gt=last_event)
            .order_by("id")
            .values_list("id", "order_id", "type", "data")
        ),
        "event_count": OrderEvent.objects.count(),
        "payments": {row["id"]: row for row in Payment.objects.values()},
        "refunds": {row["id"]: row for row in Refund.objects.values()},
        "refund_lines": {row["id"]: row for row in RefundLine.objects.values()},
        "movements": list(
            StockMovement.objects.order_by("id").values_list(
                "id", "product_id", "order_id", "delta", "quantity_after", "reason"
            )
        ),
        "stock": dict(Product.objects.values_list("id", "stock_quantity")),
        "coupons_used": dict(Coupon.objects.values_list("id", "times_used")),
        "redemptions": dict(CouponRedemption.objects.values_list("order_id", "coupon_id")),
        "customers": list(Customer.objects.order_by("id").values_list("id", "email")),
    }


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Where two captured states differ, for a readable failure."""
    found = []
    for key in before:
        if before[key] == after[key]:
            continue
        if isinstance(before[key], dict):
            for pk in sorted(set(before[key]) | set(after[key]), key=str):
                if before[key].get(pk) != after[key].get(pk):
                    found.append(f"{key}[{pk}]: {before[key].get(pk)!r} -> {after[key].get(pk)!r}")
        elif isinstance(before[key], list):
            found.append(f"{key}: {len(before[key])} -> {len(after[key])} rows")
        else:
            found.append(f"{key}: {before[key]!r} -> {after[key]!r}")
    return found


@dataclass(frozen=True)
class Catalog:
    """What the state machine set up and never changes: products, coupons, shipping."""

    initial_stock: dict[int, int]
    tracked: frozenset[int]
    backorder: frozenset[int]
    coupons: dict[int, tuple[str, Decimal, int | None]]  # kind, value, usage limit
    shipping_prices: dict[int, Decimal]

    @classmethod
    def load(cls) -> "Catalog":
        products = list(Product.objects.values("id", "stock_quantity", "track_stock"))
        moved: dict[int, int] = defaultdict(int)
        for product_id, delta in StockMovement.objects.values_list("product_id", "delta"):
            moved[product_id] += delta
        return cls(
            # The stock before the first movement (a product's opening stock is one).
            initial_stock={p["id"]: p["stock_quantity"] - moved[p["id"]] for p in products},
            tracked=frozenset(p["id"] for p in products if p["track_stock"]),
            backorder=frozenset(
                Product.objects.filter(allow_backorder=True).values_list("id", flat=True)
            ),
            coupons={c.pk: (c.kind, c.value, c.usage_limit) for c in Coupon.objects.all()},
            shipping_prices=dict(ShippingMethod.objects.values_list("id", "price")),
        )


def payment_status_by_table(*, total: Decimal, paid: Decimal, refunded: Decimal) -> str:
    """The table of issue 9, written out: what the payment status must be."""
    if paid == 0 and refunded == 0:
        return "unpaid"
    if refunded == 0:
        return "paid" if paid >= total else "partially_paid"
    return "refunded" if paid == refunded else "partially_refunded"


def lines_by_order(state: dict[str, Any]) -> dict[int, list[dict[str, Any]]]:
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for line in sorted(state["lines"].values(), key=lambda row: (row["position"], row["id"])):
        grouped[line["order_id"]].append(line)
    return grouped


def unexplained_units(state: dict[str, Any], catalog: Catalog) -> dict[tuple[int, int], int]:
    """Per (order, tracked product): units the order's movements took from stock beyond what
    its lines hold now. Only refunded units written off (a refund without restock of units
    the order held) may explain them, so this is 0 ≤ … ≤ refunded units, and it changes only
    when such a refund succeeds."""
    taken: dict[tuple[int, int], int] = defaultdict(int)
    for _pk, product_id, order_id, delta, _after, _reason in state["movements"]:
        if order_id is not None:
            taken[(order_id, product_id)] -= delta
    for line in state["lines"].values():
        if line["product_id"] in catalog.tracked:
            taken[(line["order_id"], line["product_id"])] -= line["stock_deducted"]
    return dict(taken)


def check_invariants(state: dict[str, Any], catalog: Catalog) -> None:
    lines = lines_by_order(state)
    payments_by_order: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for payment in state["payments"].values():
        payments_by_order[payment["order_id"]].append(payment)
    refunds_by_order: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for refund in state["refunds"].values():
        refunds_by_order[refund["order_id"]].append(refund)
    refunded_units: dict[tuple[int, str], int] = defaultdict(int)
    for refund_line in state["refund_lines"].values():
        refund = state["refunds"][refund_line["refund_id"]]
        assert 0 <= refund_line["restocked_quantity"] <= refund_line["quantity"]
        if refund["status"] == "succeeded":
            refunded_units[(refund["order_id"], refund_line["sku"])] += refund_line["quantity"]
    events_by_order: dict[int, list[str]] = defaultdict(list)
    assert state["event_count"] == len(state["events"]), "an event vanished"
    for _pk, order_id, event_type, _data in state["events"]:
        events_by_order[order_id].append(event_type)

    for order_id, order in state["orders"].items():
        where = f"order {order['number']} ({order['status']})"
        order_lines = lines[order_id]
        _check_totals(order, order_lines, catalog, where)

        # The ledger sums are the sums of the ledger.
        paid = sum((p["amount"] for p in payments_by_order[order_id]), ZERO)
        refunds = refunds_by_order[order_id]
        assert all(r["status"] == "succeeded" for r in refunds), f"{where}: manual refunds settle"
        refunded = sum((r["amount"] for r in refunds if r["status"] == "succeeded"), ZERO)
        assert order["paid_total"] == paid, f"{where}: paid_total {order['paid_total']} ≠ {paid}"
        assert order["refunded_total"] == refunded, f"{where}: refunded_total ≠ {refunded}"
        assert ZERO <= refunded <= paid <= MAX_AMOUNT, f"{where}: refunded {refunded} > {paid}"
        credited = sum((r["credited_amount"] for r in refunds if r["status"] == "succeeded"), ZERO)
        assert order["credited_total"] == credited, f"{where}: credited_total ≠ {credited}"
        assert ZERO <= credited <= refunded, f"{where}: credited {credited} > {refunded}"
        total = order["total"]
        assert order["balance"] == total - credited - paid + refunded, (
            f"{where}: balance {order['balance']}"
        )
        assert order["balance"] == order_balance(
            total=total, paid=paid, refunded=refunded, credited=credited
        )
        expected = payment_status_by_table(total=total, paid=paid, refunded=refunded)
        assert order["payment_status"] == expected, (
            f"{where}: payment status {order['payment_status']}, the table says {expected} "
            f"(total {total}, paid {paid}, refunded {refunded})"
        )
        assert derive_payment_status(total=total, paid=paid, refunded=refunded) == expected
        if order["status"] == "refunded":
            # Closed by a refund of everything paid (money that arrives later is recorded
            # all the same: it is then owed back).
            assert refunded > 0, f"{where}: refunded without a refund"
        if order["status"] == "draft":
            assert paid == refunded == ZERO and not refunds, f"{where}: a draft has no money"
            assert order_id not in state["redemptions"], f"{where}: a draft redeemed a coupon"
        else:
            assert state["redemptions"].get(order_id) == order["coupon_id"], (
                f"{where}: coupon {order['coupon_id']} but redemption "
                f"{state['redemptions'].get(order_id)}"
            )

        # Voids cancel one manual payment of the same order, exactly.
        for payment in payments_by_order[order_id]:
            if payment["voided_payment_id"] is not None:
                voided = state["payments"][payment["voided_payment_id"]]
                assert voided["order_id"] == order_id and voided["provider"] == "manual"
                assert payment["amount"] == -voided["amount"] and payment["reason"]
            else:
                assert payment["amount"] > 0

        # Lines: refunded units are never held; held units are exactly the unrefunded ones.
        for line in order_lines:
            assert 0 <= line["refunded_quantity"] <= line["quantity"], f"{where}: {line}"
            assert line["stock_deducted"] + line["refunded_quantity"] <= line["quantity"], (
                f"{where}: line {line['sku']} holds {line['stock_deducted']} units and had "
                f"{line['refunded_quantity']} of {line['quantity']} refunded"
            )
            tracked = line["product_id"] in catalog.tracked
            held = line["quantity"] - line["refunded_quantity"] if tracked else 0
            assert line["stock_deducted"] == (held if order["stock_held"] else 0), (
                f"{where}: line {line['sku']} holds {line['stock_deducted']}, "
                f"expected {held if order['stock_held'] else 0} (stock_held "
                f"{order['stock_held']})"
            )
        line_units: dict[str, int] = defaultdict(int)
        for line in order_lines:
            if line["refunded_quantity"]:
                line_units[line["sku"]] += line["refunded_quantity"]
        refund_units = {
            sku: units for (oid, sku), units in refunded_units.items() if oid == order_id
        }
        assert dict(line_units) == refund_units, (
            f"{where}: lines count {dict(line_units)} refunded, refunds {refund_units}"
        )

        # The timeline has the order's creation: placed once, and a draft at most once.
        types = events_by_order[order_id]
        assert types.count("created") == (0 if order["status"] == "draft" else 1), where
        assert types.count("draft_created") <= 1, where
        assert "created" in types or "draft_created" in types, where

    # Stock: the initial quantity plus every movement, never below 0 without backorders.
    moved: dict[int, int] = defaultdict(int)
    for _pk, product_id, _order_id, delta, _after, _reason in state["movements"]:
        assert product_id in catalog.tracked, "an untracked product moved"
        moved[product_id] += delta
    for product_id, stock in state["stock"].items():
        assert stock == catalog.initial_stock[product_id] + moved[product_id], (
            f"product {product_id}: stock {stock} ≠ initial "
            f"{catalog.initial_stock[product_id]} + movements {moved[product_id]}"
        )
        assert stock >= 0 or product_id in catalog.backorder, f"product {product_id}: {stock}"
    for (order_id, product_id), units in unexplained_units(state, catalog).items():
        refunded = sum(
            line["refunded_quantity"]
            for line in lines[order_id]
            if line["product_id"] == product_id
        )
        assert 0 <= units <= refunded, (
            f"order {state['orders'][order_id]['number']}, product {product_id}: movements "
            f"took {units} units beyond what its lines hold ({refunded} refunded)"
        )

    # Coupons: one use per placed order that carries one, counted on the coupon.
    uses: dict[int, int] = defaultdict(int)
    for coupon_id in state["redemptions"].values():
        uses[coupon_id] += 1
    for coupon_id, times_used in state["coupons_used"].items():
        assert times_used == uses[coupon_id], f"coupon {coupon_id}: {times_used} ≠ {uses}"
        limit = catalog.coupons[coupon_id][2]
        assert limit is None or times_used <= limit


def _check_totals(
    order: dict[str, Any], lines: list[dict[str, Any]], catalog: Catalog, where: str
) -> None:
    """totals = lines − discount + shipping; VAT per rate sums to the tax total."""
    for line in lines:
        assert line["subtotal"] == round_money(line["unit_price"] * line["quantity"]), where
        assert ZERO <= line["discount"] <= line["subtotal"], f"{where}: line discount {line}"
        assert line["total"] == line["subtotal"] - line["discount"], where
        assert line["tax"] == tax_from_gross(line["total"], line["vat_rate"]), where
    subtotal = sum((line["subtotal"] for line in lines), ZERO)
    assert order["subtotal"] == subtotal, f"{where}: subtotal {order['subtotal']} ≠ {subtotal}"
    assert order["discount_total"] == sum((line["discount"] for line in lines), ZERO), where

    kind, value, _limit = catalog.coupons.get(order["coupon_id"], (None, ZERO, None))
    if kind == "percent":
        discount = min(round_money(subtotal * value / 100), subtotal)
    elif kind == "fixed":
        discount = min(value, subtotal)
    else:
        discount = ZERO
    assert order["discount_total"] == discount, f"{where}: discount {order['discount_total']}"
    shipping = (
        ZERO
        if order["shipping_method_id"] is None or kind == "free_shipping"
        else catalog.shipping_prices[order["shipping_method_id"]]
    )
    assert order["shipping_total"] == shipping, f"{where}: shipping {order['shipping_total']}"
    assert order["total"] == subtotal - discount + shipping, f"{where}: total {order['total']}"
    assert ZERO <= order["total"] <= MAX_AMOUNT and subtotal + shipping <= MAX_AMOUNT, where

    breakdown = [
        (Decimal(entry["rate"]), Decimal(entry["net"]), Decimal(entry["tax"]))
        for entry in order["tax_breakdown"]
    ]
    assert sum((tax for _r, _n, tax in breakdown), ZERO) == order["tax_total"], where
    assert sum((net + tax for _r, net, tax in breakdown), ZERO) == order["total"], where
    assert order["net_total"] == order["total"] - order["tax_total"], where
    goods_by_rate: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        goods_by_rate[line["vat_rate"]] += line["total"]
    rates = {rate for rate, _n, _t in breakdown}
    assert len(rates) == len(breakdown), f"{where}: a rate twice in {breakdown}"
    for rate, net, tax in breakdown:
        assert tax == tax_from_gross(net + tax, rate), f"{where}: VAT at {rate}"
        # Each rate carries its goods and its (non-negative) share of shipping.
        assert net + tax >= goods_by_rate[rate], f"{where}: rate {rate} below its goods"
        if not shipping:
            assert net + tax == goods_by_rate[rate], f"{where}: rate {rate} ≠ its goods"
    assert set(goods_by_rate) <= rates or not lines, f"{where}: a line's rate is missing"
