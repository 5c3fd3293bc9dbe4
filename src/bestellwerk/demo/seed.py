"""The demo shop: a German tea, coffee and spice shop with 18 months of history.

Everything is generated from one seeded `random.Random`, so the same scale and seed give
the same catalogue, customers, order numbers, statuses and totals (on the same day: dates
count back from today, with the seasons of the calendar). Orders are built through
the real services (create_order, set_order_status, add_shipment, …) so totals, events,
stock movements, coupon redemptions and search documents are exactly what staff would have
produced by hand. Two things the services cannot know are added afterwards:

- *when* it happened: services stamp rows with the present, so each order's events,
  stock movements, shipments and notes are moved back to the order's own timeline;
- that the history is not news: its events are marked dispatched and nothing is queued, so
  e-mails, automations and webhooks never fire for two-year-old demo orders.
"""

import random
import unicodedata
from collections import Counter as Tally
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.test.utils import override_settings
from django.utils import timezone

from bestellwerk.accounts.models import Role, User
from bestellwerk.accounts.services import create_api_token
from bestellwerk.catalog.models import Product, StockMovement
from bestellwerk.catalog.services import create_product
from bestellwerk.core.actors import Actor
from bestellwerk.core.money import round_money
from bestellwerk.customers.models import Customer
from bestellwerk.customers.services import create_customer
from bestellwerk.orders.inputs import LineInput
from bestellwerk.orders.lifecycle import holds_stock
from bestellwerk.orders.models import Channel, Order, OrderEvent, OrderNote, OrderStatus
from bestellwerk.orders.models import PaymentStatus as Pay
from bestellwerk.orders.services import (
    add_order_note,
    add_shipment,
    create_order,
    set_order_status,
    set_payment_status,
)
from bestellwerk.payments.models import Refund
from bestellwerk.payments.services import refund_order
from bestellwerk.promotions.models import CouponKind
from bestellwerk.promotions.services import create_coupon
from bestellwerk.shipping.models import Shipment

DEFAULT_SEED = 20_240_601
DEFAULT_ORDERS = 3000
DEFAULT_CUSTOMERS = 300
HISTORY_DAYS = 548  # about 18 months
# Completed orders older than this get a short history (created completed and paid, then
# their parcel): nobody reads them step by step, and each step costs the demo time to load.
SHORT_HISTORY_DAYS = 60
BATCH_SIZE = 250  # orders whose history is backdated together

# username, first name, last name, role
DEMO_STAFF = [
    ("sofia", "Sofia", "Becker", Role.SALES),
    ("lars", "Lars", "Hansen", Role.WAREHOUSE),
]


# SKU, name, gross price, VAT rate
def _words(text: str) -> list[str]:
    return text.split()


