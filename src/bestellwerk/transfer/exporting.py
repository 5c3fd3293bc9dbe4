"""CSV export of orders: the own format (every field; the import reads it back) and Shopify's.

One pipeline serves the API (streamed), the CLI (a file or stdout) and export jobs (a stored
file, with progress): `export_rows` yields the rows as text cells, the header first and then
one batch per chunk of orders (`transfer.selectors`, keyset by number); `csv_chunks` writes
each batch as CSV bytes in the dialect asked for, neutralising formulas; `export_csv` is
both. Nothing holds more than one chunk of orders, whatever the size of the export.
"""

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any

from django.utils import timezone

from bestellwerk.core.row_cache import all_rows_by_id
from bestellwerk.jobs.models import Job
from bestellwerk.jobs.services import Progress, save_job_result
from bestellwerk.orders.models import Channel, LeadSource, OrderStatus
from bestellwerk.orders.selectors import OrderFilters
from bestellwerk.payments.models import PaymentMethod
from bestellwerk.shipping.models import ShippingMethod
from bestellwerk.transfer.cells import FORMULA_STARTS
from bestellwerk.transfer.native import (
    ADDRESS_PARTS,
    BILLING_COLUMNS,
    LINE_COLUMNS,
    LINE_LAYOUT,
    ORDER_LAYOUT,
    SHIPPING_COLUMNS,
)
from bestellwerk.transfer.schemas import OrderExportQuery, parse_export_query
from bestellwerk.transfer.selectors import (
    ExportChunk,
    OrderRow,
    count_export_orders,
    export_chunks,
    parse_moment,
    select_export_orders,
)

CONTENT_TYPE = "text/csv; charset=utf-8"

Row = list[str]
# Called after each chunk of orders: orders and data rows written so far.
ChunkCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    decimal_comma: bool  # 12,50 in plain amount cells (JSON cells keep 12.50)
    bom: bool  # UTF-8 with a byte order mark, so Excel reads umlauts right


DIALECTS = {
    "excel": Dialect(delimiter=",", decimal_comma=False, bom=False),
    "excel-de": Dialect(delimiter=";", decimal_comma=True, bom=True),
}


@dataclass(frozen=True)
class ExportOptions:
    """Which orders (the order list's filters; `numbers`: only those) and the file's shape."""

    filters: OrderFilters = field(default_factory=OrderFilters)
    numbers: tuple[int, ...] = ()
    format: str = "bestellwerk"  # or "shopify"
    layout: str = "order"  # or "line" (own format only: Shopify's is always one per line)
    dialect: str = "excel"  # or "excel-de"

    @classmethod
    def from_query(cls, query: OrderExportQuery) -> "ExportOptions":
        return cls(
            filters=query.as_filters(),
            numbers=tuple(query.number),
            format=query.format,
            layout=query.layout,
            dialect=query.dialect,
        )

    def as_data(self) -> dict[str, Any]:
        """The options as a job keeps them (JSON), named as the API's query names them:
        `from_data(options.as_data())` is the same export."""
        filters = self.filters
        data: dict[str, Any] = {
            "format": self.format,
            "layout": self.layout,
            "dialect": self.dialect,
            "number": [*self.numbers, *([filters.number] if filters.number else [])],
        }
        for name in ("q", "payment_method", "shipping_method", "assignee", "lead_source"):
            data[name] = getattr(filters, name)
        for name in ("status", "payment_status", "tag"):
            data[name] = list(getattr(filters, name))
        for name in ("customer", "channel", "balance"):
            data[name] = getattr(filters, name) or None
        for name in ("total_min", "total_max"):
            value = getattr(filters, name)
            data[name] = None if value is None else f"{value:.2f}"
        for name in ("created_from", "created_to"):
            value = getattr(filters, name)
            data[name] = None if value is None else value.isoformat()
        return {name: value for name, value in data.items() if value not in (None, "", [])}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "ExportOptions":
        """From a job's or the CLI's options (as the API's query names them); ServiceError
        `invalid_export_options` for an unknown name or a bad value."""
        return cls.from_query(parse_export_query(data))


def export_filename(options: ExportOptions, at: datetime | None = None) -> str:
    """bestellwerk-orders-20260301-1430.csv (or shopify-…), in the shop's local time."""
    moment = timezone.localtime(at)
    return f"{options.format}-orders-{moment:%Y%m%d-%H%M}.csv"


def count_export(options: ExportOptions) -> int:
    """How many orders the export writes."""
    return count_export_orders(options.filters, numbers=options.numbers)


def export_csv(options: ExportOptions, *, on_chunk: ChunkCallback | None = None) -> Iterator[bytes]:
    """The export as CSV bytes, a chunk per chunk of orders. A filter that cannot be raises
    ServiceError here, before anything is written."""
    return csv_chunks(export_rows(options, on_chunk=on_chunk), options.dialect)


