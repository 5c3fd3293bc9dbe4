"""A hypothesis state machine that drives the real order, payment and refund services
against the real database, and checks every invariant of issue 9 after every step.

Each example starts from the same clean state: the machine opens a savepoint when it is
made (inside the test's transaction of pytest-django's `db` fixture), builds its catalog
there, and rolls the savepoint back in `teardown`, which hypothesis calls after every
example, failed or not. That is what `hypothesis.extra.django.TestCase` does per example
(`setup_example`/`teardown_example`), for a machine run from a plain pytest function.
On-commit hooks (event dispatch) never run inside it: no e-mail, automation or webhook work.

Steps: create an order (draft or placed, random lines of a tracked product with low stock,
a tracked one with plenty, a backorder product, an untracked one and custom lines; random
coupon; shipping method), place a draft, set lines, coupon on/off, shipping change, record
a payment (partial, the rest, more), void a payment, refund an amount, refund lines (with
or without restock, shipping, closing the order), move the status (random target, with or
without stock adjustment, as admin, sales or warehouse), and the paid/unpaid shorthand.

After each step, `check_step` compares the state with the one before it (a refusal changed
nothing; ledger rows were only added; a change is on the timeline; the payment status
changed exactly when the event says so; held stock moved only as the step allows) and
`check_invariants` checks the whole new state.
"""

from collections import Counter, defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule

from bestellwerk.accounts.models import Role, User
from bestellwerk.catalog.services import create_product
from bestellwerk.core.actors import Actor
from bestellwerk.core.errors import ServiceError
from bestellwerk.core.money import ZERO
from bestellwerk.orders.inputs import LineInput
from bestellwerk.orders.lifecycle import TRANSITIONS
from bestellwerk.orders.services import (
    create_order,
    place_order,
    set_order_coupon,
    set_order_lines,
    set_order_status,
    update_order,
)
from bestellwerk.payments.models import PaymentMethod
from bestellwerk.payments.services import (
    RefundLineInput,
    record_manual_payment,
    refund_order,
    set_payment_status,
    void_payment,
)
from bestellwerk.promotions.services import create_coupon
from bestellwerk.shipping.models import ShippingMethod
from tests.invariants.state import (
    HOLDING,
    Catalog,
    capture,
    check_invariants,
    differences,
    unexplained_units,
)

CENT = Decimal("0.01")
STATUSES = [
    "draft",
    "pending",
    "processing",
    "on_hold",
    "shipped",
    "completed",
    "cancelled",
    "refunded",
]
PLACEABLE = ["pending", "processing", "on_hold", "shipped", "completed"]
COUPONS = [None, "ZEHN", "FUENF", "GROSS", "VERSANDFREI", "ZWEIMAL"]
SHIPPING = [None, "standard", "express", "pickup"]
SKUS = ["KNAPP", "VIEL", "NACH", "FREI"]
# Who acts: sales and admin may do everything, the warehouse only fulfilment.
ROLES = ["admin", "sales", "warehouse"]
MONEY_ROLES = ["admin", "sales", "admin", "sales", "admin", "warehouse"]
# The operations only sales and admin may do.
MONEY_OPS = frozenset({"pay", "void", "refund_amount", "refund_lines", "mark"})
# Cart edits are refused for shipped, completed, cancelled and refunded orders.
EDITABLE = frozenset({"draft", "pending", "processing", "on_hold"})
# Which order a step works on (see `OrderMoneyMachine._choose`).
PICK = st.integers(0, 1000)

# What the whole run did, per operation and outcome (read by the test for its report).
STATS: Counter[str] = Counter()

