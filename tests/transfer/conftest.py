"""Files to import, built the way the platforms write them, and the products they name."""

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from bestellwerk.catalog.services import create_product
from bestellwerk.core.actors import Actor
from bestellwerk.transfer.preparing import ImportOptions
from bestellwerk.transfer.services import ImportSummary, import_orders

FILES = Path(__file__).parent / "files"


def shopify_columns() -> list[str]:
    with (FILES / "shopify_orders.csv").open(encoding="utf-8") as handle:
        return next(csv.reader(handle))


def woocommerce_columns() -> list[str]:
    with (FILES / "woocommerce_orders.csv").open(encoding="cp1252") as handle:
        return next(csv.reader(handle, delimiter=";"))


def csv_bytes(
    columns: list[str],
    rows: list[dict[str, str]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> bytes:
    """A CSV file with `columns`; each row names only the cells it fills."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(columns)
    for row in rows:
        unknown = set(row) - set(columns)
        assert not unknown, f"not a column: {unknown}"
        writer.writerow([row.get(column, "") for column in columns])
    return out.getvalue().encode(encoding)


def shopify_order(name: str, **cells: str) -> dict[str, str]:
    """The first row of a paid one-line Shopify order, with `cells` changed."""
    return {
        "Name": name,
        "Email": "kunde@example.de",
        "Financial Status": "paid",
        "Fulfillment Status": "unfulfilled",
        "Currency": "EUR",
        "Subtotal": "10.00",
        "Shipping": "0.00",
        "Taxes": "1.60",
        "Total": "10.00",
        "Created at": "2024-01-05 10:00:00 +0100",
        "Lineitem quantity": "1",
        "Lineitem name": "Tasse",
        "Lineitem price": "10.00",
        "Lineitem sku": "TAS-1",
        "Billing Name": "Karl Kunde",
        "Billing Country": "DE",
        "Tax 1 Name": "MwSt 19%",
        "Tax 1 Value": "1.60",
        **cells,
    }


@pytest.fixture
def shop_products(actor):
    """The products the sample files name, by SKU."""
    return {
        sku: create_product(
            sku=sku, name=name, price=price, vat_rate=rate, stock_quantity=50, actor=actor
        )
        for sku, name, price, rate in (
            ("KAF-ESP-1000", "Espresso Bohnen 1 kg", "19.90", "19"),
            ("TEE-ASSAM", "Bio Tee Assam", "10.00", "7"),
            ("ZUB-MK-1", "Milchkännchen", "4.90", "19"),
        )
    }


@pytest.fixture
def run_import(admin_user) -> Callable[..., ImportSummary]:
    """Import bytes (or a sample file by name) as the CLI would, with options."""

    def run(source: bytes | str, **options) -> ImportSummary:
        data = (FILES / source).read_bytes() if isinstance(source, str) else source
        return import_orders(
            stream=io.BytesIO(data),
            options=ImportOptions(**options),
            actor=Actor.for_user(admin_user),
        )

    return run
