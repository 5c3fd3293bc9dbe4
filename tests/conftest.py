"""Fixtures that build on each other: staff users, tokens, products, orders."""

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings

from bestellwerk.accounts.models import Role, User
from bestellwerk.accounts.services import create_api_token
from bestellwerk.catalog.services import create_product
from bestellwerk.core.actors import Actor
from bestellwerk.core.row_cache import forget_all_rows
from bestellwerk.orders.inputs import LineInput
from bestellwerk.orders.services import create_order

# One Chromium for the whole run, for every package that drives a browser.
pytest_plugins = ["tests.browser_support"]

requires_postgres = pytest.mark.skipif(
    settings.IS_SQLITE, reason="needs PostgreSQL: run with DATABASE_URL set (CI does)"
)


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing() -> Iterator[None]:
    """PBKDF2's deliberate slowness protects real passwords; in tests it only costs minutes."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def fresh_failure_counters() -> Iterator[None]:
    """Wrong API tokens are counted per address in the cache, settings rows are cached per
    process: each test starts from none."""
    cache.clear()
    forget_all_rows()
    yield
    cache.clear()
    forget_all_rows()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded and produced files (job sources and results) go to the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def admin_user(db) -> User:
    return User.objects.create_user(
        username="anna", password="pw-anna-123", role=Role.ADMIN, first_name="Anna", is_staff=True
    )


@pytest.fixture
def sales_user(db) -> User:
    return User.objects.create_user(username="sam", password="pw-sam-12345", role=Role.SALES)


@pytest.fixture
def warehouse_user(db) -> User:
    return User.objects.create_user(username="wim", password="pw-wim-12345", role=Role.WAREHOUSE)


@pytest.fixture
def actor(admin_user) -> Actor:
    return Actor.for_user(admin_user)


@pytest.fixture
def coffee(actor):
    return create_product(
        sku="KAF-1",
        name="Kaffee Crema 1 kg",
        price="19.90",
        vat_rate="7",
        stock_quantity=10,
        actor=actor,
    )


@pytest.fixture
def mug(actor):
    return create_product(
        sku="TAS-1",
        name="Tasse Steingut",
        price="9.90",
        vat_rate="19",
        stock_quantity=5,
        actor=actor,
    )


@pytest.fixture
def billing() -> dict[str, str]:
    return {
        "first_name": "Erika",
        "last_name": "Mustermann",
        "line1": "Hauptstraße 1",
        "postal_code": "10115",
        "city": "Berlin",
        "country": "DE",
        "email": "erika@example.de",
        "phone": "+49 30 123456",
    }


@pytest.fixture
def order(actor, coffee, mug, billing):
    """A pending order: 2 × coffee, 1 × mug, standard shipping."""
    return create_order(
        actor=actor,
        billing_address=billing,
        lines=[LineInput(quantity=2, sku=coffee.sku), LineInput(quantity=1, sku=mug.sku)],
        payment_method="invoice",
        shipping_method="standard",
    )


def api_client_for(user: User):
    from django.test import Client

    _token, raw = create_api_token(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.fixture
def admin_api(admin_user):
    return api_client_for(admin_user)


@pytest.fixture
def sales_api(sales_user):
    return api_client_for(sales_user)


@pytest.fixture
def warehouse_api(warehouse_user):
    return api_client_for(warehouse_user)
