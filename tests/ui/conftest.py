"""Django test clients signed in as each role; orders; a shop with hostile text."""

from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.test import Client

from bestellwerk.accounts.models import Role, User
from bestellwerk.accounts.services import create_api_token
from bestellwerk.catalog.services import create_product
from bestellwerk.core.actors import Actor
from bestellwerk.core.models import ShopSettings
from bestellwerk.customers.services import create_customer
from bestellwerk.notifications.models import EmailTemplate
from bestellwerk.orders.inputs import ADDRESS_FIELD_LENGTHS, BILLING_FIELD_LENGTHS, LineInput
from bestellwerk.orders.models import Order
from bestellwerk.orders.services import (
    add_order_note,
    add_shipment,
    create_order,
    set_order_status,
    update_order,
)
from bestellwerk.payments.services import (
    record_manual_payment,
    refund_order,
    send_payment_link,
    void_payment,
)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_client_ui(admin_user) -> Client:
    return client_for(admin_user)


@pytest.fixture
def sales_client(sales_user) -> Client:
    return client_for(sales_user)


@pytest.fixture
def warehouse_client(warehouse_user) -> Client:
    return client_for(warehouse_user)


@pytest.fixture
def make_order(actor, coffee, mug, billing):
    """Create a placed order; keyword arguments go to create_order."""
    from bestellwerk.orders.inputs import LineInput
    from bestellwerk.orders.services import create_order
    from bestellwerk.payments.services import set_payment_status

    def make(
        *,
        email: str = "erika@example.de",
        last_name: str = "Mustermann",
        payment_status: str = "unpaid",
        **kwargs,
    ):
        fields = {
            "billing_address": {**billing, "email": email, "last_name": last_name},
            "lines": [LineInput(quantity=1, sku=mug.sku)],
            "payment_method": "invoice",
            "shipping_method": "standard",
            **kwargs,
        }
        order = create_order(actor=actor, **fields)
        if payment_status == "paid":
            order = set_payment_status(number=order.number, payment_status="paid", actor=actor)
        return order

    return make


# A shop with hostile text in every field (tests/ui/test_hostile_input.py, and in the browser
# tests/browser/test_content_security_policy.py).

# Valid (a quoted local part may hold markup), so it is stored and shown.
HOSTILE_EMAIL = '"\\"><img/src=x/onerror=alert(1)>"@example.de'
# The text fields of addresses and their limits; the country is a two-letter ISO code and
# the e-mail address is HOSTILE_EMAIL.
ADDRESS_LIMITS = {k: v for k, v in ADDRESS_FIELD_LENGTHS.items() if k != "country"}
BILLING_LIMITS = {k: v for k, v in BILLING_FIELD_LENGTHS.items() if k not in ("country", "email")}


def fit(payload: str, limit: int) -> str:
    return payload[:limit]


@dataclass
class HostileShop:
    """What was written, and where to look."""

    payload: str
    written: set[str] = field(default_factory=set)
    order: Order | None = None
    card_order: Order | None = None
    customer_id: int = 0
    pay_paths: list[str] = field(default_factory=list)
    email_template: EmailTemplate | None = None

    def text(self, limit: int) -> str:
        value = fit(self.payload, limit)
        self.written.add(value)
        return value

    def address(self, limits: dict[str, int]) -> dict[str, str]:
        return {name: self.text(limit) for name, limit in limits.items()}


@pytest.fixture
def hostile_admin(payload) -> User:
    return User.objects.create_user(
        username="hostile-admin",
        password="pw-hostile-123",
        role=Role.ADMIN,
        is_staff=True,
        is_superuser=True,
        first_name=fit(payload, 150),
        last_name=fit(payload, 150),
    )


@pytest.fixture
def hostile_admin_client(hostile_admin) -> Client:
    client = Client()
    client.force_login(hostile_admin)
    return client