# A line: one of the products (two lines of one product happen too) or a custom line with a
# price in cents; now and then the largest price there is (the order is then too large).
LINE_KINDS = ["KNAPP", "VIEL", "NACH", "FREI", "custom", "KNAPP", "VIEL", "custom"]
line_spec = st.tuples(
    st.sampled_from(LINE_KINDS),
    st.integers(1, 3),
    st.integers(0, 15).flatmap(
        lambda size: st.just(999_999_999) if size == 15 else st.integers(0, 20_000)
    ),
    st.sampled_from(["19", "7", "0"]),
)
# Mostly one to four lines; now and then none (a placed order needs one).
line_specs = st.sampled_from([1, 2, 3, 4, 1, 2, 0]).flatmap(
    lambda count: st.lists(line_spec, min_size=count, max_size=count)
)


def _line_inputs(specs: list[tuple]) -> list[LineInput]:
    inputs = []
    for kind, quantity, price, rate in specs:
        if kind == "custom":
            inputs.append(
                LineInput(
                    quantity=quantity,
                    name="Sonderanfertigung",
                    unit_price=Decimal(price) * CENT,
                    vat_rate=Decimal(rate),
                )
            )
        else:
            inputs.append(LineInput(quantity=quantity, sku=kind))
    return inputs


class OrderMoneyMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()
        STATS["examples"] += 1
        try:
            self._set_up_shop()
            self.catalog = Catalog.load()
            self.state = capture()
            check_invariants(self.state, self.catalog)
        except BaseException:
            self.teardown()  # hypothesis tears down only machines it got
            raise

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)

    def _set_up_shop(self) -> None:
        users = {
            role: User.objects.create_user(username=f"prop-{role}", password="x", role=role)
            for role in (Role.ADMIN, Role.SALES, Role.WAREHOUSE)
        }
        self.actors = {role: Actor.for_user(user) for role, user in users.items()}
        admin = self.actors["admin"]
        for sku, price, rate, stock, kwargs in (
            ("KNAPP", "19.90", "7", 3, {}),  # tracked, low stock: runs short
            ("VIEL", "4.95", "19", 40, {}),  # tracked, plenty
            ("NACH", "129.00", "19", 1, {"allow_backorder": True}),  # may go below 0
            ("FREI", "25.00", "0", 0, {"track_stock": False}),  # a voucher: no stock
        ):
            create_product(
                sku=sku,
                name=f"Artikel {sku}",
                price=price,
                vat_rate=rate,
                stock_quantity=stock,
                actor=admin,
                **kwargs,
            )
        create_coupon(code="ZEHN", kind="percent", value="10")
        create_coupon(code="FUENF", kind="fixed", value="5.00")
        create_coupon(code="GROSS", kind="fixed", value="500.00")  # more than most carts
        create_coupon(code="VERSANDFREI", kind="free_shipping")
        create_coupon(code="ZWEIMAL", kind="percent", value="33", usage_limit=2)
        for code, price in (("standard", "4.90"), ("express", "12.90"), ("pickup", "0.00")):
            ShippingMethod.objects.update_or_create(
                code=code, defaults={"name": code, "name_en": code, "price": Decimal(price)}
            )
        PaymentMethod.objects.get_or_create(
            code="invoice", defaults={"name": "Rechnung", "name_en": "Invoice"}
        )

    # ------------------------------------------------------------------ the step frame

    def _step(
        self,
        op: str,
        call: Callable[[], Any],
        *,
        number: int | None = None,
        role: str = "admin",
        restock_refund: bool = False,
        expect: Callable[[dict, dict], None] | None = None,
    ) -> Any:
        """Run one service call and check what it did (or, refused, that it did nothing)."""
        before = self.state
        STATS["steps"] += 1
        try:
            result = call()
        except ServiceError as error:
            after = capture(before)
            changed = differences(before, after)
            assert not changed, f"{op} refused ({error.code}) but wrote: {changed[:5]}"
            if role == "warehouse" and op in MONEY_OPS:
                assert error.code == "permission_denied", f"{op} as warehouse: {error.code}"
            STATS[f"{op}: refused {error.code}"] += 1
            return None
        assert not (role == "warehouse" and op in MONEY_OPS), f"the warehouse could {op}"
        after = capture(before)
        if number is None:  # a new order
            number = result.number
        check_step(
            before,
            after,
            number=number,
            write_off_allowed=op == "refund_lines" and not restock_refund,
            catalog=self.catalog,
            op=op,
        )
        if expect is not None:
            previous = next((o for o in before["orders"].values() if o["number"] == number), {})
            expect(previous, _order(after, number))
        check_invariants(after, self.catalog)
        self.state = after
        STATS[f"{op}: ok"] += 1
        return result

    def _order_lines(self, number: int) -> list[dict[str, Any]]:
        order = _order(self.state, number)
        return [line for line in self.state["lines"].values() if line["order_id"] == order["id"]]

    def _choose(self, pick: int, prefer: Callable[[dict[str, Any]], bool]) -> int:
        """An order number: mostly one the step makes sense for (`prefer`), else any, so
        that refusals are tried too."""
        orders = sorted(self.state["orders"].values(), key=lambda order: order["number"])
        preferred = [order for order in orders if prefer(order)]
        candidates = preferred if preferred and pick % 5 else orders
        return candidates[pick % len(candidates)]["number"]

    def _open_manual_payments(self, order: dict[str, Any]) -> list[int]:
        payments = self.state["payments"]
        voided = {p["voided_payment_id"] for p in payments.values() if p["voided_payment_id"]}
        return sorted(
            pk
            for pk, p in payments.items()
            if p["order_id"] == order["id"] and p["voided_payment_id"] is None and pk not in voided
        )

    # ------------------------------------------------------------------ the steps

    @rule(
        specs=line_specs,
        coupon=st.sampled_from(COUPONS),
        shipping=st.sampled_from(SHIPPING),
        status=st.sampled_from([*PLACEABLE, "draft"]),
        adjust_stock=st.booleans(),
        email=st.sampled_from(["erika@example.de", "max@example.de", ""]),
    )
    def create(self, specs, coupon, shipping, status, adjust_stock, email):
        billing = {"first_name": "Erika", "last_name": "Muster", "city": "Berlin", "country": "DE"}
        if email:
            billing["email"] = email

        def expect(_before, after):
            assert after["status"] == status
            assert after["stock_held"] == (adjust_stock and status in HOLDING)

        self._step(
            "create",
            lambda: create_order(
                actor=self.actors["admin"],
                status=status,
                billing_address=billing,
                lines=_line_inputs(specs),
                coupon_code=coupon,
                shipping_method=shipping,
                payment_method="invoice",
                adjust_stock=adjust_stock,
            ),
            expect=expect,
        )

    @precondition(lambda self: _any(self, lambda order: order["status"] == "draft"))
    @rule(pick=PICK, status=st.sampled_from(PLACEABLE), adjust_stock=st.booleans())
    def place(self, pick, status, adjust_stock):
        number = self._choose(pick, lambda order: order["status"] == "draft")

        def expect(_before, after):
            assert after["status"] == status
            assert after["stock_held"] == (adjust_stock and status in HOLDING)

        self._step(
            "place",
            lambda: place_order(
                number=number, status=status, adjust_stock=adjust_stock, actor=self.actors["sales"]
            ),
            number=number,
            expect=expect,
        )

    @precondition(lambda self: self.state["orders"])
    @rule(pick=PICK, specs=line_specs)
    def set_lines(self, pick, specs):
        number = self._choose(pick, lambda order: order["status"] in EDITABLE)
        self._step(
            "set_lines",
            lambda: set_order_lines(
                number=number, lines=_line_inputs(specs), actor=self.actors["sales"]
            ),
            number=number,
        )

    @precondition(lambda self: self.state["orders"])
    @rule(pick=PICK, coupon=st.sampled_from(COUPONS))
    def set_coupon(self, pick, coupon):
        number = self._choose(pick, lambda order: order["status"] in EDITABLE)
        self._step(
            "set_coupon",
            lambda: set_order_coupon(number=number, coupon_code=coupon, actor=self.actors["sales"]),
            number=number,
        )

    @precondition(lambda self: self.state["orders"])
    @rule(pick=PICK, shipping=st.sampled_from(SHIPPING))
    def set_shipping(self, pick, shipping):
        number = self._choose(pick, lambda order: order["status"] in EDITABLE)
        self._step(
            "set_shipping",
            lambda: update_order(
                number=number, shipping_method=shipping, actor=self.actors["sales"]
            ),
            number=number,
        )

    @precondition(lambda self: self.state["orders"])
    @rule(
        pick=PICK,
        kind=st.sampled_from(["part", "rest", "more", "cents"]),
        share=st.integers(1, 99),
        role=st.sampled_from(MONEY_ROLES),
    )
    def pay(self, pick, kind, share, role):
        number = self._choose(
            pick, lambda order: order["status"] != "draft" and order["balance"] > 0
        )
        balance = _order(self.state, number)["balance"]
        if kind == "part":
            amount = (balance * share / 100).quantize(CENT)
        elif kind == "rest":
            amount = balance
        elif kind == "more":
            amount = balance + Decimal(share)
        else:
            amount = Decimal(share) * CENT
        amount = amount if amount > 0 else Decimal(share) * CENT

        def expect(before, after):
            assert after["paid_total"] == before["paid_total"] + amount

        self._step(
            "pay",
            lambda: record_manual_payment(
                number=number, amount=amount, reference="Kontoauszug", actor=self.actors[role]
            ),
            number=number,
            role=role,
            expect=expect,
        )

    @precondition(lambda self: self.state["payments"])
    @rule(pick=PICK, which=st.integers(0, 20), role=st.sampled_from(MONEY_ROLES))
    def void(self, pick, which, role):
        number = self._choose(pick, lambda order: bool(self._open_manual_payments(order)))
        order = _order(self.state, number)
        # Mostly an open payment; else any row of the order's ledger (a void, a payment
        # voided already), and with no row at all a payment that does not exist.
        payments = self._open_manual_payments(order) if which % 3 else []
        payments = payments or sorted(
            pk for pk, p in self.state["payments"].items() if p["order_id"] == order["id"]
        )
        payment_id = (
            payments[which % len(payments)] if payments else max(self.state["payments"] or [0]) + 1
        )
        amount = self.state["payments"].get(payment_id, {}).get("amount", ZERO)

        def expect(before, after):
            assert after["paid_total"] == before["paid_total"] - amount

        self._step(
            "void",
            lambda: void_payment(
                number=number, payment_id=payment_id, reason="Fehlbuchung", actor=self.actors[role]
            ),
            number=number,
            role=role,
            expect=expect,
        )

    @precondition(lambda self: _any(self, _refundable))
    @rule(
        pick=PICK,
        share=st.integers(1, 120),
        close=st.booleans(),
        role=st.sampled_from(MONEY_ROLES),
    )
    def refund_amount(self, pick, share, close, role):
        number = self._choose(pick, _refundable)
        order = _order(self.state, number)
        refundable = order["paid_total"] - order["refunded_total"]
        amount = max((refundable * share / 100).quantize(CENT), CENT)

        def expect(before, after):
            assert after["refunded_total"] == before["refunded_total"] + amount
            _expect_refund_settles_first(before, after)
            _expect_closed(before, after, close=close)

        self._step(
            "refund_amount",
            lambda: refund_order(
                number=number,
                amount=amount,
                reason="Kulanz",
                set_status_refunded=close,
                actor=self.actors[role],
            ),
            number=number,
            role=role,
            expect=expect,
        )

    @precondition(lambda self: _any(self, _refundable))
    @rule(
        pick=PICK,
        which=st.integers(0, 20),
        quantity=st.sampled_from([1, 1, 2, 3, 4]),
        restock=st.booleans(),
        include_shipping=st.booleans(),
        close=st.booleans(),
        role=st.sampled_from(MONEY_ROLES),
    )
    def refund_lines(self, pick, which, quantity, restock, include_shipping, close, role):
        def has_units(order):
            return _refundable(order) and any(
                line["sku"] and line["refunded_quantity"] < line["quantity"]
                for line in self._order_lines(order["number"])
            )

        number = self._choose(pick, has_units)
        lines = [line for line in self._order_lines(number) if line["sku"]]
        # Mostly a SKU with units left to refund (more of those succeed), now and then any.
        open_skus = {line["sku"] for line in lines if line["refunded_quantity"] < line["quantity"]}
        skus = sorted(open_skus if which % 4 else {line["sku"] for line in lines})
        sku = skus[which % len(skus)] if skus else "GIBTSNICHT"

        def expect(before, after):
            assert after["refunded_total"] > before["refunded_total"]
            _expect_refund_settles_first(before, after)
            _expect_closed(before, after, close=close)

        self._step(
            "refund_lines",
            lambda: refund_order(
                number=number,
                lines=[RefundLineInput(sku=sku, quantity=quantity)],
                include_shipping=include_shipping,
                restock=restock,
                set_status_refunded=close,
                reason="Retoure",
                actor=self.actors[role],
            ),
            number=number,
            role=role,
            restock_refund=restock,
            expect=expect,
        )

    @precondition(lambda self: self.state["orders"])
    @rule(
        pick=PICK,
        walk=st.integers(0, 99),
        adjust_stock=st.booleans(),
        role=st.sampled_from(ROLES),
    )
    def move(self, pick, walk, adjust_stock, role):
        number = self._choose(pick, lambda order: order["status"] not in ("draft", "refunded"))
        # Mostly a move the transition table allows (status walks), else any status.
        allowed = sorted(TRANSITIONS[_order(self.state, number)["status"]])
        if allowed and walk % 6:
            status = allowed[walk % len(allowed)]
        else:
            status = STATUSES[walk % len(STATUSES)]

        def expect(before, after):
            assert after["status"] == status
            crossing = (before["status"] in HOLDING) != (status in HOLDING)
            if crossing and adjust_stock:
                assert after["stock_held"] == (status in HOLDING)
            else:
                assert after["stock_held"] == before["stock_held"]
            if role == "warehouse":
                moved_on = before["status"] == status or (
                    before["status"] in HOLDING | {"pending"} and status in HOLDING
                )
                assert moved_on, f"the warehouse moved {before['status']} → {status}"

        self._step(
            "move",
            lambda: set_order_status(
                number=number, status=status, adjust_stock=adjust_stock, actor=self.actors[role]
            ),
            number=number,
            role=role,
            expect=expect,
        )

    @precondition(lambda self: self.state["orders"])
    @rule(
        pick=PICK,
        payment_status=st.sampled_from(["paid", "unpaid"]),
        role=st.sampled_from(MONEY_ROLES),
    )
    def mark(self, pick, payment_status, role):
        number = self._choose(pick, lambda order: order["status"] != "draft")

        def expect(before, after):
            if payment_status == "paid":
                assert after["paid_total"] >= after["total"]
            else:
                assert after["paid_total"] == ZERO

        self._step(
            "mark",
            lambda: set_payment_status(
                number=number, payment_status=payment_status, actor=self.actors[role]
            ),
            number=number,
            role=role,
            expect=expect,
        )