KAFFEE = "Kaffeeliebhaber"
TEE = "Teetrinker"
BUCH = "Leseratte"
CATALOG: list[tuple[str, str, str, str]] = [
    ("KAF-001", "Espresso Napoli, Bohnen 1 kg", "22.90", "7"),
    ("KAF-002", "Caffè Crema, Bohnen 1 kg", "19.90", "7"),
    ("KAF-003", "Filterkaffee Hochland, gemahlen 500 g", "9.90", "7"),
    ("KAF-004", "Äthiopien Yirgacheffe 250 g", "11.50", "7"),
    ("KAF-005", "Kolumbien Supremo 500 g", "13.90", "7"),
    ("KAF-006", "Schwarzwald Entkoffeiniert 500 g", "12.90", "7"),
    ("KAF-007", "Guatemala Antigua 250 g", "10.90", "7"),
    ("KAF-008", "Espresso Decaf 250 g", "8.90", "7"),
    ("KAF-009", "Kaffeekapseln Lungo, 20 Stück", "5.49", "7"),
    ("KAF-010", "Kaffee-Probierset 4 × 125 g", "24.90", "7"),
    ("TEE-001", "Darjeeling First Flush 100 g", "12.50", "7"),
    ("TEE-002", "Assam Breakfast 250 g", "8.90", "7"),
    ("TEE-003", "Grüner Tee Sencha 100 g", "7.90", "7"),
    ("TEE-004", "Pfefferminztee lose 100 g", "4.50", "7"),
    ("TEE-005", "Rooibos Vanille 150 g", "6.20", "7"),
    ("TEE-006", "Earl Grey Bio 100 g", "6.90", "7"),
    ("TEE-007", "Kamillenblüten 80 g", "3.90", "7"),
    ("TEE-008", "Chai Gewürztee 200 g", "9.50", "7"),
    ("TEE-009", "Matcha Zeremonie 30 g", "24.00", "7"),
    ("TEE-010", "Früchtetee Waldbeere 200 g", "5.90", "7"),
    ("GEW-001", "Pfeffer schwarz, ganz 100 g", "4.90", "7"),
    ("GEW-002", "Paprika edelsüß 80 g", "3.50", "7"),
    ("GEW-003", "Ceylon-Zimt gemahlen 50 g", "4.20", "7"),
    ("GEW-004", "Kurkuma Bio 100 g", "3.90", "7"),
    ("GEW-005", "Muskatnüsse ganz, 6 Stück", "3.20", "7"),
    ("GEW-006", "Bourbon-Vanilleschoten, 3 Stück", "9.90", "7"),
    ("GEW-007", "Curry Madras 80 g", "3.80", "7"),
    ("GEW-008", "Kümmel ganz 100 g", "2.90", "7"),
    ("GEW-009", "Fleur de Sel 125 g", "6.50", "7"),
    ("GEW-010", "Lebkuchengewürz 40 g", "3.40", "7"),
    ("SUE-001", "Zartbitterschokolade 70 % 100 g", "2.99", "7"),
    ("SUE-002", "Lübecker Marzipanbrot 200 g", "5.49", "7"),
    ("SUE-003", "Nürnberger Elisenlebkuchen, 6 Stück", "8.90", "7"),
    ("SUE-004", "Lindenblütenhonig 500 g", "7.50", "7"),
    ("BUC-001", "Das Kaffeebuch (gebunden)", "29.90", "7"),
    ("BUC-002", "Tee – Geschichte und Genuss", "24.00", "7"),
    ("BUC-003", "Gewürze der Welt: Das Kochbuch", "34.00", "7"),
    ("BUC-004", "Backen wie bei Oma (Taschenbuch)", "14.99", "7"),
    ("BUC-005", "Das Barista-Handbuch", "19.95", "7"),
    ("BUC-006", "Norddeutsche Küche", "22.00", "7"),
    ("GES-001", "Kaffeetasse Steingut 250 ml", "9.90", "19"),
    ("GES-002", "Espressotassen-Set, 4-teilig", "24.90", "19"),
    ("GES-003", "Teekanne Porzellan 1,2 l", "39.90", "19"),
    ("GES-004", "Teeglas mit Halter", "12.50", "19"),
    ("GES-005", "Frühstücksteller 21 cm", "7.90", "19"),
    ("GES-006", "Müslischale Steingut", "8.50", "19"),
    ("GES-007", "Milchkännchen 0,2 l", "11.90", "19"),
    ("GES-008", "Becher „Moin“", "12.90", "19"),
    ("ZUB-001", "Handfilter Porzellan, Größe 4", "16.90", "19"),
    ("ZUB-002", "Filtertüten Größe 4, 100 Stück", "2.49", "19"),
    ("ZUB-003", "French Press 1 l", "34.90", "19"),
    ("ZUB-004", "Kaffeemühle, manuell", "49.00", "19"),
    ("ZUB-005", "Milchaufschäumer", "29.90", "19"),
    ("ZUB-006", "Teesieb Edelstahl", "6.90", "19"),
    ("ZUB-007", "Gewürzmühle Buchenholz", "19.90", "19"),
    ("ZUB-008", "Espressokocher, 6 Tassen", "32.00", "19"),
    ("ZUB-009", "Teedose Weißblech 150 g", "8.90", "19"),
    ("ZUB-010", "Geschenkbox Kaffeegenuss", "39.00", "19"),
    ("ZUB-011", "Geschenkgutschein 25 €", "25.00", "0"),
    ("ZUB-012", "Barista-Kurs (Samstag, 3 Stunden)", "89.00", "19"),
]
# Vouchers and course seats are not goods on a shelf.
UNTRACKED_SKUS = frozenset({"ZUB-011", "ZUB-012", "KAF-010"})
# Books and big items are ordered from the supplier when sold out.
BACKORDER_SKUS = frozenset({"BUC-001", "BUC-003", "ZUB-004", "GES-003"})
# A few products end the demo nearly sold out, so low stock shows somewhere.
LOW_STOCK_SKUS = frozenset({"TEE-009", "GEW-006", "GES-002"})
CUSTOMER_TAGS_BY_PREFIX = {"KAF": [KAFFEE], "TEE": [TEE], "BUC": [BUCH]}
CUSTOMER_TAGS_BY_SKU = {"ZUB-012": ["Barista-Kurs"], "ZUB-004": [KAFFEE]}

FIRST_NAMES = _words(
    "Anna Lena Marie Sophie Laura Julia Hannah Lea Katharina Sarah Johanna Clara Emma Mia "
    "Charlotte Greta Ida Frieda Ursula Monika Petra Sabine Claudia Andrea Birgit Heike Anja "
    "Maximilian Paul Leon Lukas Jonas Felix Elias Noah Ben Finn Jan Tim Tobias Florian "
    "Sebastian Michael Thomas Andreas Stefan Markus Christian Jürgen Klaus Wolfgang Uwe Dieter "
    "Matthias Björn Jörg Günther Hans Karl Özlem Mehmet Ayşe Dimitri Katarzyna Luca Giulia"
)
LAST_NAMES = _words(
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch "
    "Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann "
    "Lange Schmitt Werner Schmitz Krause Meier Lehmann Schmid Schulze Maier Köhler Herrmann "
    "König Walter Mayer Huber Kaiser Fuchs Peters Lang Scholz Möller Weiß Jung Hahn Schubert "
    "Vogel Friedrich Keller Günther Frank Berger Winkler Roth Beck Lorenz Baumann Franke "
    "Albrecht Schuster Simon Ludwig Böhm Winter Kraus Martin Schumacher Krämer Vogt Stein "
    "Jäger Otto Sommer Groß Seidel Heinrich Brandt Haas Schreiber Graf Dietrich Ziegler Kuhn "
    "Yılmaz Nowak Kowalski Rossi"
)
STREETS = [
    "Hauptstraße", "Schulstraße", "Gartenstraße", "Bahnhofstraße", "Dorfstraße", "Bergstraße",
    "Birkenweg", "Lindenstraße", "Kirchstraße", "Waldstraße", "Ringstraße", "Schillerstraße",
    "Goethestraße", "Mühlenweg", "Am Markt", "Rosenweg", "Blumenstraße", "Feldstraße",
    "Mozartstraße", "Eichendorffweg",
]  # fmt: skip
# city, postal code prefix, area code, country
CITIES: list[tuple[str, str, str, str]] = [
    ("Berlin", "10", "30", "DE"),
    ("Hamburg", "20", "40", "DE"),
    ("München", "80", "89", "DE"),
    ("Köln", "50", "221", "DE"),
    ("Frankfurt am Main", "60", "69", "DE"),
    ("Stuttgart", "70", "711", "DE"),
    ("Düsseldorf", "40", "211", "DE"),
    ("Leipzig", "04", "341", "DE"),
    ("Dresden", "01", "351", "DE"),
    ("Hannover", "30", "511", "DE"),
    ("Nürnberg", "90", "911", "DE"),
    ("Bremen", "28", "421", "DE"),
    ("Freiburg im Breisgau", "79", "761", "DE"),
    ("Münster", "48", "251", "DE"),
    ("Kiel", "24", "431", "DE"),
    ("Rostock", "18", "381", "DE"),
    ("Erfurt", "99", "361", "DE"),
    ("Heidelberg", "69", "6221", "DE"),
    ("Lüneburg", "21", "4131", "DE"),
    ("Wien", "1", "1", "AT"),
    ("Graz", "8", "316", "AT"),
    ("Zürich", "8", "44", "CH"),
]
CALLING_CODES = {"DE": 49, "AT": 43, "CH": 41}
COMPANY_FORMS = ["GmbH", "KG", "e. K.", "GmbH & Co. KG", "UG (haftungsbeschränkt)"]
COMPANY_KINDS = ["Café", "Rösterei", "Bäckerei", "Hotel", "Feinkost", "Büroservice", "Kanzlei"]

