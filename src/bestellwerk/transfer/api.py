"""Imports and exports of orders over REST: thin handlers that check a permission, call the
transfer functions, and stream or render what they give."""

import uuid

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from bestellwerk.api.auth import authorize
from bestellwerk.api.schemas import COMMON_ERRORS
from bestellwerk.core.errors import ServiceError
from bestellwerk.jobs.models import JobKind
from bestellwerk.jobs.selectors import get_job
from bestellwerk.jobs.services import request_job_cancel, start_job
from bestellwerk.transfer.exporting import (
    CONTENT_TYPE,
    ExportOptions,
    export_csv,
    export_filename,
)
from bestellwerk.transfer.forms import MAX_UPLOAD_BYTES
from bestellwerk.transfer.schemas import ImportJobOut, ImportOptionsIn, OrderExportQuery
from bestellwerk.transfer.services import ERROR_COLUMNS

router = Router(tags=["transfer"])

CSV_ANSWER = {
    "description": "The orders as CSV, streamed (an attachment)",
    "content": {"text/csv": {"schema": {"type": "string"}}},
}
ERRORS_CSV_ANSWER = {
    "description": "The rejected orders as CSV: row, order, column, message",
    "content": {"text/csv": {"schema": {"type": "string"}}},
}


@router.get(
    "/exports/orders.csv",
    response=COMMON_ERRORS,
    openapi_extra={"responses": {200: CSV_ANSWER}},
)
def export_orders_endpoint(
    request: HttpRequest, query: Query[OrderExportQuery]
) -> StreamingHttpResponse:
    """The orders the list's filters match (and `number`: only those), by number, as CSV:
    `format=bestellwerk` (every field; `layout=order` or `line`) or `shopify`;
    `dialect=excel` or `excel-de`."""
    authorize(request, "orders.export")
    options = ExportOptions.from_query(query)
    response = StreamingHttpResponse(export_csv(options), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{export_filename(options)}"'
    return response


@router.post("/imports", response={202: ImportJobOut, **COMMON_ERRORS})
def start_import_endpoint(
    request: HttpRequest, options: Form[ImportOptionsIn], file: File[UploadedFile]
) -> Status:
    """Upload a CSV file (Shopify's or WooCommerce's order export, or Bestellwerk's own) to
    import in the background: answers the job at once; `GET /imports/{id}` follows it."""
    actor = authorize(request, "orders.import")
    if file.size > MAX_UPLOAD_BYTES:
        raise ServiceError(
            "file_too_large",
            _("The file is larger than %(max)s MB.") % {"max": MAX_UPLOAD_BYTES // 2**20},
            fields={"file": file.size},
        )
    job = start_job(
        kind=JobKind.IMPORT,
        user=actor.user,
        options=options.as_options(),
        source=file,
        source_name=file.name or "",
    )
    return Status(202, ImportJobOut.of(job))


@router.get("/imports/{job_id}", response={200: ImportJobOut, **COMMON_ERRORS})
def get_import_endpoint(request: HttpRequest, job_id: uuid.UUID) -> ImportJobOut:
    """The import's status (`queued`, `running`, `finished`, `failed`, `cancelled`),
    progress, and its summary so far."""
    authorize(request, "orders.import")
    return ImportJobOut.of(get_job(job_id=job_id, kind=JobKind.IMPORT))


@router.post("/imports/{job_id}/cancel", response={200: ImportJobOut, **COMMON_ERRORS})
def cancel_import_endpoint(request: HttpRequest, job_id: uuid.UUID) -> ImportJobOut:
    """Stop the import after the chunk it is writing; what was written stays."""
    authorize(request, "orders.import")
    return ImportJobOut.of(request_job_cancel(job=get_job(job_id=job_id, kind=JobKind.IMPORT)))


@router.get(
    "/imports/{job_id}/errors.csv",
    response=COMMON_ERRORS,
    openapi_extra={"responses": {200: ERRORS_CSV_ANSWER}},
)
def import_errors_endpoint(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    """The rejected orders with row, order, column and reason."""
    authorize(request, "orders.import")
    job = get_job(job_id=job_id, kind=JobKind.IMPORT)
    if job.result:
        response: HttpResponse = FileResponse(job.result.open("rb"), content_type=CONTENT_TYPE)
    else:
        response = HttpResponse(",".join(ERROR_COLUMNS) + "\r\n", content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return response
