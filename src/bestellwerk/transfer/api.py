"""Imports and exports of orders over REST: thin handlers that check a permission, call the
transfer functions, and stream or render what they give."""

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Query, Router

from bestellwerk.api.auth import authorize
from bestellwerk.api.schemas import COMMON_ERRORS
from bestellwerk.transfer.exporting import (
    CONTENT_TYPE,
    ExportOptions,
    export_csv,
    export_filename,
)
from bestellwerk.transfer.schemas import OrderExportQuery

router = Router(tags=["transfer"])

CSV_ANSWER = {
    "description": "The orders as CSV, streamed (an attachment)",
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
