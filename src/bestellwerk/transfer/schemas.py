"""The query of the order export: the order list's filters, the selected orders, the file's
format. The API reads it from the query string; the CLI and export jobs validate their
options with it too, so every caller has the same bounds and the same errors."""

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import ValidationError

from bestellwerk.api.schemas import MAX_DB_INT, TextSchema
from bestellwerk.core.errors import ServiceError
from bestellwerk.jobs.models import Job
from bestellwerk.orders.schemas.queries import OrderFilterQuery

ExportFormat = Literal["bestellwerk", "shopify"]
ExportLayout = Literal["order", "line"]
ExportDialect = Literal["excel", "excel-de"]
# The most orders one export may name by number (a selection in the list), well below the
# parameters a request may carry at all (DATA_UPLOAD_MAX_NUMBER_FIELDS).
MAX_SELECTED = 1_000
OrderNumber = Annotated[int, Field(ge=1, le=MAX_DB_INT)]


class OrderExportQuery(OrderFilterQuery):
    """The filters of the order list (without sort and paging: an export runs by number),
    `number` repeatable for a selection, and the shape of the file."""

    number: list[OrderNumber] = Field(
        default_factory=list,
        max_length=MAX_SELECTED,
        description="repeatable: only these orders (the selected ones)",
    )
    format: ExportFormat = Field(
        "bestellwerk",
        description="bestellwerk: the own format, every field (read back by the import); "
        "shopify: Shopify's order export, one row per line item",
    )
    layout: ExportLayout = Field(
        "order",
        description="bestellwerk format: one row per order (lines as JSON) or one per line",
    )
    dialect: ExportDialect = Field(
        "excel",
        description="excel: `,` and 12.50, UTF-8; excel-de: `;` and 12,50, UTF-8 with BOM",
    )


def parse_export_query(options: Mapping[str, Any]) -> OrderExportQuery:
    """An export query from options given as data (a job's, the CLI's): unknown names and
    bad values raise ServiceError `invalid_export_options` naming each field. A job may say
    `numbers` for the selected orders' `number`."""
    data = dict(options)
    if "numbers" in data and "number" not in data:
        data["number"] = data.pop("numbers")
    fields: dict[str, str] = {
        str(name)[:50]: _("unknown option")
        for name in data
        if name not in OrderExportQuery.model_fields
    }
    if not fields:
        try:
            return OrderExportQuery.model_validate(data)
        except ValidationError as error:
            for problem in error.errors():
                name = ".".join(str(part) for part in problem["loc"]) or "options"
                fields.setdefault(name, problem["msg"].removeprefix("Value error, "))
    raise ServiceError(
        "invalid_export_options",
        _("The export options are not valid: %(problems)s")
        % {"problems": "; ".join(f"{name}: {message}" for name, message in fields.items())},
        fields=fields,
    )


# Multipart form fields are text: a flag is "true" or "false", nothing else.
FormFlag = Literal["true", "false"]


class ImportOptionsIn(TextSchema):
    """The options of an import, as form fields beside the uploaded `file`."""

    format: Literal["auto", "shopify", "woocommerce", "bestellwerk"] = "auto"
    dry_run: FormFlag = Field("false", description="report what would happen, write nothing")
    on_duplicate: Literal["skip", "update"] = Field(
        "skip", description="orders imported before (same source and id): skip or update"
    )
    adjust_stock: FormFlag = Field("false", description="deduct stock for orders that hold it")
    run_automations: FormFlag = Field("false", description="run automations and webhooks")
    notify: FormFlag = Field("false", description="send order confirmations")

    def as_options(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "dry_run": self.dry_run == "true",
            "on_duplicate": self.on_duplicate,
            "adjust_stock": self.adjust_stock == "true",
            "run_automations": self.run_automations == "true",
            "notify": self.notify == "true",
        }


class JobProgressOut(Schema):
    done: int
    total: int | None
    percent: int | None


class RowErrorOut(Schema):
    row: int
    order: str
    column: str
    message: str


class DifferenceOut(Schema):
    row: int
    order: str
    kind: Literal["total", "tax"]
    file_total: str
    computed_total: str


class ImportJobOut(Schema):
    """An import job: where it is, and its summary so far (the counts are 0 until the
    first chunk is done)."""

    id: uuid.UUID
    status: str = Field(description="queued, running, finished, failed or cancelled")
    dry_run: bool
    source_name: str
    progress: JobProgressOut
    format: str
    read: int
    imported: int
    updated: int
    skipped: int
    rejected: int
    errors: list[RowErrorOut] = Field(description="the first 1,000; errors.csv has them all")
    differences: list[DifferenceOut] = Field(
        description="orders imported with the file's total where their lines add up to another"
    )
    difference_count: int
    failure: str = Field(description="why a failed job failed (e.g. the file cannot be read)")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, job: Job) -> "ImportJobOut":
        summary = job.summary or {}
        return cls(
            id=job.pk,
            status=job.status,
            dry_run=bool(job.options.get("dry_run")),
            source_name=job.source_name,
            progress=JobProgressOut(
                done=job.progress_done, total=job.progress_total, percent=job.percent
            ),
            format=summary.get("format", ""),
            read=summary.get("read", 0),
            imported=summary.get("imported", 0),
            updated=summary.get("updated", 0),
            skipped=summary.get("skipped", 0),
            rejected=summary.get("rejected", 0),
            errors=summary.get("errors", []),
            differences=summary.get("differences", []),
            difference_count=summary.get("difference_count", 0),
            failure=job.error,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
        )