def export_rows(
    options: ExportOptions, *, on_chunk: ChunkCallback | None = None
) -> Iterator[list[Row]]:
    """The header as a batch of its own, then the rows of each chunk of orders as a batch.
    The orders are selected now (a bad filter raises ServiceError at once); they are read
    as the batches are taken."""
    orders = select_export_orders(options.filters, numbers=options.numbers)
    if options.format == "shopify":
        header, write = SHOPIFY_COLUMNS, _shopify_rows
    elif options.layout == "line":
        header, write = LINE_LAYOUT, _native_line_rows
    else:
        header, write = ORDER_LAYOUT, _native_order_rows
    context = _Context.create(options)

    def batches() -> Iterator[list[Row]]:
        yield [list(header)]
        done = rows = 0
        for chunk in export_chunks(orders, for_shopify=options.format == "shopify"):
            batch: list[Row] = []
            for order in chunk.orders:
                write(order, chunk, context, batch)
            done += len(chunk.orders)
            rows += len(batch)
            if on_chunk is not None:
                on_chunk(done, rows)
            yield batch

    return batches()


def csv_chunks(batches: Iterable[list[Row]], dialect: str) -> Iterator[bytes]:
    """Each batch of rows as CSV bytes (UTF-8; CRLF line ends; quoted where needed). A cell
    starting with = + - @ tab or CR gets a leading ' so no spreadsheet runs it as a formula
    (the import takes the ' off again)."""
    spec = DIALECTS[dialect]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=spec.delimiter, lineterminator="\r\n")
    starts = frozenset(FORMULA_STARTS)
    prefix = "\ufeff" if spec.bom else ""
    for batch in batches:
        writer.writerows([("'" + c if c[:1] in starts else c) for c in row] for row in batch)
        text = prefix + buffer.getvalue()
        prefix = ""
        buffer.seek(0)
        buffer.truncate()
        yield text.encode("utf-8")


def run_export_job(job: Job, progress: Progress) -> dict[str, Any]:
    """The runner of export jobs: `job.options` as the API's query (filters, format, layout,
    dialect; `numbers` for selected orders); the file is stored as the job's result."""
    options = ExportOptions.from_data(job.options)
    total = count_export(options)
    summary = {"orders": 0, "rows": 0}
    progress.summary = dict(summary)
    progress(0, total, force=True)

    def on_chunk(orders: int, rows: int) -> None:
        summary.update(orders=orders, rows=rows)
        progress.summary = dict(summary)
        progress(orders, total, force=orders >= total)

    save_job_result(
        job,
        name=export_filename(options),
        content_type=CONTENT_TYPE,
        chunks=export_csv(options, on_chunk=on_chunk),
    )
    return summary


# -- cells -------------------------------------------------------------------------------

_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _decimal_comma(value: Decimal | str) -> str:
    return str(value).replace(".", ",")


@dataclass
class _Context:
    """What every row of one export needs besides its chunk: cell formats and the settings
    lists (cached rows: a handful of methods and sources, read once)."""

    money: Callable[[Any], str]
    zone: tzinfo
    lead_sources: dict[int, str]
    payment_codes: dict[int, str]
    payment_labels: dict[int, str]
    shipping_codes: dict[int, str]
    shipping_labels: dict[int, str]

    @classmethod
    def create(cls, options: ExportOptions) -> "_Context":
        payment_methods = all_rows_by_id(PaymentMethod)
        shipping_methods = all_rows_by_id(ShippingMethod)
        return cls(
            money=_decimal_comma if DIALECTS[options.dialect].decimal_comma else str,
            zone=timezone.get_default_timezone(),
            lead_sources={pk: row.code for pk, row in all_rows_by_id(LeadSource).items()},
            payment_codes={pk: row.code for pk, row in payment_methods.items()},
            payment_labels={pk: row.label for pk, row in payment_methods.items()},
            shipping_codes={pk: row.code for pk, row in shipping_methods.items()},
            shipping_labels={pk: row.label for pk, row in shipping_methods.items()},
        )

    def moment(self, iso: str | None) -> str:
        """A moment (as the selectors read it) in ISO 8601, local time, with its offset."""
        value = parse_moment(iso)
        return value.astimezone(self.zone).isoformat() if value is not None else ""


# -- the own format ------------------------------------------------------------------------

_NO_LINE = [""] * len(LINE_COLUMNS)
# Where the address parts sit in an OrderRow: in the order of the own format's columns.
_ADDRESS_AT = slice(
    OrderRow._fields.index(BILLING_COLUMNS[0]), OrderRow._fields.index(SHIPPING_COLUMNS[-1]) + 1
)
if OrderRow._fields[_ADDRESS_AT] != (*BILLING_COLUMNS, *SHIPPING_COLUMNS):
    raise RuntimeError("OrderRow's address parts must follow the own format's columns")


