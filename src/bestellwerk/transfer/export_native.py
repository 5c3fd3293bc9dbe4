"""The own format's rows (`transfer.native` names the columns): every field an import
needs, one row per order (`layout=order`) or per line (`layout=line`)."""

from typing import Any

from bestellwerk.transfer.export_cells import ADDRESS_AT, ExportContext, Row, json_cell
from bestellwerk.transfer.native import LINE_COLUMNS
from bestellwerk.transfer.selectors import ExportChunk, OrderRow

_NO_LINE = [""] * len(LINE_COLUMNS)


def _native_order_cells(order: OrderRow, chunk: ExportChunk, context: ExportContext) -> Row:
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
        *[part or "" for part in order[ADDRESS_AT]],
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
        json_cell(notes) if notes else "[]",
        _payments_cell(chunk.payments.get(order_id), context),
        _refunds_cell(chunk.refunds.get(order_id), context),
        _shipments_cell(chunk.shipments.get(order_id)),
    ]


def _payments_cell(payments: list[tuple[Any, ...]] | None, context: ExportContext) -> str:
    if not payments:
        return "[]"
    codes = context.payment_codes
    return json_cell(
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


def _refunds_cell(refunds: list[tuple[Any, ...]] | None, context: ExportContext) -> str:
    if not refunds:
        return "[]"
    return json_cell(
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
    return json_cell(
        [
            {"carrier": carrier, "tracking_code": tracking_code}
            for _id, carrier, tracking_code, _created_iso in shipments
        ]
    )


def native_order_rows(
    order: OrderRow, chunk: ExportChunk, context: ExportContext, batch: list[Row]
) -> None:
    """layout=order: one row, the lines as a JSON list of objects (keys LINE_KEYS)."""
    cells = _native_order_cells(order, chunk, context)
    cells.append(
        json_cell(
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


def native_line_rows(
    order: OrderRow, chunk: ExportChunk, context: ExportContext, batch: list[Row]
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
