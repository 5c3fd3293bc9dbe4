"""How an import appears on an order's timeline."""

from typing import Any

from django.utils.translation import gettext as _

SOURCE_NAMES = {"shopify": "Shopify", "woocommerce": "WooCommerce", "bestellwerk": "Bestellwerk"}


def describe_imported(data: dict[str, Any]) -> str:
    values = {
        "source": SOURCE_NAMES.get(data.get("source", ""), data.get("source", "")),
        "number": data.get("external_number", ""),
        "total": data.get("total", ""),
    }
    if data.get("updated"):
        return _("Updated from %(source)s order %(number)s (total %(total)s)") % values
    return _("Imported from %(source)s order %(number)s (total %(total)s)") % values
