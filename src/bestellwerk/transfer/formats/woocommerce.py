"""WooCommerce's order export as the common import/export plugins write it.

One row per order with `line_item_1`, `line_item_2`, … cells of `key:value` pairs joined
by `|`; `shipping_items`, `fee_items`, `coupon_items`, `refund_items`, `tax_items` in the
same notation, several entries joined by `;`. Line `total` and `sub_total` are net, `tax`
beside them. Also read: the layout with one row per item (the order's rows repeated, one
`line_item_1` or `item_*` columns per row).
"""

import re
from decimal import Decimal

from django.utils.translation import gettext as _

from bestellwerk.core.money import ZERO, round_money, split_proportionally
from bestellwerk.transfer import cells
from bestellwerk.transfer.formats.common import Format, Record, address, cell_error_at
from bestellwerk.transfer.records import (
    CellError,
    SourceLine,
    SourceOrder,
    SourcePayment,
    SourceRefund,
)

STATUSES = {
    "pending": "pending",
    "processing": "processing",
    "on-hold": "on_hold",
    "completed": "completed",
    "cancelled": "cancelled",
    "refunded": "refunded",
    "failed": "cancelled",
}
PAID_STATUSES = {"processing", "completed", "refunded"}
COMMON_RATES = (Decimal("19.00"), Decimal("7.00"), Decimal("0.00"))
ITEM_COLUMN = re.compile(r"line_item_\d+")
_KEYS = (
    "name|product_id|variation_id|sku|quantity|qty|total|sub_total|subtotal|tax|total_tax|"
    "subtotal_tax|tax_data|meta|items|method_id|method_title|instance_id|taxes|code|amount|"
    "discount|discount_tax|reason|date|id|refunded_by|rate_id|label|rate_code|rate_percent|"
    "percent|compound|tax_amount|shipping_tax_amount|tax_class|tax_status"
)
_PAIR_BREAK = re.compile(rf"\|(?=\s*(?:{_KEYS})\s*:)", re.IGNORECASE)
_ENTRY_BREAK = re.compile(rf";(?=\s*(?:{_KEYS})\s*:)", re.IGNORECASE)
# The one-row-per-item layout's columns for the item of the row.
ROW_ITEM_PREFIXES = ("line_item_", "item_")


def _order_key(values: dict[str, str]) -> str:
    return values.get("order_id", "").strip()


def parse_entries(value: str | None, column: str) -> list[dict[str, str]]:
    """`name:Kaffee | 500 g|sku:K-1|quantity:2;name:Tee|…` as a list of dicts: `|` and `;`
    separate only where a known key follows, so names may contain them."""
    entries = []
    for entry in _ENTRY_BREAK.split(value or ""):
        if not entry.strip():
            continue
        pairs: dict[str, str] = {}
        for part in _PAIR_BREAK.split(entry):
            key, sep, item = part.partition(":")
            if not sep:
                raise CellError(column, _("'%(value)s' is not key:value") % {"value": part[:40]})
            pairs[key.strip().lower()] = item.strip()
        entries.append(pairs)
    return entries


def _read_order(group: list[Record]) -> SourceOrder:
    """One order from its records (a CellError names the cell; the first row by default)."""
    row, first = group[0]
    raw_status = cells.text(first.get("status"), 40).lower().removeprefix("wc-")
    if raw_status not in STATUSES:
        raise CellError(
            "status",
            _("'%(value)s' is not an order status (a checkout draft is not an order)")
            % {"value": raw_status},
        )
    created_at = cells.moment(first.get("order_date"), "order_date")
    total = cells.amount(first.get("order_total"), "order_total")
    if total < 0:
        raise CellError("order_total", _("the total is negative"))
    known_rates = set(COMMON_RATES)
    for entry in parse_entries(first.get("tax_items"), "tax_items"):
        rate = entry.get("rate_percent") or entry.get("percent")
        found = cells.vat_rate_in(f"{rate}%") if rate else cells.vat_rate_in(entry.get("label"))
        if found is not None:
            known_rates.add(found)

    lines: list[SourceLine] = []
    for line_row, values in group:
        try:
            lines += _row_lines(values, sorted(known_rates, reverse=True))
        except CellError as error:
            raise cell_error_at(line_row, error) from None
    if not lines:
        raise CellError("line_item_1", _("the order has no items"))
    for entry in parse_entries(first.get("fee_items"), "fee_items"):
        gross = cells.amount(entry.get("total"), "fee_items", default=ZERO) + cells.amount(
            entry.get("tax") or entry.get("total_tax"), "fee_items", default=ZERO
        )
        if gross >= 0:
            lines.append(_item(entry, "fee_items", sorted(known_rates, reverse=True), fee=True))
        else:
            _spread_discount(lines, -gross)

    shipping = cells.positive_amount(
        first.get("shipping_total"), "shipping_total", default=ZERO
    ) + cells.positive_amount(first.get("shipping_tax_total"), "shipping_tax_total", default=ZERO)
    shipping_methods = parse_entries(first.get("shipping_items"), "shipping_items")
    shipping_method = cells.text(first.get("shipping_method"), 100) or (
        cells.text(shipping_methods[0].get("method_title") or shipping_methods[0].get("name"), 100)
        if shipping_methods
        else ""
    )
    coupons = parse_entries(first.get("coupon_items"), "coupon_items")

    email = cells.text(first.get("customer_email") or first.get("billing_email"), 254)
    billing = address(first, lambda part: _address_column("billing", part))
    if email:
        billing["email"] = email
    shipping_address = address(first, lambda part: _address_column("shipping", part))

    paid_at = cells.moment(first.get("paid_date"), "paid_date", required=False)
    payments = []
    if paid_at is not None or raw_status in PAID_STATUSES:
        payments.append(
            SourcePayment(
                total, paid_at or created_at, cells.text(first.get("transaction_id"), 255)
            )
        )
    refunds = [
        SourceRefund(
            abs(cells.amount(entry.get("amount"), "refund_items")),
            cells.moment(entry.get("date"), "refund_items", required=False),
            cells.text(entry.get("reason"), 500),
        )
        for entry in parse_entries(first.get("refund_items"), "refund_items")
    ]
    refunds = [refund for refund in refunds if refund.amount]
    if raw_status == "refunded" and not refunds and total:
        refunds = [SourceRefund(total, paid_at or created_at)]
    if refunds and not payments:
        raise CellError("refund_items", _("a refund on an order that was not paid"))

    notes = [_note_text(note) for note in (first.get("order_notes") or "").split("||")]
    if customer_note := cells.text(first.get("customer_note"), 4900):
        notes.insert(0, _("Customer's note: %(note)s") % {"note": customer_note})
    return SourceOrder(
        row=row,
        external_source="woocommerce",
        external_id=cells.text(first.get("order_id"), 100),
        external_number=cells.text(first.get("order_number"), 100)
        or cells.text(first.get("order_id"), 100),
        created_at=created_at,
        status=STATUSES[raw_status],
        total=total,
        email=email,
        billing=billing,
        shipping=shipping_address,
        lines=lines,
        shipping_price=shipping,
        discount_code=cells.text(coupons[0].get("code"), 100) if coupons else "",
        tax_total=cells.amount_if_given(first.get("tax_total"), "tax_total"),
        payments=payments,
        refunds=refunds,
        notes=[note for note in notes if note],
        payment_method=cells.text(
            first.get("payment_method_title") or first.get("payment_method"), 100
        ),
        shipping_method=shipping_method,
        currency=(cells.text(first.get("order_currency"), 3) or "EUR").upper(),
        source=cells.text(first.get("created_via"), 100),
    )


