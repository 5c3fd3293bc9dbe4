"""Shopify's order export written from ours: one row per line item, the order's fields on
its first row, as Shopify writes them (the import reads it back)."""

from datetime import tzinfo
from decimal import Decimal

from bestellwerk.orders.models import Channel, OrderStatus
from bestellwerk.transfer.export_cells import ADDRESS_AT, ExportContext, Row
from bestellwerk.transfer.native import ADDRESS_PARTS
from bestellwerk.transfer.selectors import ExportChunk, OrderRow, parse_moment

# Shopify's order export, column for column (79).
SHOPIFY_COLUMNS = (
    "Name",
    "Email",
    "Financial Status",
    "Paid at",
    "Fulfillment Status",
    "Fulfilled at",
    "Accepts Marketing",
    "Currency",
    "Subtotal",
    "Shipping",
    "Taxes",
    "Total",
    "Discount Code",
    "Discount Amount",
    "Shipping Method",
    "Created at",
    "Lineitem quantity",
    "Lineitem name",
    "Lineitem price",
    "Lineitem compare at price",
    "Lineitem sku",
    "Lineitem requires shipping",
    "Lineitem taxable",
    "Lineitem fulfillment status",
    "Billing Name",
    "Billing Street",
    "Billing Address1",
    "Billing Address2",
    "Billing Company",
    "Billing City",
    "Billing Zip",
    "Billing Province",
    "Billing Country",
    "Billing Phone",
    "Shipping Name",
    "Shipping Street",
    "Shipping Address1",
    "Shipping Address2",
    "Shipping Company",
    "Shipping City",
    "Shipping Zip",
    "Shipping Province",
    "Shipping Country",
    "Shipping Phone",
    "Notes",
    "Note Attributes",
    "Cancelled at",
    "Payment Method",
    "Payment Reference",
    "Refunded Amount",
    "Vendor",
    "Outstanding Balance",
    "Employee",
    "Location",
    "Device ID",
    "Id",
    "Tags",
    "Risk Level",
    "Source",
    "Lineitem discount",
    "Tax 1 Name",
    "Tax 1 Value",
    "Tax 2 Name",
    "Tax 2 Value",
    "Tax 3 Name",
    "Tax 3 Value",
    "Tax 4 Name",
    "Tax 4 Value",
    "Tax 5 Name",
    "Tax 5 Value",
    "Phone",
    "Receipt Number",
    "Duties",
    "Billing Province Name",
    "Shipping Province Name",
    "Payment ID",
    "Payment Terms Name",
    "Next Payment Due At",
    "Payment References",
)
_AT = {name: index for index, name in enumerate(SHOPIFY_COLUMNS)}
SHOPIFY_TAX_COLUMNS = 5
SHOPIFY_TIME_FORMAT = "%Y-%m-%d %H:%M:%S %z"  # 2024-01-05 10:00:00 +0100
# Our payment status as Shopify's financial status (a cancelled order never paid: voided).
SHOPIFY_FINANCIAL_STATUS = {
    "unpaid": "pending",
    "partially_paid": "partially_paid",
    "paid": "paid",
    "partially_refunded": "partially_refunded",
    "refunded": "refunded",
}
SHOPIFY_FULFILLED = frozenset({OrderStatus.SHIPPED, OrderStatus.COMPLETED})
# Our channel as Shopify's source where Shopify has a name for it (an order staff typed in
# is a draft order there); others as our code (web, pos, api, import).
SHOPIFY_SOURCES = {Channel.MANUAL: "shopify_draft_order"}
_BILLING_AT = slice(ADDRESS_AT.start, ADDRESS_AT.start + len(ADDRESS_PARTS))
_SHIPPING_AT = slice(ADDRESS_AT.stop - len(ADDRESS_PARTS), ADDRESS_AT.stop)


def _shopify_time(iso: str | None, zone: tzinfo) -> str:
    value = parse_moment(iso)
    return value.astimezone(zone).strftime(SHOPIFY_TIME_FORMAT) if value is not None else ""


def _shopify_zip(postal_code: str) -> str:
    """Shopify writes a zip with a leading zero as '01067, so no spreadsheet drops it."""
    return "'" + postal_code if postal_code.startswith("0") else postal_code


def _tax_name(rate: str) -> str:
    """MwSt 19% (from "19.00"), MwSt 5.5% (from "5.50")."""
    return f"MwSt {Decimal(rate).normalize():f}%"


def _shopify_address(row: Row, prefix: str, parts: tuple[str | None, ...]) -> None:
    """The address `parts` (first name … phone, as ADDRESS_PARTS) into `prefix`'s columns."""
    first, last, company, line1, line2, postal_code, city, region, country, phone = (
        part or "" for part in parts
    )
    row[_AT[f"{prefix} Name"]] = f"{first} {last}".strip()
    row[_AT[f"{prefix} Street"]] = f"{line1}, {line2}" if line2 else line1
    row[_AT[f"{prefix} Address1"]] = line1
    row[_AT[f"{prefix} Address2"]] = line2
    row[_AT[f"{prefix} Company"]] = company
    row[_AT[f"{prefix} City"]] = city
    row[_AT[f"{prefix} Zip"]] = _shopify_zip(postal_code)
    row[_AT[f"{prefix} Province"]] = region
    row[_AT[f"{prefix} Country"]] = country
    row[_AT[f"{prefix} Phone"]] = phone


