"""One generated order and everything it owns, as table rows: lines, timeline events,
payments, refunds, shipments, tags and notes. Money comes from `orders.totals`, so totals,
VAT, balance and payment status agree with the lines and the ledger exactly."""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from bench.people import Person
from bestellwerk.demo.data import (
    CARRIERS,
    CHANNEL_WEIGHTS,
    LEAD_SOURCES,
    NOTES,
    PAYMENT_BY_CHANNEL,
    STATUS_WEIGHTS_OLD,
    STATUS_WEIGHTS_RECENT,
)
from bestellwerk.orders.models import OrderStatus as S
from bestellwerk.orders.models import PaymentStatus as P
from bestellwerk.orders.totals import LineAmountsInput, compute_totals

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
RECENT_DAYS = 21
HOLDS_STOCK = {S.PROCESSING, S.ON_HOLD, S.SHIPPED, S.COMPLETED}
# How an order's payment ended, by its status (every pair occurs, the odd ones rarely).
PAYMENT_WEIGHTS = {
    S.DRAFT: (96, 1, 3, 0.2, 0.2),
    S.PENDING: (70, 5, 24, 0.5, 0.5),
    S.PROCESSING: (30, 5, 63, 1, 1),
    S.ON_HOLD: (55, 10, 33, 1, 1),
    S.SHIPPED: (15, 3, 80, 1.5, 0.5),
    S.COMPLETED: (2, 1, 89, 7, 1),
    S.CANCELLED: (80, 1, 3, 2, 14),
    S.REFUNDED: (1, 0.5, 2, 6, 90.5),
}
PAYMENT_STATES = [P.UNPAID, P.PARTIALLY_PAID, P.PAID, P.PARTIALLY_REFUNDED, P.REFUNDED]
# The statuses an order passed through after it was placed as pending.
PATHS = {
    S.DRAFT: [],
    S.PENDING: [],
    S.PROCESSING: [S.PROCESSING],
    S.ON_HOLD: [S.PROCESSING, S.ON_HOLD],
    S.SHIPPED: [S.PROCESSING, S.SHIPPED],
    S.COMPLETED: [S.PROCESSING, S.SHIPPED, S.COMPLETED],
    S.CANCELLED: [S.CANCELLED],
    S.REFUNDED: [S.PROCESSING, S.SHIPPED, S.COMPLETED, S.REFUNDED],
}
TAG_WEIGHTS = {"Stammkunde": 4, "VIP": 3, "Geschenk": 3, "Großkunde": 2, "Eilig": 2}
TAG_WEIGHTS |= {"Reklamation": 1, "Messe": 0.5}
TAGGED_SHARE = 0.12
NOTE_SHARE = 0.05
PAID_UP_FRONT = {"card", "paypal", "cash"}


@dataclass
class Refs:
    """What generated orders point at: catalogue, methods, carriers, tags, staff, a token."""

    products: list[tuple[int, str, str, Decimal, Decimal, bool]]
    product_weights: list[float]
    payment_methods: dict[str, tuple[int, str]]
    shipping_methods: dict[str, tuple[int, Decimal]]
    carriers: dict[str, tuple[int, str, str]]
    lead_sources: dict[str, int]
    tags: dict[str, int]
    staff: dict[str, int]
    token: tuple[int, int, str]  # token id, its user's id, actor label


@dataclass
class Rows:
    """The rows of one chunk of orders, per table."""

    orders: list[tuple] = field(default_factory=list)
    lines: list[tuple] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)
    payments: list[tuple] = field(default_factory=list)
    refunds: list[tuple] = field(default_factory=list)
    shipments: list[tuple] = field(default_factory=list)
    tags: list[tuple] = field(default_factory=list)
    notes: list[tuple] = field(default_factory=list)
    paid_orders: set[int] = field(default_factory=set)


@dataclass
class Ids:
    """Explicit ids for the rows other rows point at."""

    payment: int
    refund: int
    shipment: int
    note: int

    def take(self, name: str) -> int:
        value = getattr(self, name)
        setattr(self, name, value + 1)
        return value


def pick(rng: random.Random, weights: dict[Any, float]) -> Any:
    return rng.choices(list(weights), list(weights.values()))[0]


