"""The file formats the import reads. Each turns a Table's records into SourceOrders, or the
errors of the orders it could not read, and names the columns it needs."""

from django.utils.translation import gettext as _

from bestellwerk.transfer.formats.bestellwerk import BESTELLWERK
from bestellwerk.transfer.formats.common import Format
from bestellwerk.transfer.formats.shopify import SHOPIFY
from bestellwerk.transfer.formats.woocommerce import WOOCOMMERCE
from bestellwerk.transfer.records import FileError

FORMATS: dict[str, Format] = {f.name: f for f in (BESTELLWERK, SHOPIFY, WOOCOMMERCE)}


def detect_format(columns: list[str], requested: str = "auto") -> Format:
    """The format named, or the one whose identifying columns the header has."""
    if requested != "auto":
        return FORMATS[requested]
    present = set(columns)
    for candidate in FORMATS.values():
        if candidate.matches(present):
            return candidate
    raise FileError(
        _(
            "The format of the file is not known: its header matches neither Shopify's nor "
            "WooCommerce's order export nor Bestellwerk's own. Columns found: %(columns)s"
        )
        % {"columns": ", ".join(columns[:12])}
    )
