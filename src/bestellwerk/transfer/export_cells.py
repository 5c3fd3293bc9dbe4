"""What both export formats share: the context of one export (cell formats, the shop's
settings lists) and how a cell is written."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo
from decimal import Decimal
from typing import Any

from django.utils import timezone

from bestellwerk.core.row_cache import all_rows_by_id
from bestellwerk.orders.models import LeadSource
from bestellwerk.payments.models import PaymentMethod
from bestellwerk.shipping.models import ShippingMethod
from bestellwerk.transfer.native import BILLING_COLUMNS, SHIPPING_COLUMNS
from bestellwerk.transfer.selectors import OrderRow, parse_moment

Row = list[str]

json_cell = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def decimal_comma(value: Decimal | str) -> str:
    return str(value).replace(".", ",")


@dataclass
class ExportContext:
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
    def create(cls, *, decimal_comma_amounts: bool) -> "ExportContext":
        payment_methods = all_rows_by_id(PaymentMethod)
        shipping_methods = all_rows_by_id(ShippingMethod)
        return cls(
            money=decimal_comma if decimal_comma_amounts else str,
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


# Where the address parts sit in an OrderRow: in the order of the own format's columns.
ADDRESS_AT = slice(
    OrderRow._fields.index(BILLING_COLUMNS[0]), OrderRow._fields.index(SHIPPING_COLUMNS[-1]) + 1
)
if OrderRow._fields[ADDRESS_AT] != (*BILLING_COLUMNS, *SHIPPING_COLUMNS):
    raise RuntimeError("OrderRow's address parts must follow the own format's columns")
