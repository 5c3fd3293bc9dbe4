"""CSV export of orders: the own format (every field; the import reads it back) and Shopify's.

One pipeline serves the API (streamed), the CLI (a file or stdout) and export jobs (a stored
file, with progress): `export_rows` yields the rows as text cells, the header first and then
one batch per chunk of orders (`transfer.selectors`, keyset by number); `csv_chunks` writes
each batch as CSV bytes in the dialect asked for, neutralising formulas; `export_csv` is
both. Nothing holds more than one chunk of orders, whatever the size of the export.
"""

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone

from bestellwerk.jobs.models import Job
from bestellwerk.jobs.services import Progress, save_job_result
from bestellwerk.orders.selectors import OrderFilters
from bestellwerk.transfer.cells import FORMULA_STARTS
from bestellwerk.transfer.export_cells import ExportContext, Row
from bestellwerk.transfer.export_native import native_line_rows, native_order_rows
from bestellwerk.transfer.export_shopify import SHOPIFY_COLUMNS, shopify_rows
from bestellwerk.transfer.native import (
    LINE_LAYOUT,
    ORDER_LAYOUT,
)
from bestellwerk.transfer.schemas import OrderExportQuery, parse_export_query
from bestellwerk.transfer.selectors import (
    count_export_orders,
    export_chunks,
    select_export_orders,
)

CONTENT_TYPE = "text/csv; charset=utf-8"

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
        header, write = SHOPIFY_COLUMNS, shopify_rows
    elif options.layout == "line":
        header, write = LINE_LAYOUT, native_line_rows
    else:
        header, write = ORDER_LAYOUT, native_order_rows
    context = ExportContext.create(decimal_comma_amounts=DIALECTS[options.dialect].decimal_comma)

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