def _expect_refund_settles_first(before: dict[str, Any], after: dict[str, Any]) -> None:
    """A refund first pays back what was owed back (a negative balance), and credits the
    rest against what the order costs: it never leaves the customer owing more."""
    refund = after["refunded_total"] - before["refunded_total"]
    paid_back = min(refund, max(-before["balance"], ZERO))
    assert after["credited_total"] - before["credited_total"] == refund - paid_back
    assert after["balance"] == before["balance"] + paid_back
    assert after["balance"] <= max(before["balance"], ZERO)


def _expect_closed(before: dict[str, Any], after: dict[str, Any], *, close: bool) -> None:
    """A refund of everything paid closes the order when asked to; otherwise the status
    stays."""
    if close and after["payment_status"] == "refunded":
        assert after["status"] == "refunded", f"a full refund left {after['status']}"
    else:
        assert after["status"] == before["status"], f"a refund moved to {after['status']}"


def _any(machine: OrderMoneyMachine, prefer: Callable[[dict[str, Any]], bool]) -> bool:
    """Whether an order exists that the step makes sense for (the step then mostly takes
    one of those, and now and then any order, to try the refusals too)."""
    return any(prefer(order) for order in machine.state["orders"].values())


def _refundable(order: dict[str, Any]) -> bool:
    return order["paid_total"] > order["refunded_total"]


