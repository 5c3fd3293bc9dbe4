"""The query of the order export: the order list's filters, the selected orders, the file's
format. The API reads it from the query string; the CLI and export jobs validate their
options with it too, so every caller has the same bounds and the same errors."""

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from ninja import Field
from pydantic import ValidationError

from bestellwerk.api.schemas import MAX_DB_INT, DateIn, MoneyIn, TextSchema
from bestellwerk.core.errors import ServiceError
from bestellwerk.core.search import MAX_QUERY_LENGTH
from bestellwerk.core.tags import MAX_TAGS
from bestellwerk.orders.models import Channel, OrderStatus, PaymentStatus
from bestellwerk.orders.schemas.fields import CODE_LENGTH, USERNAME_LENGTH, TagName
from bestellwerk.orders.selectors import OrderFilters

ExportFormat = Literal["bestellwerk", "shopify"]
ExportLayout = Literal["order", "line"]
ExportDialect = Literal["excel", "excel-de"]
# The most orders one export may name by number (a selection in the list).
MAX_SELECTED = 10_000
OrderNumber = Annotated[int, Field(ge=1, le=MAX_DB_INT)]


class OrderExportQuery(TextSchema):
    """The filters of `OrderListQuery` (without sort and paging: an export runs by number),
    `number` repeatable for a selection, and the shape of the file."""

    q: str = Field("", max_length=MAX_QUERY_LENGTH)
    number: list[OrderNumber] = Field(
        default_factory=list,
        max_length=MAX_SELECTED,
        description="repeatable: only these orders (the selected ones)",
    )
    customer: int | None = Field(None, ge=1, le=MAX_DB_INT, description="customer id")
    status: list[OrderStatus] = Field(
        default_factory=list, description="repeatable; drafts only with status=draft"
    )
    payment_status: list[PaymentStatus] = Field(default_factory=list)
    payment_method: str = Field("", max_length=CODE_LENGTH)
    shipping_method: str = Field("", max_length=CODE_LENGTH)
    tag: list[TagName] = Field(
        default_factory=list, max_length=MAX_TAGS, description="repeatable: all must match"
    )
    assignee: str = Field("", max_length=USERNAME_LENGTH, description="username, or `none`")
    lead_source: str = Field("", max_length=CODE_LENGTH)
    channel: Channel | None = None
    total_min: MoneyIn | None = None
    total_max: MoneyIn | None = None
    balance: Literal["due", "refund_due", "settled"] | None = Field(
        None,
        description="due: the customer owes money; refund_due: money is owed back; "
        "settled: neither",
    )
    created_from: DateIn | None = None
    created_to: DateIn | None = None
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

    def as_filters(self) -> OrderFilters:
        return OrderFilters(
            q=self.q,
            customer=self.customer,
            status=[status.value for status in self.status],
            payment_status=[status.value for status in self.payment_status],
            payment_method=self.payment_method,
            shipping_method=self.shipping_method,
            tag=self.tag,
            assignee=self.assignee,
            lead_source=self.lead_source,
            channel=self.channel.value if self.channel else "",
            total_min=self.total_min,
            total_max=self.total_max,
            balance=self.balance or "",
            created_from=self.created_from,
            created_to=self.created_to,
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