@pytest.fixture
def hostile_shop(payload, hostile_admin, hostile_admin_client, settings) -> HostileShop:
    """The `payload` (a fixture of the test) in every text field that staff, customers and
    integrations write, each cut to its limit, through the services and the admin's forms:
    both addresses of an order, a custom line, a product and the customer tag it gives, a
    customer record, a note (by an API token of that name), an order tag, a parcel's
    carrier and tracking code, payment references, a void's and a refund's reason, a status
    change's comment, the staff user's name, the shop's name, an e-mail template's name,
    subject and text. A second order, by card and unpaid, has a payment link too."""
    settings.EMAIL_BACKEND = "bestellwerk.notifications.backends.LocalOutboxBackend"
    settings.PAYMENTS_DEMO_CHECKOUT = True
    settings.STRIPE_SECRET_KEY = ""
    shop = HostileShop(payload=payload)
    shop.written.update({fit(payload, 150), HOSTILE_EMAIL})
    actor = Actor.for_user(hostile_admin)
    token, _raw = create_api_token(user=hostile_admin, name=shop.text(100))

    product = create_product(
        sku="HOSTILE-1",
        name=shop.text(200),
        price="19.90",
        stock_quantity=50,
        customer_tags=[shop.text(50)],
        actor=actor,
    )
    shop.customer_id = create_customer(email="kunde@example.de", **shop.address(BILLING_LIMITS)).pk
    custom_line = LineInput(
        quantity=1, name=shop.text(200), unit_price=Decimal("5.00"), vat_rate=Decimal("19")
    )
    order = create_order(
        actor=actor,
        status="processing",
        billing_address={**shop.address(BILLING_LIMITS), "email": HOSTILE_EMAIL},
        shipping_address=shop.address(ADDRESS_LIMITS),
        shipping_same_as_billing=False,
        lines=[LineInput(quantity=2, sku=product.sku), custom_line],
        payment_method="invoice",
        shipping_method="standard",
        tags=[shop.text(50)],
    )
    number = order.number
    update_order(number=number, actor=actor, assignee=hostile_admin.username)
    add_order_note(number=number, body=shop.text(5000), actor=Actor.for_token(token))
    shop.pay_paths.append(send_payment_link(number=number, actor=actor).url)
    order = Order.objects.get(pk=order.pk)
    record_manual_payment(number=number, actor=actor, amount=order.total, reference=shop.text(255))
    extra = record_manual_payment(
        number=number, actor=actor, amount="1.00", reference=shop.text(255)
    )
    void_payment(number=number, payment_id=extra.pk, reason=shop.text(500), actor=actor)
    refund_order(
        number=number, actor=actor, amount="1.00", reason=shop.text(500), notify_customer=True
    )
    add_shipment(
        number=number, actor=actor, carrier_name=shop.text(100), tracking_code=shop.text(100)
    )
    set_order_status(
        number=number,
        status="shipped",
        comment=shop.text(5000),
        notify_customer=True,
        actor=actor,
    )
    shop.order = Order.objects.get(pk=order.pk)

    shop.card_order = create_order(
        actor=actor,
        billing_address={**shop.address(BILLING_LIMITS), "email": "karte@example.de"},
        lines=[custom_line],
        payment_method="card",
    )
    shop.pay_paths.append(send_payment_link(number=shop.card_order.number, actor=actor).url)

    ShopSettings.load()
    shop_settings = {
        "shop_name": shop.text(120),
        "currency": "EUR",
        "default_language": "de",
        "admin_emails": "",
        "low_stock_threshold": "5",
    }
    response = hostile_admin_client.post("/admin/core/shopsettings/1/change/", shop_settings)
    assert response.status_code == 302, response.content.decode()[:2000]
    template_form = {
        "code": "hostile_kind",
        "language": "de",
        "name": shop.text(120),
        "is_active": "on",
        "subject": shop.text(200),
        "body_text": shop.text(20000),
        "body_html": "",
    }
    response = hostile_admin_client.post("/admin/notifications/emailtemplate/add/", template_form)
    assert response.status_code == 302, response.content.decode()[:2000]
    shop.email_template = EmailTemplate.objects.get(code="hostile_kind")
    return shop
