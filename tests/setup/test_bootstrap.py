"""`bootstrap` on every start: the first run loads the demo, the next ones change nothing."""

from io import StringIO

from django.core.management import call_command

from bestellwerk.accounts.models import User
from bestellwerk.catalog.models import Product, StockMovement
from bestellwerk.customers.models import Customer
from bestellwerk.orders.models import Order, OrderEvent


def _counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "products": Product.objects.count(),
        "customers": Customer.objects.count(),
        "orders": Order.objects.count(),
        "events": OrderEvent.objects.count(),
        "movements": StockMovement.objects.count(),
    }


def _bootstrap(*args: str) -> str:
    out = StringIO()
    call_command("bootstrap", *args, stdout=out)
    return out.getvalue()


def test_bootstrap_loads_the_demo_once_and_prints_the_logins(db):
    # Given an empty database, when bootstrap runs
    first = _bootstrap("--demo-orders", "25")
    # Then the demo shop is there and the logins are printed
    assert "Sign in as 'admin' with password 'bestellwerk'" in first
    assert "'sofia'" in first and "'lars'" in first
    assert Order.objects.count() == 25
    assert User.objects.get(username="admin").check_password("bestellwerk")
    before = _counts()
    # When it runs again, nothing is created
    second = _bootstrap("--demo-orders", "25")
    assert _counts() == before
    assert "no demo data loaded" in second
    assert "Sign in as 'admin'" in second


def test_bootstrap_without_demo_data_only_creates_the_admin(db):
    output = _bootstrap("--no-demo-data")
    assert User.objects.filter(username="admin", is_superuser=True).exists()
    assert not Order.objects.exists() and not Product.objects.exists()
    assert "sofia" not in output


def test_bootstrap_leaves_a_shop_with_products_alone(db, coffee):
    # Given a shop with a product but no orders yet (a real shop starting out)
    _bootstrap("--demo-orders", "10")
    # Then no demo data is mixed into it
    assert list(Product.objects.values_list("sku", flat=True)) == ["KAF-1"]
    assert not Order.objects.exists()


def test_bootstrap_takes_the_password_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("BESTELLWERK_DEMO_PASSWORD", "geheim-123")
    output = _bootstrap("--no-demo-data")
    assert "password 'geheim-123'" in output
    assert User.objects.get(username="admin").check_password("geheim-123")
