"""Parsing the order page's forms into the shapes the order services take.

The forms only turn posted text into typed values (and bound their length); every business
rule (quantities, prices, VAT rates, addresses, transitions) is checked by the services.
"""

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from bestellwerk.orders.inputs import ADDRESS_FIELD_LENGTHS, BILLING_FIELD_LENGTHS, LineInput

# The address fields the page edits, in the order they are shown.
ADDRESS_FIELDS: tuple[str, ...] = tuple(ADDRESS_FIELD_LENGTHS)
BILLING_FIELDS: tuple[str, ...] = tuple(BILLING_FIELD_LENGTHS)

FIELD_LABELS: dict[str, Any] = {
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "company": _("Company"),
    "line1": _("Street and number"),
    "line2": _("Address line 2"),
    "postal_code": _("Postal code"),
    "city": _("City"),
    "region": _("Region"),
    "country": _("Country (ISO code, e.g. DE)"),
    "phone": _("Phone"),
    "email": _("E-mail"),
    "vat_id": _("VAT ID"),
}

# Posted line fields: one value per line, in the order of the cart table.
LINE_FIELDS = ("line_sku", "line_name", "line_price", "line_vat", "line_qty")


def parse_quantity(raw: str | None) -> int:
    """A posted quantity as int; anything else becomes 0, which the service refuses with
    its own bound ('a whole number from 1 to …')."""
    try:
        return int((raw or "").strip())
    except ValueError:
        return 0


def normalize_amount(raw: str | None) -> str | None:
    """'12,50' (German) and '12.50' both mean 12.50; the service parses and bounds it."""
    text = (raw or "").strip().replace(" ", "")
    if not text:
        return None
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    return text


def parse_cart_lines(data: QueryDict) -> list[LineInput]:
    """The cart as posted: product lines keep their copied name and price, custom lines
    carry name, price and VAT rate."""
    columns = [data.getlist(name) for name in LINE_FIELDS]
    count = len(columns[0])
    if any(len(column) != count for column in columns):
        return [LineInput(quantity=0)] * max(len(column) for column in columns)
    lines = []
    for sku, name, price, vat, quantity in zip(*columns, strict=True):
        lines.append(
            LineInput(
                quantity=parse_quantity(quantity),
                sku=sku.strip() or None,
                name=name.strip() or None,
                unit_price=normalize_amount(price),
                vat_rate=None if sku.strip() else normalize_amount(vat),
            )
        )
    return lines


def remove_line(lines: list[LineInput], index: int) -> list[LineInput]:
    return [line for position, line in enumerate(lines) if position != index]


def add_product_line(lines: list[LineInput], sku: str) -> list[LineInput]:
    """Add one unit of `sku`: a second click on the same product raises its quantity."""
    for position, line in enumerate(lines):
        if line.sku == sku:
            bumped = LineInput(
                quantity=line.quantity + 1,
                sku=line.sku,
                name=line.name,
                unit_price=line.unit_price,
                vat_rate=line.vat_rate,
            )
            return [*lines[:position], bumped, *lines[position + 1 :]]
    return [*lines, LineInput(quantity=1, sku=sku)]


def parse_custom_line(data: QueryDict) -> LineInput:
    return LineInput(
        quantity=parse_quantity(data.get("custom_qty") or "1"),
        name=(data.get("custom_name") or "").strip(),
        unit_price=normalize_amount(data.get("custom_price")),
        vat_rate=normalize_amount(data.get("custom_vat")),
    )


def parse_address(data: QueryDict, prefix: str, fields: tuple[str, ...]) -> dict[str, Any]:
    """An address from `<prefix>-<field>` inputs; the service strips, bounds and validates."""
    return {field: data.get(f"{prefix}-{field}", "") for field in fields}


def address_rows(
    address: dict[str, str], prefix: str, fields: tuple[str, ...]
) -> list[dict[str, str]]:
    """The inputs of an address editor: name, label and current value of each field."""
    return [
        {
            "name": f"{prefix}-{field}",
            "label": str(FIELD_LABELS[field]),
            "value": address.get(field, ""),
        }
        for field in fields
    ]


def parse_bool(data: QueryDict, name: str) -> bool:
    return data.get(name, "") in {"1", "on", "true", "yes"}


def parse_version(data: QueryDict) -> int | None:
    """The order version the form was rendered with (None when missing or garbled)."""
    try:
        return int(data.get("version", ""))
    except ValueError:
        return None


class NewCustomerForm(forms.Form):
    """A customer created inline on the order page (the phone order of a new customer)."""

    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    company = forms.CharField(label=_("Company"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=254, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    line1 = forms.CharField(label=_("Street and number"), max_length=150, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    country = forms.CharField(label=_("Country"), max_length=2, required=False, initial="DE")

    prefix = "new-customer"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not any(cleaned.get(f) for f in ("first_name", "last_name", "company", "email")):
            raise forms.ValidationError(_("Give at least a name, a company or an e-mail address."))
        return cleaned

    def customer_fields(self) -> dict[str, str]:
        """The non-empty fields, as `create_customer` takes them."""
        return {
            field: value.strip().upper() if field == "country" else value.strip()
            for field, value in self.cleaned_data.items()
            if value and field != "email"
        }