ORDER_TAGS = ["VIP", "Geschenk", "Großkunde", "Eilig", "Reklamation", "Stammkunde", "Messe"]
NOTES = [
    "Kunde wünscht Abstellung bei den Nachbarn (Hausnummer 12).",
    "Rechnung bitte an die Buchhaltung, nicht an den Besteller.",
    "Geschenkverpackung gewünscht, Preise nicht auf den Lieferschein.",
    "Telefonisch bestellt; Rückruf wegen Liefertermin vereinbart.",
    "Zahlungserinnerung per E-Mail verschickt.",
    "Kundin fragt nach Mengenrabatt für die nächste Bestellung.",
    "Lieferadresse ist eine Packstation.",
    "Ware war kurz nicht lieferbar, Kunde ist informiert.",
    "Bitte vor Versand kurz anrufen.",
    "Reklamation: eine Tasse kam zerbrochen an, Ersatz mitgeschickt.",
]
ON_HOLD_NOTES = [
    "Zurückgestellt: Zahlung noch nicht eingegangen.",
    "Zurückgestellt: Adresse unvollständig, Kunde angeschrieben.",
    "Zurückgestellt: wartet auf Nachlieferung vom Großhändler.",
]
CANCEL_COMMENTS = ["Kunde hat storniert.", "Doppelte Bestellung.", "Zahlung nicht eingegangen."]
REFUND_COMMENTS = ["Widerruf innerhalb der Frist.", "Ware beschädigt angekommen.", "Retoure"]

# Final status of an order, by how old it is (younger orders are still in progress).
STATUS_WEIGHTS_RECENT = {
    OrderStatus.DRAFT: 6,
    OrderStatus.PENDING: 30,
    OrderStatus.PROCESSING: 30,
    OrderStatus.ON_HOLD: 8,
    OrderStatus.SHIPPED: 20,
    OrderStatus.COMPLETED: 2,
    OrderStatus.CANCELLED: 4,
}
STATUS_WEIGHTS_OLD = {
    OrderStatus.DRAFT: 1,
    OrderStatus.PENDING: 1,
    OrderStatus.PROCESSING: 1,
    OrderStatus.ON_HOLD: 1,
    OrderStatus.SHIPPED: 3,
    OrderStatus.COMPLETED: 80,
    OrderStatus.CANCELLED: 8,
    OrderStatus.REFUNDED: 5,
}
CHANNEL_WEIGHTS = {
    Channel.WEB: 55,
    Channel.MANUAL: 18,
    Channel.POS: 12,
    Channel.IMPORT: 5,
    Channel.API: 10,
}
PAYMENT_BY_CHANNEL = {
    Channel.WEB: {"paypal": 40, "card": 30, "prepayment": 15, "invoice": 15},
    Channel.MANUAL: {"invoice": 60, "prepayment": 30, "paypal": 10},
    Channel.POS: {"cash": 60, "card": 40},
    Channel.IMPORT: {"paypal": 50, "card": 30, "invoice": 20},
    Channel.API: {"invoice": 50, "card": 25, "paypal": 25},
}
LEAD_SOURCES = {
    None: 20,
    "direct": 20,
    "google": 25,
    "social": 15,
    "newsletter": 10,
    "referral": 7,
    "trade_fair": 3,
}
CARRIERS = {"dhl": 45, "dpd": 15, "hermes": 15, "gls": 10, "deutsche_post": 10, "ups": 5}
COUPON_MINIMUMS = {"VERSANDFREI": Decimal(50), "5EURO": Decimal(25)}
PAID_AT_ORDER = frozenset({"card", "paypal", "cash"})


def _pick(rng: random.Random, weights: dict[Any, int]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _ascii(text: str) -> str:
    text = text.replace("ß", "ss").replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in text.lower() if c.isalnum() or c in ".-")


@dataclass
class OrderPlan:
    """Everything about one demo order, decided before any row is written."""

    created_at: datetime
    status: str
    channel: str
    customer_index: int
    lines: list[tuple[str, int]]
    payment_method: str
    shipping_method: str
    paid: bool
    assignee: str | None
    lead_source: str | None
    tags: list[str]
    coupon: str | None = None
    note: str | None = None
    carrier: str | None = None
    adjust_stock: bool = True
    paid_on_creation: bool = False
    partial_refund: bool = False
    # The statuses the order passes through after being created, in order.
    path: list[str] = field(default_factory=list)
    external_id: str | None = None


