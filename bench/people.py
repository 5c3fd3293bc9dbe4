"""Generated customers: distinct people with German names (a few rare ones), e-mails, phone
numbers written the ways people write them, and addresses; some companies."""

import random
from dataclasses import dataclass
from datetime import datetime

from bestellwerk.demo.data import (
    CALLING_CODES,
    CITIES,
    COMPANY_FORMS,
    COMPANY_KINDS,
    FIRST_NAMES,
    LAST_NAMES,
    STREETS,
)
from bestellwerk.demo.people import ascii_name

MORE_STREETS = [
    "Friedrichstraße", "Kastanienallee", "Am Hafen", "Lessingstraße", "Uhlandstraße",
    "Parkstraße", "Wiesenweg", "Talstraße", "Kantstraße", "Heinestraße", "Am Mühlbach",
    "Brunnenstraße", "Marktplatz", "Schlossallee", "Ahornweg", "Tannenweg", "Weinbergstraße",
    "Sonnenstraße", "Industriestraße", "Jahnstraße", "Poststraße", "Königsallee",
]  # fmt: skip
# Rare surnames: a stem and an ending, each pair shared by only a handful of customers.
RARE_STEMS = [
    "Adl", "Bärn", "Eich", "Falk", "Gött", "Hirsch", "Kalt", "Lind", "Mar", "Ober", "Pf",
    "Rein", "Sand", "Stein", "Tann", "Uhl", "Wend", "Zell", "Brück", "Dörr", "Esch", "Frick",
    "Grieß", "Hag", "Imm", "Kern", "Löff", "Mös", "Nagl", "Quirl", "Rüd", "Schw", "Trautw",
    "Vöh", "Wack", "Zieg",
]  # fmt: skip
RARE_ENDINGS = [
    "er", "inger", "hoff", "mann", "bach", "berg", "meier", "ke", "loh", "wald", "hausen",
    "brink", "stedt", "ler", "huber", "reuther", "eder", "sperger",
]  # fmt: skip
MORE_FIRST_NAMES = [
    "Adelheid", "Balthasar", "Cornelius", "Edeltraud", "Friedemann", "Gisela", "Hildegard",
    "Ignaz", "Jolanda", "Kunigunde", "Leopold", "Mechthild", "Notburga", "Ottokar", "Philippa",
    "Quirin", "Roswitha", "Siegfried", "Theodora", "Veit", "Wilhelmine", "Xaver", "Zenzi",
]  # fmt: skip
DOMAINS = ["example.de", "example.com", "example.org", "example.net", "beispiel.de", "mail.test"]
MOBILE_PREFIXES = ["151", "152", "157", "160", "162", "170", "171", "172", "175", "176", "177"]
RARE_SHARE = 0.12  # customers with a rare surname
COMPANY_SHARE = 0.08


@dataclass
class Person:
    """A customer's data, as the customers table and an order's address snapshot hold it."""

    id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    line1: str
    postal_code: str
    city: str
    country: str
    company: str = ""
    vat_id: str = ""

    def address(self, *, with_email: bool = True) -> dict[str, str]:
        address = {
            "first_name": self.first_name,
            "last_name": self.last_name,
            "line1": self.line1,
            "postal_code": self.postal_code,
            "city": self.city,
            "country": self.country,
            "phone": self.phone,
        }
        if self.company:
            address["company"] = self.company
        if with_email and self.email:
            address["email"] = self.email
        return address