def _native_order_cells(order: OrderRow, chunk: ExportChunk, context: _Context) -> Row:
    """The cells of ORDER_COLUMNS."""
    money = context.money
    order_id = order.id
    tags = chunk.tags.get(order_id)
    notes = chunk.notes.get(order_id)
    return [
        str(order.number),
        order.external_source or "",
        order.external_id or "",
        order.external_number or "",
        context.moment(order.created_iso),
        context.moment(order.placed_iso),
        order.status,
        order.payment_status,
        order.channel,
        context.lead_sources.get(order.lead_source_id, "") if order.lead_source_id else "",
        order.assignee__username or "",
        order.currency,
        order.customer__language or "",
        order.billing_email or "",
        *[part or "" for part in order[_ADDRESS_AT]],
        (
            context.payment_codes.get(order.payment_method_id, "")
            if order.payment_method_id
            else order.payment_method_name
        ),
        (
            context.shipping_codes.get(order.shipping_method_id, "")
            if order.shipping_method_id
            else order.shipping_method_name
        ),
        order.coupon__code or order.coupon_code,
        money(order.subtotal),
        money(order.discount_total),
        money(order.shipping_total),
        money(order.net_total),
        money(order.tax_total),
        money(order.total),
        money(order.paid_total),
        money(order.refunded_total),
        money(order.balance),
        ", ".join(sorted(tags, key=str.casefold)) if tags else "",
        _json(notes) if notes else "[]",
        _payments_cell(chunk.payments.get(order_id), context),
        _refunds_cell(chunk.refunds.get(order_id), context),
        _shipments_cell(chunk.shipments.get(order_id)),
    ]


def _payments_cell(payments: list[tuple[Any, ...]] | None, context: _Context) -> str:
    if not payments:
        return "[]"
    codes = context.payment_codes
    return _json(
        [
            {
                "amount": str(amount),
                "paid_at": context.moment(paid_iso),
                "reference": reference,
                "method": codes.get(method_id, "") if method_id else "",
            }
            for _id, amount, paid_iso, reference, method_id in payments
        ]
    )


def _refunds_cell(refunds: list[tuple[Any, ...]] | None, context: _Context) -> str:
    if not refunds:
        return "[]"
    return _json(
        [
            {
                "amount": str(amount),
                "credited": str(credited),
                "refunded_at": context.moment(refunded_iso),
                "reason": reason,
            }
            for _id, amount, credited, refunded_iso, reason in refunds
        ]
    )


def _shipments_cell(shipments: list[tuple[Any, ...]] | None) -> str:
    if not shipments:
        return "[]"
    return _json(
        [
            {"carrier": carrier, "tracking_code": tracking_code}
            for _id, carrier, tracking_code, _created_iso in shipments
        ]
    )


def _native_order_rows(
    order: OrderRow, chunk: ExportChunk, context: _Context, batch: list[Row]
) -> None:
    """layout=order: one row, the lines as a JSON list of objects (keys LINE_KEYS)."""
    cells = _native_order_cells(order, chunk, context)
    cells.append(
        _json(
            [
                {
                    "sku": sku,
                    "name": name,
                    "quantity": quantity,
                    "unit_price": str(unit_price),
                    "vat_rate": str(vat_rate),
                    "discount": str(discount),
                    "total": str(total),
                    "tax": str(tax),
                }
                for _id, sku, name, quantity, unit_price, vat_rate, discount, total, tax in (
                    chunk.lines.get(order.id, ())
                )
            ]
        )
    )
    batch.append(cells)


def _native_line_rows(
    order: OrderRow, chunk: ExportChunk, context: _Context, batch: list[Row]
) -> None:
    """layout=line: a row per line, the order's cells on each; an order without lines gets
    one row with the line cells empty."""
    cells = _native_order_cells(order, chunk, context)
    lines = chunk.lines.get(order.id)
    if not lines:
        batch.append(cells + _NO_LINE)
        return
    money = context.money
    for position, (
        _id,
        sku,
        name,
        quantity,
        unit_price,
        vat_rate,
        discount,
        total,
        tax,
    ) in enumerate(lines, start=1):
        batch.append(
            [
                *cells,
                str(position),
                sku,
                name,
                str(quantity),
                money(unit_price),
                money(vat_rate),
                money(discount),
                money(total),
                money(tax),
            ]
        )


# -- Shopify -------------------------------------------------------------------------------

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
_BILLING_AT = slice(_ADDRESS_AT.start, _ADDRESS_AT.start + len(ADDRESS_PARTS))
_SHIPPING_AT = slice(_ADDRESS_AT.stop - len(ADDRESS_PARTS), _ADDRESS_AT.stop)


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


def _shopify_rows(order: OrderRow, chunk: ExportChunk, context: _Context, batch: list[Row]) -> None:
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
