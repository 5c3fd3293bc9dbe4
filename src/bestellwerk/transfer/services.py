"""Importing orders from a CSV file: read, prepare and write them chunk by chunk.

The file streams through: one chunk of orders is in memory at a time, each chunk is one
transaction, and each order in it imports whole or is rejected with its row, column and
reason. A dry run does everything but the writing, so its counts are the import's (only a
refusal by the database itself cannot be foreseen).
"""

import csv
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.core.files.base import File
from django.utils.translation import gettext as _

from bestellwerk.accounts.models import User
from bestellwerk.core.actors import Actor
from bestellwerk.core.errors import ServiceError
from bestellwerk.jobs.models import Job, JobKind, JobStatus
from bestellwerk.jobs.services import Progress, save_job_result, start_job
from bestellwerk.transfer.cells import DOT_IS_DECIMAL, protect_formula
from bestellwerk.transfer.formats import detect_format
from bestellwerk.transfer.preparing import (
    ChunkPreparer,
    ChunkResult,
    Difference,
    ImportOptions,
    Prepared,
)
from bestellwerk.transfer.reading import open_table
from bestellwerk.transfer.records import FileError, RowError, SourceOrder
from bestellwerk.transfer.writing import ChunkWriter

CHUNK = 5000  # orders per transaction: fewer round trips, still one chunk in memory
KEPT = 1000  # errors and differences kept in the summary; the error report has them all
PREVIEW = 3
PREVIEW_CELL = 200  # characters of a source cell shown in the preview
ERROR_COLUMNS = ["row", "order", "column", "message"]

ProgressCallback = Callable[[int, int], None]
ErrorSink = Callable[[RowError], None]


@dataclass
class ImportSummary:
    format: str = ""
    dry_run: bool = False
    read: int = 0
    imported: int = 0
    updated: int = 0
    skipped: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)
    difference_count: int = 0
    preview: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.read / self.seconds if self.seconds else 0.0

    def as_json(self) -> dict[str, Any]:
        """The summary the CLI prints with --json: exactly these keys."""
        return {
            "format": self.format,
            "imported": self.imported,
            "updated": self.updated,
            "skipped": self.skipped,
            "rejected": self.rejected,
            "errors": [error.as_json() for error in self.errors],
        }

    def as_job_summary(self) -> dict[str, Any]:
        return {
            **self.as_json(),
            "dry_run": self.dry_run,
            "read": self.read,
            "differences": [difference.as_json() for difference in self.differences],
            "difference_count": self.difference_count,
            "preview": self.preview,
            "seconds": round(self.seconds, 2),
        }

    def absorb(self, result: ChunkResult, *, sink: ErrorSink | None) -> None:
        self.imported += len(result.imported)
        self.updated += len(result.updated)
        self.skipped += result.skipped
        self.add_errors(result.errors, sink)
        differences = result.differences
        self.difference_count += len(differences)
        self.differences += differences[: max(0, KEPT - len(self.differences))]

    def add_errors(self, errors: list[RowError], sink: ErrorSink | None) -> None:
        self.rejected += len(errors)
        self.errors += errors[: max(0, KEPT - len(self.errors))]
        if sink is not None:
            for error in errors:
                sink(error)


def import_orders(
    *,
    stream: BinaryIO,
    options: ImportOptions,
    actor: Actor,
    progress: ProgressCallback | None = None,
    error_sink: ErrorSink | None = None,
    summary: ImportSummary | None = None,
    chunk_size: int = CHUNK,
) -> ImportSummary:
    """Import the orders of a CSV file (see the module). FileError when the file cannot be
    read at all; `summary` (when given) is filled as the chunks go, so a cancelled run
    still tells what it did."""
    started = time.perf_counter()
    summary = summary if summary is not None else ImportSummary()
    summary.dry_run = options.dry_run
    table = open_table(stream)
    file_format = detect_format(table.columns, options.format)
    summary.format = file_format.name
    preparer = ChunkPreparer(options=options)
    writer = ChunkWriter(options=options, actor=actor, refs=preparer.refs)
    chunk: list[SourceOrder] = []

    def write(orders: list[SourceOrder]) -> None:
        prepared, result = preparer.prepare(orders)
        if options.dry_run:
            result.imported = [item for item in prepared if item.existing_id is None]
            result.updated = [item for item in prepared if item.existing_id is not None]
        else:
            writer.write(prepared, result)
        summary.absorb(result, sink=error_sink)
        _add_preview(summary, prepared)
        summary.seconds = time.perf_counter() - started
        if progress is not None:
            progress(table.position(), table.size)

    dot_is_decimal = DOT_IS_DECIMAL.set(table.delimiter == ",")
    try:
        for read in file_format.orders(table, keep_records=PREVIEW):
            summary.read += 1
            if isinstance(read, RowError):
                summary.add_errors([read, *_withdrawn(read, chunk)], error_sink)
                continue
            chunk.append(read)
            if len(chunk) >= chunk_size:
                write(chunk)
                chunk = []
        if chunk or summary.read == 0:
            write(chunk)
    except FileError as error:
        # Broken past its start: the orders before stay imported, and the summary says so.
        error.summary = summary
        raise
    finally:
        DOT_IS_DECIMAL.reset(dot_is_decimal)
        summary.seconds = time.perf_counter() - started
    return summary