@dataclass
class DemoSummary:
    products: int = 0
    customers: int = 0
    coupons: int = 0
    orders: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


class DemoShop:
    """Generates the plan from the seed, then writes it through the services."""

    def __init__(
        self,
        *,
        orders: int = DEFAULT_ORDERS,
        customers: int = DEFAULT_CUSTOMERS,
        seed: int = DEFAULT_SEED,
        now: datetime | None = None,
        password: str = "bestellwerk",
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.rng = random.Random(seed)
        self.order_count = orders
        self.customer_count = max(1, customers)
        self.now = timezone.localtime(now or timezone.now()).replace(second=0, microsecond=0)
        self.password = password
        self.progress = progress or (lambda message: None)

    # ------------------------------------------------------------------ the plan

    def _customers(self) -> list[dict[str, str]]:
        rng = self.rng
        people, seen = [], set()
        while len(people) < self.customer_count:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            city, zip_prefix, area, country = rng.choice(CITIES)
            local = f"{_ascii(first)}.{_ascii(last)}"
            email = f"{local}@example.{rng.choice(['de', 'de', 'com'])}"
            if email in seen:
                email = f"{local}{len(people)}@example.de"
            seen.add(email)
            zip_digits = 4 if country in ("AT", "CH") else 5
            postal_code = (zip_prefix + "".join(rng.choices("0123456789", k=6)))[:zip_digits]
            if country == "DE" and rng.random() < 0.4:
                area = "1" + rng.choice(["51", "52", "60", "70", "76"])
            phone = f"+{CALLING_CODES[country]} {area} {rng.randint(100000, 9999999)}"
            person = {
                "email": email,
                "first_name": first,
                "last_name": last,
                "line1": f"{rng.choice(STREETS)} {rng.randint(1, 120)}",
                "postal_code": postal_code,
                "city": city,
                "country": country,
                "phone": phone,
            }
            if rng.random() < 0.12:
                person["company"] = (
                    f"{rng.choice(COMPANY_KINDS)} {last} {rng.choice(COMPANY_FORMS)}"
                )
                if country == "DE":
                    person["vat_id"] = f"DE{rng.randint(100000000, 999999999)}"
            people.append(person)
        return people

    def _order_times(self) -> list[datetime]:
        """Spread over ~18 months: growing business, busy Novembers and Decembers."""
        rng = self.rng
        days = list(range(HISTORY_DAYS))
        weights = []
        for days_ago in days:
            day = self.now - timedelta(days=days_ago)
            season = {11: 1.8, 12: 2.4, 1: 0.8, 7: 0.8, 8: 0.8}.get(day.month, 1.0)
            weekday = 0.7 if day.weekday() == 6 else 1.0
            growth = 1.0 + (HISTORY_DAYS - days_ago) / HISTORY_DAYS
            weights.append(season * weekday * growth)
        midnight = self.now.replace(hour=0, minute=0, second=0, microsecond=0)
        times = []
        for days_ago in rng.choices(days, weights=weights, k=self.order_count):
            minutes = rng.randint(7 * 60, 22 * 60 - 1)
            when = midnight - timedelta(days=days_ago) + timedelta(minutes=minutes)
            if when > self.now:  # later today: not yet
                when = self.now - timedelta(minutes=rng.randint(5, 300))
            times.append(when)
        return sorted(times)

    def _status_for(self, created_at: datetime) -> str:
        age_days = (self.now - created_at).days
        if age_days <= 3:
            return _pick(self.rng, STATUS_WEIGHTS_RECENT)
        if age_days <= 14:
            weights = dict(STATUS_WEIGHTS_OLD)
            weights.update({OrderStatus.SHIPPED: 30, OrderStatus.COMPLETED: 50})
            return _pick(self.rng, weights)
        return _pick(self.rng, STATUS_WEIGHTS_OLD)

    def _plan(self, customers: list[dict[str, str]], skus: list[str]) -> list[OrderPlan]:
        rng = self.rng
        # A few products sell far more than the rest (a long tail, as in every shop).
        popularity = [1.0 / (rank + 1) ** 0.8 for rank in range(len(skus))]
        shuffled = skus[:]
        rng.shuffle(shuffled)
        regulars = rng.sample(range(len(customers)), k=max(1, len(customers) // 5))
        staff = {None: 40, "sofia": 35, "admin": 15, "lars": 10}
        plans = []
        for index, created_at in enumerate(self._order_times()):
            status = self._status_for(created_at)
            channel = _pick(rng, CHANNEL_WEIGHTS)
            # Regular customers place about half of all orders.
            customer_index = (
                rng.choice(regulars) if rng.random() < 0.5 else rng.randrange(len(customers))
            )
            is_business = "company" in customers[customer_index]
            count = rng.choices([1, 2, 3, 4, 5, 6], weights=[30, 30, 20, 10, 6, 4])[0]
            chosen = []
            while len(chosen) < count:
                sku = rng.choices(shuffled, weights=popularity)[0]
                if sku not in chosen:
                    chosen.append(sku)
            big = is_business and rng.random() < 0.5
            lines = [
                (
                    sku,
                    rng.randint(5, 24)
                    if big
                    else rng.choices([1, 2, 3, 4], weights=[70, 20, 7, 3])[0],
                )
                for sku in chosen
            ]
            payment_method = _pick(rng, PAYMENT_BY_CHANNEL[channel])
            shipping_method = (
                "pickup"
                if channel == Channel.POS
                else rng.choices(["standard", "express", "pickup"], weights=[82, 12, 6])[0]
            )
            tags = []
            if big:
                tags.append("Großkunde")
            if customer_index in regulars and rng.random() < 0.25:
                tags.append("Stammkunde")
            for tag, chance in (("VIP", 0.05), ("Geschenk", 0.08), ("Eilig", 0.04)):
                if rng.random() < chance:
                    tags.append(tag)
            if shipping_method == "express" and "Eilig" not in tags and rng.random() < 0.5:
                tags.append("Eilig")
            plan = OrderPlan(
                created_at=created_at,
                status=status,
                channel=channel,
                customer_index=customer_index,
                lines=lines,
                payment_method=payment_method,
                shipping_method=shipping_method,
                paid=False,
                assignee=_pick(rng, staff),
                lead_source=_pick(rng, LEAD_SOURCES) if channel != Channel.POS else "direct",
                tags=tags,
                note=rng.choice(NOTES) if rng.random() < 0.1 else None,
                carrier=_pick(rng, CARRIERS),
            )
            if channel == Channel.IMPORT:
                plan.external_id = str(50_000 + index)
            plans.append(plan)
        self._cover_every_value(plans)
        for plan in plans:
            self._settle(plan)
            if plan.paid and plan.payment_method in PAID_AT_ORDER and plan.path:
                plan.paid_on_creation = plan.path[0] != OrderStatus.PENDING or rng.random() < 0.5
        self._hand_out_coupons(plans)
        # A little goodwill money back on a few completed orders (partially refunded).
        completed = [p for p in plans if p.status == OrderStatus.COMPLETED and p.paid]
        for plan in completed:
            plan.partial_refund = rng.random() < 0.03
        if completed and not any(p.partial_refund for p in completed):
            rng.choice(completed).partial_refund = True
        return plans

    def _cover_every_value(self, plans: list[OrderPlan]) -> None:
        """Even a small demo shows every status, channel, payment state, assignee and tag."""
        rng = self.rng
        dimensions: list[tuple[str, list[Any]]] = [
            ("status", list(OrderStatus.values)),
            ("channel", list(Channel.values)),
            ("assignee", [None, "sofia", "lars", "admin"]),
            ("lead_source", [code for code in LEAD_SOURCES if code]),
            ("payment_method", ["invoice", "prepayment", "cash", "card", "paypal"]),
            ("shipping_method", ["standard", "express", "pickup"]),
        ]
        for attribute, values in dimensions:
            present = {getattr(plan, attribute) for plan in plans}
            missing = [v for v in values if v not in present]
            for value, plan in zip(
                missing, rng.sample(plans, k=min(len(missing), len(plans))), strict=False
            ):
                setattr(plan, attribute, value)
        present_tags = {tag for plan in plans for tag in plan.tags}
        for tag in ORDER_TAGS:
            if tag not in present_tags and plans:
                rng.choice(plans).tags.append(tag)
        if plans and not any(p.note for p in plans):
            rng.choice(plans).note = NOTES[0]

    def _settle(self, plan: OrderPlan) -> None:
        """Make the chosen details agree with each other, and decide the path of statuses."""
        rng = self.rng
        status = plan.status
        if plan.channel == Channel.POS:
            plan.shipping_method = "pickup"
            if plan.payment_method not in ("cash", "card"):
                plan.payment_method = "cash"
        if status == OrderStatus.SHIPPED:
            plan.shipping_method = (
                "standard" if plan.shipping_method == "pickup" else (plan.shipping_method)
            )
        paid_at_order = plan.payment_method in PAID_AT_ORDER
        if status == OrderStatus.DRAFT:
            plan.paid = False
            plan.path = []
            return
        if plan.channel == Channel.POS and status in (OrderStatus.COMPLETED, OrderStatus.REFUNDED):
            plan.paid = True
            plan.path = [OrderStatus.COMPLETED]
            if status == OrderStatus.REFUNDED:
                plan.path.append(OrderStatus.REFUNDED)
            return
        if plan.channel == Channel.IMPORT and status == OrderStatus.COMPLETED:
            # Imported history: shipped from the old system, its stock long gone.
            plan.paid, plan.adjust_stock, plan.path = True, False, [OrderStatus.COMPLETED]
            return
        if status == OrderStatus.PENDING:
            plan.paid = paid_at_order and rng.random() < 0.3
            plan.path = [OrderStatus.PENDING]
            return
        if status == OrderStatus.CANCELLED:
            plan.paid = False
            plan.path = [OrderStatus.PENDING]
            if rng.random() < 0.3:
                plan.path.append(OrderStatus.PROCESSING)
            plan.path.append(OrderStatus.CANCELLED)
            return
        plan.paid = paid_at_order or plan.payment_method == "prepayment" or rng.random() < 0.85
        if status == OrderStatus.ON_HOLD:
            plan.paid = paid_at_order
            plan.path = [OrderStatus.PENDING, OrderStatus.ON_HOLD]
            return
        start = OrderStatus.PROCESSING if paid_at_order else OrderStatus.PENDING
        path = [start]
        if start == OrderStatus.PENDING:
            path.append(OrderStatus.PROCESSING)
        if status == OrderStatus.PROCESSING:
            plan.path = path
            return
        ships = plan.shipping_method != "pickup"
        if status == OrderStatus.REFUNDED:
            if rng.random() < 0.6:
                path += [OrderStatus.SHIPPED] if ships else []
                path.append(OrderStatus.COMPLETED)
            path.append(OrderStatus.REFUNDED)
            plan.paid = True
            plan.path = path
            return
        if (
            status == OrderStatus.COMPLETED
            and (self.now - plan.created_at).days > SHORT_HISTORY_DAYS
        ):
            # Old history is told in short: created completed and paid, then its parcel.
            plan.paid = plan.paid_on_creation = True
            plan.path = [OrderStatus.COMPLETED]
            return
        if ships:
            path.append(OrderStatus.SHIPPED)
        if status == OrderStatus.COMPLETED or not ships:
            path.append(OrderStatus.COMPLETED)
            plan.paid = True
        plan.status = path[-1]
        plan.path = path

    def _hand_out_coupons(self, plans: list[OrderPlan]) -> None:
        """Coupons only where their rules allow it: once per customer for WILLKOMMEN10."""
        rng = self.rng
        prices = {sku: Decimal(price) for sku, _name, price, _rate in CATALOG}
        welcomed: set[int] = set()
        for plan in plans:
            if plan.channel == Channel.POS or rng.random() > 0.12:
                continue
            code = rng.choice(["WILLKOMMEN10", "VERSANDFREI", "5EURO"])
            subtotal = sum((prices[sku] * quantity for sku, quantity in plan.lines), Decimal(0))
            if subtotal < COUPON_MINIMUMS.get(code, 0):
                continue
            if code == "WILLKOMMEN10":
                if plan.customer_index in welcomed:
                    continue
                welcomed.add(plan.customer_index)
            plan.coupon = code

    # ------------------------------------------------------------------ writing

    def run(self) -> DemoSummary:
        started = timezone.now()
        summary = DemoSummary()
        # The history is not news: nothing is queued; events are marked dispatched below.
        # One transaction: an interrupted demo leaves an empty shop, seeded again next start.
        with (
            override_settings(
                TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
            ),
            transaction.atomic(),
        ):
            admin = self._staff()
            customer_data = self._customers()
            plans = self._plan(customer_data, [sku for sku, *_rest in CATALOG])
            products = self._products(plans, admin)
            summary.coupons = self._coupons()
            customer_ids = self._create_customers(customer_data)
            summary.products, summary.customers = len(products), len(customer_ids)
            api_actor = self._api_actor(admin)
            for start in range(0, len(plans), BATCH_SIZE):
                batch = plans[start : start + BATCH_SIZE]
                numbers = [self._write(plan, customer_ids, api_actor) for plan in batch]
                self._backdate(batch, numbers)
                self.progress(f"{start + len(batch)} / {len(plans)} orders")
            self._backdate_customers(plans, customer_ids)
        summary.orders = len(plans)
        summary.by_status = dict(Tally(plan.status for plan in plans))
        summary.seconds = (timezone.now() - started).total_seconds()
        return summary

    def _staff(self) -> User:
        admin = User.objects.filter(username="admin").first()
        if admin is None:
            admin = User.objects.create_superuser(
                username="admin",
                email="admin@bestellwerk.localhost",
                password=self.password,
                first_name="Demo",
                last_name="Admin",
                role=Role.ADMIN,
            )
        self.staff = {"admin": admin}
        for username, first, last, role in DEMO_STAFF:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create_user(
                    username=username,
                    password=self.password,
                    email=f"{username}@bestellwerk.localhost",
                    first_name=first,
                    last_name=last,
                    role=role,
                    is_staff=False,
                )
            self.staff[username] = user
        return admin

    def _api_actor(self, admin: User) -> Actor:
        token, _raw = create_api_token(user=admin, name="ERP-Anbindung (Demo)")
        return Actor.for_token(token)

    def _products(self, plans: list[OrderPlan], admin: User) -> dict[str, Product]:
        """Stock is what the history needs plus what is left on the shelf today."""
        rng = self.rng
        actor = Actor.for_user(admin)
        held, peak = self._simulate_stock(plans)
        products = {}
        for sku, name, price, vat_rate in CATALOG:
            prefix = sku.split("-")[0]
            tracked = sku not in UNTRACKED_SKUS
            left = rng.randint(1, 4) if sku in LOW_STOCK_SKUS else rng.randint(12, 180)
            if sku in BACKORDER_SKUS and rng.random() < 0.5:
                left = -rng.randint(1, 3)  # sold more than was there: on order
            if not tracked:
                stock = 0
            elif sku in BACKORDER_SKUS:
                stock = max(held[sku] + left, 0)
            else:
                stock = max(held[sku] + left, peak[sku])
            products[sku] = create_product(
                sku=sku,
                name=name,
                price=price,
                vat_rate=vat_rate,
                track_stock=tracked,
                stock_quantity=stock,
                allow_backorder=sku in BACKORDER_SKUS,
                customer_tags=CUSTOMER_TAGS_BY_SKU.get(sku, CUSTOMER_TAGS_BY_PREFIX.get(prefix)),
                actor=actor,
            )
        opened = self.now - timedelta(days=HISTORY_DAYS + 30)
        Product.objects.filter(sku__in=products).update(created_at=opened)
        StockMovement.objects.filter(product__sku__in=products, order__isnull=True).update(
            created_at=opened
        )
        return products

    def _simulate_stock(self, plans: list[OrderPlan]) -> tuple[dict[str, int], dict[str, int]]:
        """Per SKU: units held by the orders at the end, and the most ever out at once."""
        held: dict[str, int] = defaultdict(int)
        peak: dict[str, int] = defaultdict(int)
        for plan in plans:
            if not plan.adjust_stock:
                continue
            holding = any(holds_stock(status) for status in plan.path)
            if not holding:
                continue
            for sku, quantity in plan.lines:
                peak[sku] = max(peak[sku], held[sku] + quantity)
                if holds_stock(plan.path[-1]):
                    held[sku] += quantity
        return held, peak

    def _coupons(self) -> int:
        start = self.now - timedelta(days=HISTORY_DAYS + 1)
        create_coupon(
            code="WILLKOMMEN10",
            kind=CouponKind.PERCENT,
            value="10",
            valid_from=start,
            usage_limit_per_customer=1,
        )
        create_coupon(
            code="VERSANDFREI",
            kind=CouponKind.FREE_SHIPPING,
            min_subtotal=COUPON_MINIMUMS["VERSANDFREI"],
            valid_from=start,
        )
        create_coupon(
            code="5EURO",
            kind=CouponKind.FIXED,
            value="5",
            min_subtotal=COUPON_MINIMUMS["5EURO"],
            valid_from=start,
        )
        last_summer = self.now.replace(month=6, day=1) - timedelta(days=365)
        create_coupon(
            code="SOMMER15",
            kind=CouponKind.PERCENT,
            value="15",
            valid_from=last_summer,
            valid_until=last_summer + timedelta(days=92),
            usage_limit=500,
        )
        return 4

    def _create_customers(self, customer_data: list[dict[str, str]]) -> list[int]:
        return [create_customer(**person).pk for person in customer_data]

    def _actor_for(self, plan: OrderPlan, api_actor: Actor) -> Actor:
        if plan.channel == Channel.WEB:
            return Actor.system("Webshop")
        if plan.channel == Channel.IMPORT:
            return Actor.system("Import WooCommerce")
        if plan.channel == Channel.API:
            return api_actor
        return Actor.for_user(self.staff[plan.assignee or "sofia"])

    def _write(self, plan: OrderPlan, customer_ids: list[int], api_actor: Actor) -> int:
        first = plan.path[0] if plan.path else OrderStatus.DRAFT
        order = create_order(
            actor=self._actor_for(plan, api_actor),
            status=first,
            channel=plan.channel,
            customer_id=customer_ids[plan.customer_index],
            lines=[LineInput(quantity=quantity, sku=sku) for sku, quantity in plan.lines],
            coupon_code=plan.coupon,
            payment_method=plan.payment_method,
            shipping_method=plan.shipping_method,
            assignee=plan.assignee,
            lead_source=plan.lead_source,
            tags=plan.tags,
            adjust_stock=plan.adjust_stock,
            payment_status=Pay.PAID if plan.paid_on_creation else Pay.UNPAID,
            external_source="woocommerce" if plan.external_id else None,
            external_id=plan.external_id,
            external_number=f"WC-{plan.external_id}" if plan.external_id else "",
            created_at=plan.created_at,
        )
        number = order.number
        sales = Actor.for_user(self.staff["sofia"])
        warehouse = Actor.for_user(self.staff["lars"])
        if plan.note:
            add_order_note(number=number, body=plan.note, actor=sales)
        sent_already = first in (OrderStatus.SHIPPED, OrderStatus.COMPLETED)
        if sent_already and plan.shipping_method != "pickup":
            self._ship(plan, number, warehouse)
        for status in plan.path[1:]:
            # Prepayment: the shop starts work once the money is in; invoices are paid later.
            if (
                status == OrderStatus.PROCESSING
                and plan.paid
                and plan.payment_method == "prepayment"
                and order.payment_status != Pay.PAID
            ):
                order = set_payment_status(number=number, payment_status=Pay.PAID, actor=sales)
            if status == OrderStatus.SHIPPED:
                self._ship(plan, number, warehouse)
            comment = ""
            if status == OrderStatus.ON_HOLD:
                add_order_note(number=number, body=self.rng.choice(ON_HOLD_NOTES), actor=sales)
            elif status == OrderStatus.CANCELLED:
                comment = self.rng.choice(CANCEL_COMMENTS)
            elif status == OrderStatus.REFUNDED:
                # The money goes back first (a manual refund: no provider is asked), which
                # marks the order refunded and restocks what it still holds.
                if order.payment_status == Pay.UNPAID:
                    order = set_payment_status(number=number, payment_status=Pay.PAID, actor=sales)
                refund_order(
                    number=number,
                    actor=sales,
                    amount=order.total,
                    reason=self.rng.choice(REFUND_COMMENTS),
                    restock=plan.adjust_stock,
                    set_status_refunded=True,
                )
                continue
            order = set_order_status(
                number=number,
                status=status,
                actor=warehouse if status == OrderStatus.SHIPPED else sales,
                adjust_stock=plan.adjust_stock,
                comment=comment,
            )
        if plan.paid and order.payment_status == Pay.UNPAID:
            order = set_payment_status(number=number, payment_status=Pay.PAID, actor=sales)
        if plan.partial_refund:
            refund_order(
                number=number,
                actor=sales,
                amount=min(order.total, max(Decimal("1.00"), round_money(order.total / 5))),
                reason="Kulanz: Lieferung verspätet.",
            )
        return number

    def _ship(self, plan: OrderPlan, number: int, actor: Actor) -> None:
        add_shipment(
            number=number,
            carrier=plan.carrier,
            tracking_code=self._tracking_code(plan.carrier or "dhl"),
            actor=actor,
        )

    def _tracking_code(self, carrier: str) -> str:
        rng = self.rng
        if carrier in ("dhl", "deutsche_post"):
            return "00340434" + "".join(rng.choices("0123456789", k=12))
        if carrier == "ups":
            return "1Z" + "".join(rng.choices("0123456789ABCDEFGHJKLMNPRSTUVWXYZ", k=16))
        return "".join(rng.choices("0123456789", k=14))

    def _backdate(self, plans: list[OrderPlan], numbers: list[int]) -> None:
        """Move each order's rows from 'now' to when they happened, and mark them dispatched.

        Each service call opens with one event (created, status_changed, …); the events it
        writes after that (stock, coupon, tags) share its time. Steps are spread over the
        hours and days after the order was created, as a shop works through them.
        """
        orders = dict(Order.objects.filter(number__in=numbers).values_list("number", "pk"))
        plan_by_order = {orders[n]: plan for n, plan in zip(numbers, plans, strict=True)}
        events = (
            OrderEvent.objects.filter(order_id__in=plan_by_order)
            .order_by("order_id", "id")
            .values_list("id", "order_id", "type", "data")
        )
        step_time: dict[int, datetime] = {}
        event_times: list[tuple[int, datetime, datetime]] = []
        movement_times: dict[int, list[datetime]] = defaultdict(list)
        shipment_times: dict[int, datetime] = {}
        note_times: dict[int, datetime] = {}
        refund_times: dict[int, datetime] = {}
        placed: dict[int, datetime] = {}
        opened: set[int] = set()
        for event_id, order_id, event_type, data in events:
            when = step_time.get(order_id, plan_by_order[order_id].created_at)
            if event_type in STEP_EVENTS:
                if order_id in opened:
                    when = min(when + timedelta(minutes=self.rng.randint(20, 30 * 60)), self.now)
                opened.add(order_id)
            step_time[order_id] = when
            event_times.append((event_id, when, when))
            if event_type == "created":
                placed[order_id] = when
            elif event_type == "shipment_added":
                shipment_times[data["shipment_id"]] = when
            elif event_type == "note_added":
                note_times[data["note_id"]] = when
            elif event_type == "refunded" and data.get("refund_id"):
                refund_times[data["refund_id"]] = when
            elif event_type in ("stock_deducted", "stock_restocked"):
                movement_times[order_id] += [when] * len(data.get("movements", []))
        _set_columns(OrderEvent, ["created_at", "dispatched_at"], event_times)

        # A stock event lists its movements, written in the same order as the events.
        movement_rows = []
        position: dict[int, int] = defaultdict(int)
        for movement_id, order_id in (
            StockMovement.objects.filter(order_id__in=plan_by_order)
            .order_by("order_id", "id")
            .values_list("id", "order_id")
        ):
            times = movement_times[order_id]
            if times:
                movement_rows.append((movement_id, times[min(position[order_id], len(times) - 1)]))
                position[order_id] += 1
        _set_columns(StockMovement, ["created_at"], movement_rows)
        _set_columns(
            Shipment,
            ["created_at", "updated_at"],
            [(pk, when, when) for pk, when in shipment_times.items()],
        )
        _set_columns(
            Refund,
            ["created_at", "completed_at"],
            [(pk, when, when) for pk, when in refund_times.items()],
        )
        _set_columns(
            OrderNote,
            ["created_at"],
            [
                (pk, note_times.get(pk, plan_by_order[order_id].created_at))
                for pk, order_id in OrderNote.objects.filter(
                    order_id__in=plan_by_order
                ).values_list("id", "order_id")
            ],
        )
        _set_columns(
            Order,
            ["placed_at", "updated_at"],
            [
                (pk, placed.get(pk), step_time.get(pk, plan.created_at))
                for pk, plan in plan_by_order.items()
            ],
        )

    def _backdate_customers(self, plans: list[OrderPlan], customer_ids: list[int]) -> None:
        first_order: dict[int, datetime] = {}
        for plan in plans:
            first_order.setdefault(plan.customer_index, plan.created_at)
        rows = []
        for index, pk in enumerate(customer_ids):
            joined = first_order.get(index, self.now - timedelta(days=3))
            rows.append((pk, joined - timedelta(minutes=5), joined))
        _set_columns(Customer, ["created_at", "updated_at"], rows)


# The events that open a step of an order's history; the others follow in the same moment.
STEP_EVENTS = frozenset(
    {
        "draft_created",
        "created",
        "status_changed",
        "payment_status_changed",
        "shipment_added",
        "note_added",
        "refund_requested",
        "refunded",
    }
)


def _set_columns(model: type[Model], fields: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Set datetime columns row by row: `rows` are (pk, value per field).

    One prepared UPDATE run for every row: much faster than `bulk_update`'s CASE
    expressions for thousands of rows of timestamps (which `auto_now` fields would also
    overwrite on `save`)."""
    if not rows:
        return
    meta = model._meta
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(meta.get_field(f).column)} = %s" for f in fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    adapt = connection.ops.adapt_datetimefield_value
    params = [[*(adapt(value) for value in values), pk] for pk, *values in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def demo_data_present() -> bool:
    """Whether the shop has orders or products already (the demo goes into an empty shop)."""
    return Order.objects.exists() or Product.objects.exists()


def seed_demo_shop(
    *,
    orders: int = DEFAULT_ORDERS,
    customers: int = DEFAULT_CUSTOMERS,
    seed: int = DEFAULT_SEED,
    password: str = "bestellwerk",
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Fill an empty shop with the demo: catalogue, customers, coupons, staff and orders."""
    from bestellwerk.core.errors import ServiceError

    if demo_data_present():
        raise ServiceError(
            "not_empty",
            "The demo shop only goes into an empty database (it has orders or products).",
        )
    return DemoShop(
        orders=orders, customers=customers, seed=seed, password=password, progress=progress
    ).run()


# The amounts a run produced, for checking that a seed repeats itself.
def demo_fingerprint() -> list[tuple[Any, ...]]:
    return list(
        Order.objects.order_by("number").values_list(
            "number", "status", "payment_status", "channel", "total", "customer__email"
        )
    )
