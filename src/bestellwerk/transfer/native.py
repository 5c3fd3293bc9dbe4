"""Bestellwerk's own CSV format: every field an import needs, so export → import loses nothing.

Two layouts share the order columns: `order` (one row per order, its lines as JSON in
`lines`) and `line` (one row per line, the order columns repeated on each, `line_*` columns
for the line). Lists that belong to the order (notes, payments, refunds, shipments) are JSON
cells. Amounts are plain decimals ("12.50"; the excel-de dialect writes "12,50"), times ISO
8601 with their offset, countries ISO codes.
"""

from bestellwerk.orders.inputs import ADDRESS_FIELD_LENGTHS

ADDRESS_PARTS = tuple(ADDRESS_FIELD_LENGTHS)
BILLING_COLUMNS = tuple(f"billing_{part}" for part in (*ADDRESS_PARTS, "vat_id"))
SHIPPING_COLUMNS = tuple(f"shipping_{part}" for part in ADDRESS_PARTS)

ORDER_COLUMNS = (
    "number",
    "external_source",
    "external_id",
    "external_number",
    "created_at",
    "placed_at",
    "status",
    "payment_status",
    "channel",
    "lead_source",
    "assignee",
    "currency",
    "language",
    "email",
    *BILLING_COLUMNS,
    *SHIPPING_COLUMNS,
    "payment_method",
    "shipping_method",
    "coupon_code",
    "subtotal",
    "discount_total",
    "shipping_total",
    "net_total",
    "tax_total",
    "total",
    "paid_total",
    "refunded_total",
    "balance",
    "tags",
    "notes",
    "payments",
    "refunds",
    "shipments",
)
# layout=order: the lines as one JSON cell, a list of objects with these keys.
LINES_COLUMN = "lines"
LINE_KEYS = ("sku", "name", "quantity", "unit_price", "vat_rate", "discount", "total", "tax")
# layout=line: one row per line.
LINE_COLUMNS = tuple(f"line_{key}" for key in ("position", *LINE_KEYS))

ORDER_LAYOUT = (*ORDER_COLUMNS, LINES_COLUMN)
LINE_LAYOUT = (*ORDER_COLUMNS, *LINE_COLUMNS)
# What identifies the format when a file is read.
SIGNATURE = frozenset({"number", "external_source", "status", "payment_status", "total"})