def _row_lines(values: dict[str, str], rates: list[Decimal]) -> list[SourceLine]:
    lines = [
        _item(entry, column, rates)
        for column, value in values.items()
        if ITEM_COLUMN.fullmatch(column)
        for entry in parse_entries(value, column)
    ]
    for prefix in ROW_ITEM_PREFIXES:
        if values.get(f"{prefix}name", "").strip():
            entry = {
                key: values.get(f"{prefix}{key}", "")
                for key in ("name", "sku", "quantity", "total", "sub_total", "tax")
            }
            entry["sub_total"] = entry["sub_total"] or values.get(f"{prefix}subtotal", "")
            lines.append(_item(entry, f"{prefix}name", rates))
    return lines


def _item(
    entry: dict[str, str], column: str, rates: list[Decimal], *, fee: bool = False
) -> SourceLine:
    """A WooCommerce item (net amounts, tax beside) as a line with gross prices."""
    name = cells.text(entry.get("name"), 200)
    if not name:
        raise CellError(column, _("an item has no name"))
    quantity = 1 if fee else cells.quantity(entry.get("quantity") or entry.get("qty"), column)
    net_total = cells.amount(entry.get("total"), column, default=ZERO)
    net_subtotal = cells.amount(
        entry.get("sub_total") or entry.get("subtotal"), column, default=net_total
    )
    tax = cells.amount(entry.get("tax") or entry.get("total_tax"), column, default=ZERO)
    if net_total < 0 or net_subtotal < 0 or tax < 0:
        raise CellError(column, _("an item has a negative amount"))
    rate = _rate_of(net_total, tax, rates)
    gross_total = net_total + tax
    if rate is None:
        unit = round_money((net_subtotal + tax) / quantity) if net_subtotal else ZERO
    else:
        unit = round_money(net_subtotal * (100 + rate) / 100 / quantity)
    discount = max(ZERO, unit * quantity - gross_total)
    return SourceLine(
        sku=cells.text(entry.get("sku"), 64),
        name=name,
        quantity=quantity,
        unit_price=unit,
        vat_rate=rate,
        discount=discount,
        column=column,
    )


def _rate_of(net: Decimal, tax: Decimal, rates: list[Decimal]) -> Decimal | None:
    """The known VAT rate whose tax on `net` comes closest to `tax` (within 2 cents of
    rounding), else the rate the two imply; None when net is 0."""
    if not net:
        return None
    miss, rate = min((abs(round_money(net * rate / 100) - tax), rate) for rate in rates)
    return rate if miss <= Decimal("0.02") else round_money(tax * 100 / net)


def _spread_discount(lines: list[SourceLine], amount: Decimal) -> None:
    """A negative fee (a cash discount, a goodwill reduction) as discounts on the lines, in
    proportion to their gross, each at most its line's gross."""
    gross = [line.unit_price * line.quantity - line.discount for line in lines]
    for line, share, room in zip(lines, split_proportionally(amount, gross), gross, strict=True):
        line.discount += min(share, max(room, ZERO))


def _address_column(prefix: str, part: str) -> str:
    names = {
        "line1": "address_1",
        "line2": "address_2",
        "postal_code": "postcode",
        "region": "state",
    }
    return f"{prefix}_{names.get(part, part)}" if part != "vat_id" else ""


def _note_text(note: str) -> str:
    if note.strip().startswith("content:"):
        content = note.split("content:", 1)[1]
        content = re.split(r"\|(?:date|customer|added_by|is_customer_note):", content)[0]
        return cells.text(content, 5000)
    return cells.text(note, 5000)


WOOCOMMERCE = Format(
    name="woocommerce",
    signature=frozenset({"order_id", "order_total", "status"}),
    required=("order_id", "order_date", "status", "order_total"),
    order_key=_order_key,
    read_order=_read_order,
)