def _order(state: dict[str, Any], number: int) -> dict[str, Any]:
    return next(order for order in state["orders"].values() if order["number"] == number)


def check_step(
    before: dict[str, Any],
    after: dict[str, Any],
    *,
    number: int,
    write_off_allowed: bool,
    catalog: Catalog,
    op: str,
) -> None:
    """What one successful service call on order `number` may have changed."""
    # The ledger is append-only: no payment row changed or vanished.
    for pk, row in before["payments"].items():
        assert after["payments"].get(pk) == row, f"{op}: payment {pk} changed or vanished"
    # The timeline is append-only too.
    assert after["events"][: len(before["events"])] == before["events"], f"{op}: events changed"
    new_events = after["events"][len(before["events"]) :]
    target = _order(after, number)
    assert all(order_id == target["id"] for _pk, order_id, _t, _d in new_events), (
        f"{op}: events written for another order"
    )
    # Other orders' rows are untouched (they share only stock and coupons).
    for order_id, row in before["orders"].items():
        if order_id != target["id"]:
            assert after["orders"][order_id] == row, f"{op}: order {row['number']} changed"

    changed = differences(before, after)
    if changed:
        assert new_events, f"{op} changed {changed[:5]} without a timeline event"
        previous = before["orders"].get(target["id"])
        assert previous is None or target["version"] > previous["version"], (
            f"{op} changed the order without a new version"
        )
    previous_order = before["orders"].get(target["id"], {})
    if target["status"] == "refunded" and previous_order.get("status") != "refunded":
        assert target["payment_status"] == "refunded", f"{op} closed an order not refunded"
    # payment_status_changed exactly when the derived status changed, saying from and to.
    status_events = [data for _pk, _o, kind, data in new_events if kind == "payment_status_changed"]
    previous_status = before["orders"].get(target["id"], {}).get("payment_status", "unpaid")
    if previous_status != target["payment_status"] and target["status"] != "draft":
        assert status_events == [{"from": previous_status, "to": target["payment_status"]}], (
            f"{op}: {previous_status} → {target['payment_status']} with events {status_events}"
        )
    else:
        assert status_events == [], f"{op}: status events {status_events} without a change"

    # Held stock moves with the order's own steps; written-off refunded units only grow, and
    # only through a refund without restock.
    unexplained_before = unexplained_units(before, catalog)
    unexplained_after = unexplained_units(after, catalog)
    for key in unexplained_before.keys() | unexplained_after.keys():
        was, units = unexplained_before.get(key, 0), unexplained_after.get(key, 0)
        if write_off_allowed and key[0] == target["id"]:
            assert units >= was, f"{op}: written-off units went back ({was} → {units})"
        else:
            assert units == was, (
                f"{op}: order {number}, product {key[1]}: stock taken beyond the held units "
                f"changed {was} → {units}"
            )


def stats_report() -> str:
    by_op: dict[str, list[str]] = defaultdict(list)
    for key, count in sorted(STATS.items()):
        if ": " in key:
            op, outcome = key.split(": ", 1)
            by_op[op].append(f"{outcome} {count}")
    lines = [f"{STATS['steps']} steps in {STATS['examples']} examples"]
    lines += [f"  {op}: {', '.join(outcomes)}" for op, outcomes in sorted(by_op.items())]
    return "\n".join(lines)
