"""Bestellwerk's own export read back (`transfer.native` names its columns)."""

import json
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from bestellwerk.core.money import ZERO
from bestellwerk.orders.models import Channel, OrderStatus
from bestellwerk.transfer import cells, native
from bestellwerk.transfer.formats.common import Format, Record, address, cell_error_at
from bestellwerk.transfer.records import (
    CellError,
    SourceLine,
    SourceOrder,
    SourcePayment,
    SourceRefund,
    SourceShipment,
)

IMPORTABLE_STATUSES = set(OrderStatus.values) - {OrderStatus.DRAFT}


def _order_key(values: dict[str, str]) -> str:
    return values.get("number", "").strip()


def _read_order(group: list[Record]) -> SourceOrder:
    """One order from its records (a CellError names the cell; the first row by default)."""
    row, first = group[0]
    status = cells.text(first.get("status"), 20)
    if status not in IMPORTABLE_STATUSES:
        raise CellError("status", _("'%(value)s' is not an order status") % {"value": status})
    channel = cells.text(first.get("channel"), 20)
    if channel and channel not in Channel.values:
        raise CellError("channel", _("'%(value)s' is not a channel") % {"value": channel})
    number = cells.text(first.get("number"), 100)
    lines: list[SourceLine] = []
    if native.LINES_COLUMN in first:
        lines = [
            _line(item, native.LINES_COLUMN) for item in _json_list(first, native.LINES_COLUMN)
        ]
    else:
        for line_row, values in group:
            if values.get("line_name", "").strip():
                item = {key: values.get(f"line_{key}", "") for key in native.LINE_KEYS}
                try:
                    lines.append(_line(item, "line_name"))
                except CellError as error:
                    raise cell_error_at(line_row, error) from None
    billing = address(first, lambda part: f"billing_{part}", vat_id=True)
    email = cells.text(first.get("email"), 254)
    if email:
        billing["email"] = email
    return SourceOrder(
        row=row,
        external_source=cells.text(first.get("external_source"), 30) or "bestellwerk",
        external_id=cells.text(first.get("external_id"), 100) or number,
        external_number=cells.text(first.get("external_number"), 100) or number,
        created_at=cells.moment(first.get("created_at"), "created_at"),
        placed_at=cells.moment(first.get("placed_at"), "placed_at", required=False),
        status=status,
        total=cells.positive_amount(first.get("total"), "total"),
        email=email,
        billing=billing,
        shipping=address(first, lambda part: f"shipping_{part}"),
        lines=lines,
        shipping_price=cells.positive_amount(
            first.get("shipping_total"), "shipping_total", default=ZERO
        ),
        discount_code=cells.text(first.get("coupon_code"), 100),
        tax_total=cells.amount_if_given(first.get("tax_total"), "tax_total"),
        payments=[
            SourcePayment(
                _amount(item, "amount", "payments"),
                cells.moment(item.get("paid_at"), "payments", required=False),
                cells.text(str(item.get("reference") or ""), 255),
            )
            for item in _json_list(first, "payments")
        ],
        refunds=[
            SourceRefund(
                _amount(item, "amount", "refunds"),
                cells.moment(item.get("refunded_at"), "refunds", required=False),
                cells.text(str(item.get("reason") or ""), 500),
                credited=_amount(item, "credited", "refunds") if "credited" in item else None,
            )
            for item in _json_list(first, "refunds")
        ],
        shipments=[
            SourceShipment(
                cells.text(str(item.get("carrier") or ""), 100),
                cells.text(str(item.get("tracking_code") or ""), 100),
            )
            for item in _json_list(first, "shipments")
        ],
        tags=[tag for part in first.get("tags", "").split(",") if (tag := cells.text(part, 50))],
        notes=[
            cells.text(note, 5000) for note in _json_list(first, "notes", of=str) if note.strip()
        ],
        channel=channel,
        lead_source=cells.text(first.get("lead_source"), 40),
        payment_method=cells.text(first.get("payment_method"), 100),
        shipping_method=cells.text(first.get("shipping_method"), 100),
        currency=(cells.text(first.get("currency"), 3) or "EUR").upper(),
        language=cells.text(first.get("language"), 5),
        assignee=cells.text(first.get("assignee"), 150),
    )


def _line(item: dict[str, Any], column: str) -> SourceLine:
    name = cells.text(str(item.get("name") or ""), 200)
    if not name:
        raise CellError(column, _("a line has no name"))
    rate = cells.amount(str(item.get("vat_rate") or "0"), column)
    if not 0 <= rate < 100:
        raise CellError(column, _("'%(value)s' is not a VAT rate") % {"value": rate})
    return SourceLine(
        sku=cells.text(str(item.get("sku") or ""), 64),
        name=name,
        quantity=cells.quantity(str(item.get("quantity") or ""), column),
        unit_price=_amount(item, "unit_price", column),
        vat_rate=rate,
        discount=_amount(item, "discount", column, default=ZERO),
        column=column,
    )


def _amount(item: dict[str, Any], key: str, column: str, default: Decimal | None = None) -> Decimal:
    value = cells.amount(str(item.get(key) or ""), column, default=default)
    if value < 0:
        raise CellError(column, _("%(key)s is negative") % {"key": key})
    return value


def _json_list(values: dict[str, str], column: str, *, of: type = dict) -> list[Any]:
    """A JSON cell holding a list of objects (or of texts, `of=str`)."""
    raw = (values.get(column) or "").strip()
    if not raw:
        return []
    try:
        parsed = json.loads(raw)
    except (ValueError, RecursionError):
        raise CellError(column, _("not a JSON list")) from None
    if not isinstance(parsed, list) or not all(isinstance(item, of) for item in parsed):
        raise CellError(column, _("not a JSON list"))
    return parsed


BESTELLWERK = Format(
    name="bestellwerk",
    signature=native.SIGNATURE,
    required=("number", "created_at", "status", "total"),
    order_key=_order_key,
    read_order=_read_order,
)
