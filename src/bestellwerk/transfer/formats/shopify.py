"""Shopify's order export: one row per line item; the order's own fields on its first row."""

from decimal import Decimal

from django.utils.translation import gettext as _

from bestellwerk.core.money import ZERO, round_money, split_proportionally
from bestellwerk.transfer import cells
from bestellwerk.transfer.formats.common import Format, Record, address, cell_error_at, with_name
from bestellwerk.transfer.records import (
    CellError,
    SourceLine,
    SourceOrder,
    SourcePayment,
    SourceRefund,
)

PAID = {"paid", "partially_refunded", "refunded"}
AWAITING = {"pending", "authorized", "", "expired"}
KNOWN_FINANCIAL = PAID | AWAITING | {"partially_paid", "voided"}
# Shopify's source names for the channels they mean here; others are a lead source.
CHANNELS = {"web": "web", "pos": "pos", "shopify_draft_order": "manual", "api": "api"}
TAX_SLOTS = range(1, 6)


def _order_key(values: dict[str, str]) -> str:
    return values.get("Name", "").strip()


def _address_column(prefix: str):
    names = {
        "company": "Company",
        "line1": "Address1",
        "line2": "Address2",
        "postal_code": "Zip",
        "city": "City",
        "region": "Province",
        "country": "Country",
        "phone": "Phone",
    }
    return lambda part: f"{prefix} {names[part]}" if part in names else ""


def _read_order(group: list[Record]) -> SourceOrder:
    """One order from its records (a CellError names the cell; the first row by default)."""
    row, first = group[0]
    name = cells.text(first.get("Name"), 100)
    financial = cells.text(first.get("Financial Status"), 40).lower()
    if financial not in KNOWN_FINANCIAL:
        raise CellError(
            "Financial Status", _("unknown financial status '%(value)s'") % {"value": financial}
        )
    fulfillment = cells.text(first.get("Fulfillment Status"), 40).lower()
    created_at = cells.moment(first.get("Created at"), "Created at")
    total = cells.positive_amount(first.get("Total"), "Total")
    shipping = cells.positive_amount(first.get("Shipping"), "Shipping", default=ZERO)
    taxes = cells.positive_amount(first.get("Taxes"), "Taxes", default=ZERO)
    subtotal_text = first.get("Subtotal", "")
    subtotal = cells.positive_amount(subtotal_text, "Subtotal", default=ZERO)
    discount = cells.positive_amount(first.get("Discount Amount"), "Discount Amount", default=ZERO)
    rates = sorted(
        {
            rate
            for slot in TAX_SLOTS
            if (rate := cells.vat_rate_in(first.get(f"Tax {slot} Name"))) is not None
        }
    )
    taxes_given = bool(first.get("Taxes", "").strip())
    if len(rates) == 1:
        line_rate: Decimal | None = rates[0]
    elif not rates and taxes_given and not taxes:
        line_rate = ZERO  # a sale without VAT (abroad, tax-exempt): every line at 0 %
    else:
        line_rate = None  # several rates: the product's, else the highest named
    lines = [_line(line_row, values, line_rate) for line_row, values in group]
    if not any(line.discount for line in lines) and discount:
        shares = split_proportionally(discount, [line.unit_price * line.quantity for line in lines])
        for line, share in zip(lines, shares, strict=True):
            line.discount = share
    highest = max(rates, default=ZERO)
    # Prices without tax (a shop that adds VAT at checkout): what was paid is gross.
    if (
        taxes
        and subtotal_text.strip()
        and abs(subtotal + shipping + taxes - total) < abs(subtotal + shipping - total)
    ):
        for line in lines:
            factor = 1 + (line.vat_rate if line.vat_rate is not None else highest) / 100
            line.unit_price = round_money(line.unit_price * factor)
            line.discount = round_money(line.discount * factor)
        shipping = round_money(shipping * (1 + highest / 100))

    email = cells.text(first.get("Email"), 254)
    billing = with_name(address(first, _address_column("Billing")), first.get("Billing Name", ""))
    if email:
        billing["email"] = email
    shipping_address = with_name(
        address(first, _address_column("Shipping")), first.get("Shipping Name", "")
    )

    paid_at = cells.moment(first.get("Paid at"), "Paid at", required=False) or created_at
    cancelled_at = cells.moment(first.get("Cancelled at"), "Cancelled at", required=False)
    refunded = cells.amount(first.get("Refunded Amount"), "Refunded Amount", default=ZERO)
    payments: list[SourcePayment] = []
    if financial in PAID:
        payments.append(
            SourcePayment(total, paid_at, cells.text(first.get("Payment Reference"), 255))
        )
    elif financial == "partially_paid":
        outstanding = cells.amount(
            first.get("Outstanding Balance"), "Outstanding Balance", default=ZERO
        )
        if total - outstanding > 0:
            payments.append(SourcePayment(total - outstanding, paid_at))
    if financial == "refunded" and not refunded:
        refunded = total
    refunds = [SourceRefund(refunded, cancelled_at or paid_at)] if refunded else []
    if refunded and financial not in PAID:
        raise CellError(
            "Refunded Amount",
            _("a refund of %(amount)s on an order that was not paid") % {"amount": refunded},
        )

    source = cells.text(first.get("Source"), 100)
    notes = [
        note
        for column in ("Notes", "Note Attributes")
        if (note := cells.text(first.get(column), 5000))
    ]
    return SourceOrder(
        row=row,
        external_source="shopify",
        external_id=cells.text(first.get("Id"), 100) or name,
        external_number=name,
        created_at=created_at,
        status=_status(financial, fulfillment, cancelled_at is not None),
        total=total,
        email=email,
        billing=billing,
        shipping=shipping_address,
        lines=lines,
        shipping_price=shipping,
        discount_code=cells.text(first.get("Discount Code"), 100),
        tax_total=taxes if taxes_given else None,
        fallback_vat_rate=max(rates) if rates else None,
        payments=payments,
        refunds=refunds,
        tags=[tag for part in first.get("Tags", "").split(",") if (tag := cells.text(part, 50))],
        notes=notes,
        source=source,
        channel=CHANNELS.get(source.lower(), ""),
        payment_method=cells.text(first.get("Payment Method"), 100),
        shipping_method=cells.text(first.get("Shipping Method"), 100),
        currency=(cells.text(first.get("Currency"), 3) or "EUR").upper(),
        assignee=cells.text(first.get("Employee"), 150),
    )