def _withdrawn(error: RowError, chunk: list[SourceOrder]) -> list[RowError]:
    """The earlier part of an order the file splits, taken out of the unwritten chunk (an
    order imports whole or not at all; a part already written stays, and its row is named
    in `error`)."""
    if not error.withdraws_order:
        return []
    parts = [order for order in chunk if order.key == error.order]
    for order in parts:
        chunk.remove(order)
    return [RowError(order.row, error.order, "", error.message) for order in parts]


def _add_preview(summary: ImportSummary, prepared: list[Prepared]) -> None:
    for item in prepared:
        if len(summary.preview) >= PREVIEW:
            return
        if item.source.records:
            summary.preview.append(preview_of(item))


def preview_of(item: Prepared) -> dict[str, Any]:
    """An order as it will be written, beside the non-empty cells of its source rows."""
    source, money, refs = item.source, item.money, item.refs
    payment_method = refs["payment_method"]
    return {
        "rows": [
            {
                "row": row,
                "cells": {
                    name[:PREVIEW_CELL]: value[:PREVIEW_CELL]
                    for name, value in cells.items()
                    if value.strip()
                },
            }
            for row, cells in source.records
        ],
        "order": {
            "external_number": source.external_number,
            "created_at": source.created_at.isoformat(),
            "status": source.status,
            "payment_status": str(money["payment_status"]),
            "customer": source.email,
            "billing": source.billing,
            "lines": [
                {
                    "sku": line["sku"],
                    "name": line["name"],
                    "quantity": line["quantity"],
                    "unit_price": f"{line['unit_price']:.2f}",
                    "vat_rate": f"{line['vat_rate']:.2f}",
                    "total": f"{line['total']:.2f}",
                    "matched_product": line["product_id"] is not None,
                }
                for line in item.lines
            ],
            "shipping_total": f"{money['shipping_total']:.2f}",
            "discount_total": f"{money['discount_total']:.2f}",
            "total": f"{money['total']:.2f}",
            "paid_total": f"{money['paid_total']:.2f}",
            "refunded_total": f"{money['refunded_total']:.2f}",
            "payment_method": payment_method.code
            if payment_method
            else refs["payment_method_name"],
            "tags": item.tags,
            "notes": source.notes,
        },
    }


def run_import_job(job: Job, progress: Progress) -> dict[str, Any]:
    """The background import of a staff upload: its errors become the job's download."""
    options = ImportOptions(**{k: v for k, v in job.options.items() if k in IMPORT_OPTION_NAMES})
    actor = Actor.for_user(job.created_by) if job.created_by else Actor.system(_("Import"))
    summary = ImportSummary()

    def report(done: int, total: int) -> None:
        progress.summary = summary.as_job_summary()
        progress(done, total)

    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as spool:
        errors = csv.writer(spool)
        errors.writerow(ERROR_COLUMNS)

        def sink(error: RowError) -> None:
            errors.writerow(error_report_row(error))

        try:
            with job.source.open("rb") as stream:
                import_orders(
                    stream=stream,
                    options=options,
                    actor=actor,
                    progress=report,
                    error_sink=sink,
                    summary=summary,
                )
        finally:
            spool.flush()
            if summary.rejected:
                spool.seek(0)
                save_job_result(
                    job,
                    name="errors.csv",
                    content_type="text/csv; charset=utf-8",
                    chunks=(block.encode() for block in iter(lambda: spool.read(1 << 16), "")),
                )
            progress.summary = summary.as_job_summary()
    return summary.as_job_summary()


IMPORT_OPTION_NAMES = frozenset(ImportOptions.__dataclass_fields__)


def start_import_after_dry_run(*, preview: Job, user: User | None) -> Job:
    """The import of the file a finished dry run read, with the same options, as a job."""
    if preview.status != JobStatus.FINISHED or not preview.options.get("dry_run"):
        raise ServiceError("not_a_finished_dry_run", _("Only a finished dry run can be imported."))
    with preview.source.open("rb") as source:
        return start_job(
            kind=JobKind.IMPORT,
            user=user,
            options={**preview.options, "dry_run": False},
            source=File(source),
            source_name=preview.source_name,
        )


def error_report_row(error: RowError) -> list[str]:
    """A rejected order as a row of the error report (ERROR_COLUMNS); the file's text in it
    cannot run as a spreadsheet formula."""
    return [str(error.row), *map(protect_formula, (error.order, error.column, error.message))]


__all__ = ["FileError", "ImportOptions", "ImportSummary", "import_orders", "run_import_job"]