def shopify_rows(
    order: OrderRow, chunk: ExportChunk, context: ExportContext, batch: list[Row]
) -> None:
    """A row per line item; the order's own fields on the first row only, as Shopify writes
    them (later rows: Name, Email, Created at and the line item). Beyond what Shopify
    fills, `Employee` carries the assignee."""
    money, zone = context.money, context.zone
    order_id = order.id
    payments = chunk.payments.get(order_id)
    shipments = chunk.shipments.get(order_id)
    tags = chunk.tags.get(order_id)
    name = f"#{order.number}"
    email = order.billing_email or ""
    created_at = _shopify_time(order.created_iso, zone)
    fulfilled = order.status in SHOPIFY_FULFILLED

    first = [""] * len(SHOPIFY_COLUMNS)
    first[_AT["Name"]] = name
    first[_AT["Email"]] = email
    if order.status == OrderStatus.CANCELLED and not order.paid_total:
        first[_AT["Financial Status"]] = "voided"
    else:
        first[_AT["Financial Status"]] = SHOPIFY_FINANCIAL_STATUS.get(order.payment_status, "")
    if payments:
        first[_AT["Paid at"]] = _shopify_time(payments[0][2], zone)
        first[_AT["Payment Reference"]] = payments[0][3]
        first[_AT["Payment References"]] = ", ".join(p[3] for p in payments if p[3])
    first[_AT["Fulfillment Status"]] = "fulfilled" if fulfilled else "unfulfilled"
    first[_AT["Fulfilled at"]] = _shopify_time(shipments[0][3], zone) if shipments else ""
    first[_AT["Currency"]] = order.currency
    first[_AT["Subtotal"]] = money(order.subtotal - order.discount_total)
    first[_AT["Shipping"]] = money(order.shipping_total)
    first[_AT["Taxes"]] = money(order.tax_total)
    first[_AT["Total"]] = money(order.total)
    first[_AT["Discount Code"]] = order.coupon__code or order.coupon_code
    first[_AT["Discount Amount"]] = money(order.discount_total)
    first[_AT["Shipping Method"]] = (
        context.shipping_labels.get(order.shipping_method_id, "")
        if order.shipping_method_id
        else order.shipping_method_name
    )
    first[_AT["Created at"]] = created_at
    _shopify_address(first, "Billing", order[_BILLING_AT])
    _shopify_address(first, "Shipping", order[_SHIPPING_AT])
    first[_AT["Notes"]] = "\n".join(chunk.notes.get(order_id, ()))
    if order.status == OrderStatus.CANCELLED:
        first[_AT["Cancelled at"]] = _shopify_time(chunk.cancelled_iso.get(order_id), zone)
    first[_AT["Payment Method"]] = (
        context.payment_labels.get(order.payment_method_id, "")
        if order.payment_method_id
        else order.payment_method_name
    )
    first[_AT["Refunded Amount"]] = money(order.refunded_total)
    first[_AT["Outstanding Balance"]] = money(order.balance)
    first[_AT["Employee"]] = order.assignee__username or ""
    first[_AT["Id"]] = str(order_id)
    first[_AT["Tags"]] = ", ".join(sorted(tags, key=str.casefold)) if tags else ""
    first[_AT["Source"]] = SHOPIFY_SOURCES.get(order.channel, order.channel)
    tax_name_at = _AT["Tax 1 Name"]
    for index, tax in enumerate(chunk.tax_breakdowns.get(order_id, [])[:SHOPIFY_TAX_COLUMNS]):
        first[tax_name_at + 2 * index] = _tax_name(tax["rate"])
        first[tax_name_at + 2 * index + 1] = money(tax["tax"])

    lines = chunk.lines.get(order_id)
    if not lines:
        batch.append(first)
        return
    line_status = "fulfilled" if fulfilled else "pending"
    for index, line in enumerate(lines):
        _id, sku, line_name, quantity, unit_price, rate, discount, _total, _tax = line
        if index == 0:
            row = first
        else:
            row = [""] * len(SHOPIFY_COLUMNS)
            row[_AT["Name"]] = name
            row[_AT["Email"]] = email
            row[_AT["Created at"]] = created_at
        row[_AT["Lineitem quantity"]] = str(quantity)
        row[_AT["Lineitem name"]] = line_name
        row[_AT["Lineitem price"]] = money(unit_price)
        row[_AT["Lineitem sku"]] = sku
        row[_AT["Lineitem taxable"]] = "true" if rate else "false"
        row[_AT["Lineitem fulfillment status"]] = line_status
        row[_AT["Lineitem discount"]] = money(discount)
        batch.append(row)