class PeopleMaker:
    """Makes the customers with ids from `first_id` on (their e-mails carry the id: distinct)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.first_names = FIRST_NAMES + MORE_FIRST_NAMES
        # Zipf-like: Müller is common, Rossi is not.
        self.last_weights = [1 / (rank + 3) for rank in range(len(LAST_NAMES))]
        self.first_weights = [
            1.0 if name in FIRST_NAMES else 0.05 for name in self.first_names
        ]  # the old-fashioned extra names are rare
        self.streets = STREETS + MORE_STREETS

    def person(self, customer_id: int) -> Person:
        rng = self.rng
        first = rng.choices(self.first_names, self.first_weights)[0]
        if rng.random() < RARE_SHARE:
            last = rng.choice(RARE_STEMS) + rng.choice(RARE_ENDINGS)
            if rng.random() < 0.1:
                last = f"{last}-{rng.choice(LAST_NAMES)}"
        else:
            last = rng.choices(LAST_NAMES, self.last_weights)[0]
        city, postal_prefix, area, country = rng.choice(CITIES)
        digits = 5 if country == "DE" else 4
        postal = postal_prefix + "".join(rng.choices("0123456789", k=digits - len(postal_prefix)))
        number = rng.randint(1, 180)
        house = f"{number}{rng.choice('abc')}" if rng.random() < 0.06 else str(number)
        company = vat_id = ""
        if rng.random() < COMPANY_SHARE:
            company = f"{rng.choice(COMPANY_KINDS)} {last} {rng.choice(COMPANY_FORMS)}"
            vat_id = f"{country}{rng.randint(100_000_000, 999_999_999)}"
        return Person(
            id=customer_id,
            first_name=first,
            last_name=last,
            email=self.email(customer_id, first, last, company),
            phone=self.phone(country, area),
            line1=f"{rng.choice(self.streets)} {house}",
            postal_code=postal,
            city=city,
            country=country,
            company=company,
            vat_id=vat_id,
        )

    def email(self, customer_id: int, first: str, last: str, company: str) -> str:
        rng = self.rng
        f, la = ascii_name(first), ascii_name(last)
        domain = rng.choice(DOMAINS)
        if company:
            return f"einkauf{customer_id}@{ascii_name(company.split()[1])}-{customer_id}.example"
        style = rng.randrange(4)
        if style == 0:
            return f"{f}.{la}.{customer_id}@{domain}"
        if style == 1:
            return f"{f[0]}.{la}{customer_id}@{domain}"
        if style == 2:
            return f"{la}{customer_id}@{domain}"
        return f"{f}{customer_id % 100:02d}.{la}{customer_id // 100}@{domain}"

    def phone(self, country: str, area: str) -> str:
        rng = self.rng
        if rng.random() < 0.15:
            return ""
        code = CALLING_CODES[country]
        if country == "DE" and rng.random() < 0.6:
            area = rng.choice(MOBILE_PREFIXES)
        number = str(rng.randint(1_000_000, 9_999_999))
        style = rng.randrange(5)
        if style == 0:
            return f"+{code} {area} {number}"
        if style == 1:
            return f"0{area} {number}"
        if style == 2:
            return f"0{area}/{number}"
        if style == 3:
            return f"+{code} (0){area} {number[:3]} {number[3:]}"
        return f"00{code} {area} {number}"


CUSTOMER_FIELDS = [
    "id", "email", "first_name", "last_name", "company", "phone", "vat_id", "line1", "line2",
    "postal_code", "city", "region", "country", "language", "created_at", "updated_at",
]  # fmt: skip


def customer_row(person: Person, created_at: datetime) -> tuple:
    """The customers table row of `person`, its search document built by the model."""
    row = (
        person.id, person.email, person.first_name, person.last_name, person.company,
        person.phone, person.vat_id, person.line1, "", person.postal_code, person.city, "",
        person.country, "", created_at, created_at,
    )  # fmt: skip
    return (*row, customer_search_document(person))


def customer_search_document(person: Person) -> str:
    from bestellwerk.customers.models import Customer

    return Customer(
        email=person.email,
        first_name=person.first_name,
        last_name=person.last_name,
        company=person.company,
        phone=person.phone,
        line1=person.line1,
        postal_code=person.postal_code,
        city=person.city,
    ).build_search_document()


def load_people(ids: list[int] | None = None) -> dict[int, Person]:
    """Customers in the database as `Person` (for top-ups: orders of earlier customers)."""
    from bestellwerk.customers.models import Customer

    rows = Customer.objects.order_by("pk")
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    fields = [
        "id", "first_name", "last_name", "email", "phone", "line1", "postal_code", "city",
        "country", "company", "vat_id",
    ]  # fmt: skip
    return {
        row[0]: Person(*(value or "" if i else value for i, value in enumerate(row)))
        for row in rows.values_list(*fields).iterator(chunk_size=10_000)
    }