def _line(row: int, values: dict[str, str], rate: Decimal | None) -> SourceLine:
    try:
        price = cells.positive_amount(values.get("Lineitem price"), "Lineitem price")
        line = SourceLine(
            sku=cells.text(values.get("Lineitem sku"), 64),
            name=cells.text(values.get("Lineitem name"), 200),
            quantity=cells.quantity(values.get("Lineitem quantity"), "Lineitem quantity"),
            unit_price=price,
            vat_rate=rate,
            discount=cells.positive_amount(
                values.get("Lineitem discount"), "Lineitem discount", default=ZERO
            ),
            column=str(row),
        )
    except CellError as error:
        raise cell_error_at(row, error) from None
    if not line.name:
        raise CellError("Lineitem name", _("a line has no name"), row=row)
    if values.get("Lineitem taxable", "").strip().lower() == "false":
        line.vat_rate = ZERO
    return line


def _status(financial: str, fulfillment: str, cancelled: bool) -> str:
    """Shopify's states as one of ours (docs/architecture.md, "Import mapping")."""
    if cancelled or financial == "voided":
        return "cancelled"
    if financial == "refunded":
        return "refunded"
    if fulfillment == "fulfilled":
        return "completed"
    if financial in AWAITING:
        return "pending"
    return "processing"


SHOPIFY = Format(
    name="shopify",
    signature=frozenset({"Name", "Financial Status", "Lineitem quantity", "Lineitem name"}),
    required=(
        "Name",
        "Created at",
        "Total",
        "Lineitem quantity",
        "Lineitem name",
        "Lineitem price",
    ),
    order_key=_order_key,
    read_order=_read_order,
)