class OrderMaker:
    """Turns (number, id, time, customer) into rows; `forced` pairs of status and payment
    status come first, so every pair the constraints allow is in the data."""

    def __init__(self, rng: random.Random, refs: Refs, ids: Ids, now: datetime) -> None:
        self.rng, self.refs, self.ids, self.now = rng, refs, ids, now
        self.forced: list[tuple[str, str]] = []
        self._line_cache: dict[int, Any] = {}

    def status(self, created: datetime) -> tuple[str, str]:
        if self.forced:
            return self.forced.pop()
        recent = (self.now - created).days < RECENT_DAYS
        status = pick(self.rng, STATUS_WEIGHTS_RECENT if recent else STATUS_WEIGHTS_OLD)
        return status, self.rng.choices(PAYMENT_STATES, PAYMENT_WEIGHTS[status])[0]

    def actor(self, channel: str, assignee: str | None) -> tuple:
        """actor_kind, actor_user_id, actor_label, actor_token_id of who placed the order."""
        if channel == "web":
            return ("system", None, "Webshop", None)
        if channel == "import":
            return ("system", None, "Import WooCommerce", None)
        if channel == "api":
            token_id, user_id, label = self.refs.token
            return ("api_token", user_id, label, token_id)
        name = assignee if assignee in ("admin", "sofia") else "sofia"
        return ("user", self.refs.staff[name], name, None)

    def make(
        self, rows: Rows, *, order_id: int, number: int, created: datetime, person: Person | None
    ) -> None:
        from bestellwerk.customers.models import Customer
        from bestellwerk.orders.models import Order, OrderLine
        from bestellwerk.orders.services.persistence import order_search_document

        rng, refs = self.rng, self.refs
        status, payment_status = self.status(created)
        channel = pick(rng, CHANNEL_WEIGHTS)
        if person is None:
            channel = "pos"
        method = pick(rng, PAYMENT_BY_CHANNEL[channel])
        shipping = "pickup" if channel == "pos" else pick(rng, {"standard": 85, "express": 10})
        lead = pick(rng, LEAD_SOURCES)
        assignee = None
        if channel in ("manual", "pos") or rng.random() < 0.1:
            assignee = pick(rng, {None: 50, "sofia": 35, "admin": 10, "lars": 5})
        tags = self.tags(person)
        big = "Großkunde" in tags
        # Lines: 1–5 products, popular ones more often; wholesale customers buy by the box.
        count = rng.choices((1, 2, 3, 4, 5), (45, 28, 15, 8, 4))[0]
        products = set()
        while len(products) < count:
            products.add(rng.choices(range(len(refs.products)), refs.product_weights)[0])
        quantities = []
        for _ in products:
            quantity = rng.choices((1, 2, 3, 4, 6), (75, 15, 5, 3, 2))[0]
            quantities.append(quantity * rng.randint(5, 30) if big else quantity)
        chosen = [refs.products[i] for i in sorted(products)]
        totals = compute_totals(
            lines=[
                LineAmountsInput(unit_price=p[3], quantity=q, vat_rate=p[4])
                for p, q in zip(chosen, quantities, strict=True)
            ],
            coupon=None,
            shipping_price=refs.shipping_methods[shipping][1],
        )
        held = status in HOLDS_STOCK
        for position, (product, quantity, amounts) in enumerate(
            zip(chosen, quantities, totals.lines, strict=True)
        ):
            refunded_units = quantity if status == S.REFUNDED else 0
            line = (
                order_id, position, product[0], product[1], product[2], product[3],
                product[4], quantity, amounts.subtotal, amounts.discount, amounts.total,
                amounts.tax, quantity if held and product[5] else 0, refunded_units,
            )  # fmt: skip
            rows.lines.append(line)
        total = totals.total
        paid, refunded = self.money(payment_status, total)

        # The timeline: placed, paid, along its path, shipped, refunded, noted.
        actor = self.actor(channel, assignee)
        sales = ("user", refs.staff["sofia"], "sofia", None)
        warehouse = ("user", refs.staff["lars"], "lars", None)
        at = created
        events = rows.events
        first_event = len(events)

        def event(kind: str, data: dict, who: tuple, when: datetime) -> None:
            events.append((order_id, kind, data, who[0], who[1], who[2], who[3], when, when))

        def later(hours: float) -> datetime:
            return min(at + timedelta(hours=rng.expovariate(1 / hours)), self.now)

        adjust = {"notify_customer": False, "notify_admins": False, "comment": ""}
        if status == S.DRAFT:
            event("draft_created", {}, actor, at)
        else:
            data = {"status": "pending", "total": str(total), "channel": channel}
            event("created", data | {"adjust_stock": True}, actor, at)
        if paid and (method in PAID_UP_FRONT or status in (S.DRAFT, S.PENDING)):
            at = later(0.2)
            self.pay(rows, order_id, method, paid, total, at, actor if channel != "pos" else sales)
        previous = "pending"
        tracking: list[str] = []
        for step in PATHS[status]:
            if step == S.REFUNDED:
                continue  # the refund below marks the order refunded
            at = later(20 if step != S.COMPLETED else 72)
            if step == S.SHIPPED and shipping != "pickup":
                tracking += self.ship(rows, order_id, at, warehouse)
            stock = "deduct" if step in HOLDS_STOCK and previous not in HOLDS_STOCK else "none"
            if step == S.CANCELLED and previous in HOLDS_STOCK:
                stock = "restock"
            data = {"from": previous, "to": step, "stock": stock, "stock_adjusted": stock != "none"}
            event("status_changed", data | adjust, warehouse if step == S.SHIPPED else sales, at)
            if paid and order_id not in rows.paid_orders:
                at = later(24)
                self.pay(rows, order_id, method, paid, total, at, sales)
            previous = step
        if paid and order_id not in rows.paid_orders:
            at = later(48)
            self.pay(rows, order_id, method, paid, total, at, sales)
        if refunded:
            at = later(96)
            self.refund(rows, order_id, refunded, payment_status, at, sales, status)
            if status == S.REFUNDED:
                data = {"from": previous, "to": "refunded", "stock": "restock"}
                event("status_changed", data | {"stock_adjusted": True} | adjust, sales, at)
        if rng.random() < NOTE_SHARE or status == S.ON_HOLD:
            at = later(5)
            note_id = self.ids.take("note")
            rows.notes.append((note_id, order_id, rng.choice(NOTES), refs.staff["sofia"], "", at))
            event("note_added", {"note_id": note_id}, sales, at)
        for tag in tags:
            rows.tags.append((order_id, refs.tags[tag]))

        billing = person.address() if person else {}
        shipping_address, same = dict(billing), True
        shipping_address.pop("email", None)
        if person and rng.random() < 0.08:  # a gift, or the office
            same = False
            shipping_address |= {"first_name": rng.choice(["Oma", "Tante", "Büro"])}
        order = Order(
            number=number,
            external_source="woocommerce" if channel == "import" else None,
            external_id=f"bench-{number}" if channel == "import" else None,
            external_number=f"WC-{number - 7000}" if channel == "import" else "",
            billing_address=billing,
            shipping_address=shipping_address,
        )
        if person is not None:
            order.customer = Customer(
                id=person.id, first_name=person.first_name, last_name=person.last_name,
                company=person.company, email=person.email, phone=person.phone,
            )  # fmt: skip
        lines = [self.line(OrderLine, p) for p in chosen]
        document = order_search_document(order, lines=lines, tracking_codes=tracking)
        credited = refunded
        row = (
            order_id, number, status, payment_status, channel,
            refs.lead_sources.get(lead) if lead else None,
            person.id if person else None,
            refs.staff[assignee] if assignee else None,
            billing, shipping_address, same,
            refs.payment_methods[method][0], refs.shipping_methods[shipping][0], None,
            "EUR", totals.subtotal, totals.discount, totals.shipping, totals.net,
            totals.tax_total, total, [t.as_json() for t in totals.tax],
            paid, refunded, credited, total - credited - paid + refunded,
            len(events) - first_event, held,
            order.external_source, order.external_id, order.external_number, document,
            None if status == S.DRAFT else created, created, at,
        )  # fmt: skip
        rows.orders.append(row)

    def line(self, model: Any, product: tuple) -> Any:
        cached = self._line_cache.get(product[0])
        if cached is None:
            cached = self._line_cache[product[0]] = model(sku=product[1], name=product[2])
        return cached

    def tags(self, person: Person | None) -> list[str]:
        rng = self.rng
        if person is None or rng.random() >= TAGGED_SHARE:
            return []
        tags = {pick(rng, TAG_WEIGHTS)}
        if "Großkunde" in tags and rng.random() < 0.5:
            tags.add("Stammkunde")
        elif rng.random() < 0.15:
            tags.add(pick(rng, TAG_WEIGHTS))
        return sorted(tags)

    def money(self, payment_status: str, total: Decimal) -> tuple[Decimal, Decimal]:
        """paid_total and refunded_total for the payment status (credited = refunded)."""
        rng = self.rng
        if payment_status == P.UNPAID:
            return ZERO, ZERO
        if payment_status == P.PARTIALLY_PAID:
            cents = int(total * 100)
            return Decimal(rng.randint(1, cents - 1)) / 100, ZERO
        if payment_status == P.PAID:
            return total, ZERO
        if payment_status == P.PARTIALLY_REFUNDED:
            cents = int(total * 100)
            return total, Decimal(rng.randint(1, max(1, cents // 3))) / 100
        return total, total

    def pay(
        self,
        rows: Rows,
        order_id: int,
        method: str,
        amount: Decimal,
        total: Decimal,
        at: datetime,
        who: tuple,
    ) -> None:
        method_id, provider = self.refs.payment_methods[method]
        payment_id = self.ids.take("payment")
        reference = f"cs_bench_{payment_id}" if provider != "manual" else ""
        rows.payments.append(
            (payment_id, order_id, provider, method_id, reference, "", amount, "EUR", at, None,
             "", at, who[0], who[1], who[2])
        )  # fmt: skip
        rows.paid_orders.add(order_id)
        data = {"payment_id": payment_id, "amount": str(amount), "currency": "EUR"}
        data |= {"provider": provider, "method": method, "reference": reference}
        data |= {"paid_at": at.isoformat()}
        rows.events.append((order_id, "payment_recorded", data, *who, at, at))
        to = P.PAID if amount >= total else P.PARTIALLY_PAID
        data = {"from": "unpaid", "to": str(to)}
        rows.events.append((order_id, "payment_status_changed", data, *who, at, at))

    def refund(
        self,
        rows: Rows,
        order_id: int,
        amount: Decimal,
        outcome: str,
        at: datetime,
        who: tuple,
        status: str,
    ) -> None:
        refund_id = self.ids.take("refund")
        reason = "Widerruf innerhalb der Frist." if outcome == P.REFUNDED else "Kulanz"
        restock = status == S.REFUNDED
        rows.refunds.append(
            (refund_id, order_id, None, "manual", "succeeded", amount, ZERO, amount, "EUR",
             reason, restock, False, restock, None, "", None, "", at, at, None,
             who[0], who[1], who[2])
        )  # fmt: skip
        data = {"refund_id": refund_id, "amount": str(amount), "currency": "EUR"}
        data |= {"shipping": "0.00", "provider": "manual", "reason": reason, "restock": restock}
        data |= {"notify_customer": False, "lines": [], "payment_status": str(outcome)}
        data |= {"restocked": [], "status": "succeeded"}
        rows.events.append((order_id, "refunded", data, *who, at, at))
        data = {"from": "paid", "to": str(outcome)}
        rows.events.append((order_id, "payment_status_changed", data, *who, at, at))

    def ship(self, rows: Rows, order_id: int, at: datetime, who: tuple) -> list[str]:
        rng = self.rng
        codes = []
        for _ in range(2 if rng.random() < 0.04 else 1):
            carrier = pick(rng, CARRIERS)
            carrier_id, name, template = self.refs.carriers[carrier]
            if carrier in ("dhl", "deutsche_post"):
                code = "00340434" + "".join(rng.choices("0123456789", k=12))
            elif carrier == "ups":
                code = "1Z" + "".join(rng.choices("0123456789ABCDEFGHJKLMNPRSTUVWXYZ", k=16))
            else:
                code = "".join(rng.choices("0123456789", k=14))
            url = template.replace("{tracking}", code)
            shipment_id = self.ids.take("shipment")
            rows.shipments.append((shipment_id, order_id, carrier_id, name, code, url, at, at))
            data = {"shipment_id": shipment_id, "carrier": name, "tracking_code": code}
            data |= {"tracking_url": url}
            rows.events.append((order_id, "shipment_added", data, *who, at, at))
            codes.append(code)
        return codes
