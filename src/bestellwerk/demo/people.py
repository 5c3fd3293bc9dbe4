"""Who works in the demo shop and who buys there: its staff and its customers."""

import random
import unicodedata

from bestellwerk.accounts.models import Role, User
from bestellwerk.customers.services import create_customer
from bestellwerk.demo.data import (
    CALLING_CODES,
    CITIES,
    COMPANY_FORMS,
    COMPANY_KINDS,
    FIRST_NAMES,
    LAST_NAMES,
    STREETS,
)

DEMO_ADMIN = "admin"
# username, first name, last name, role
DEMO_STAFF = [
    ("sofia", "Sofia", "Becker", Role.SALES),
    ("lars", "Lars", "Hansen", Role.WAREHOUSE),
]


def get_or_create_admin(password: str) -> tuple[User, bool]:
    """The demo admin, and whether it was created now (an existing one keeps its password)."""
    admin = User.objects.filter(username=DEMO_ADMIN).first()
    if admin is not None:
        return admin, False
    admin = User.objects.create_superuser(
        username=DEMO_ADMIN,
        email="admin@bestellwerk.localhost",
        password=password,
        first_name="Demo",
        last_name="Admin",
        role=Role.ADMIN,
    )
    return admin, True


def create_staff(password: str) -> dict[str, User]:
    """The admin and the demo staff by username; those who exist already are kept."""
    admin, _created = get_or_create_admin(password)
    staff = {DEMO_ADMIN: admin}
    for username, first, last, role in DEMO_STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username=username,
                password=password,
                email=f"{username}@bestellwerk.localhost",
                first_name=first,
                last_name=last,
                role=role,
                is_staff=False,
            )
        staff[username] = user
    return staff


def plan_customers(rng: random.Random, count: int) -> list[dict[str, str]]:
    """The details of `count` customers, for `create_customer`."""
    people, seen = [], set()
    while len(people) < count:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        city, zip_prefix, area, country = rng.choice(CITIES)
        local = f"{ascii_name(first)}.{ascii_name(last)}"
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
            person["company"] = f"{rng.choice(COMPANY_KINDS)} {last} {rng.choice(COMPANY_FORMS)}"
            if country == "DE":
                person["vat_id"] = f"DE{rng.randint(100000000, 999999999)}"
        people.append(person)
    return people


def create_customers(people: list[dict[str, str]]) -> list[int]:
    """The customers' ids, in the order of `people`."""
    return [create_customer(**person).pk for person in people]


def ascii_name(text: str) -> str:
    """A name as it goes into an e-mail address: "Jörg Weiß" → "joergweiss"."""
    text = text.replace("ß", "ss").replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in text.lower() if c.isalnum() or c in ".-")
