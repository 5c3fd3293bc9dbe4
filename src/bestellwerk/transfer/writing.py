"""Writing prepared orders: every row of a chunk in bulk (COPY on PostgreSQL), in one
transaction. An order that breaks a rule the database keeps rejects that order only: the
chunk is then written order by order, each in its own savepoint."""

from collections import defaultdict
from operator import itemgetter
from typing import Any

from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bestellwerk.core.actors import Actor
from bestellwerk.core.bulk import TableWriter, reserve_ids
from bestellwerk.core.errors import ServiceError
from bestellwerk.core.money import ZERO
from bestellwerk.core.search import fold
from bestellwerk.core.tags import get_or_create_tags
from bestellwerk.orders.lifecycle import STOCK_HOLDING
from bestellwerk.orders.models import Order, OrderEvent, OrderEventType, OrderLine, OrderNote
from bestellwerk.orders.outbox import dispatch_on_commit
from bestellwerk.orders.services import allocate_order_numbers
from bestellwerk.orders.services.persistence import order_search_text
from bestellwerk.payments.models import Payment, Refund, RefundStatus
from bestellwerk.promotions.models import CouponRedemption
from bestellwerk.shipping.models import Shipment
from bestellwerk.transfer.columns import (
    EVENT_FIELDS,
    LINE_FIELDS,
    NOTE_FIELDS,
    ORDER_FIELDS,
    PAYMENT_FIELDS,
    REDEMPTION_FIELDS,
    REFUND_FIELDS,
    SHIPMENT_FIELDS,
)
from bestellwerk.transfer.customers import customers_of_chunk
from bestellwerk.transfer.preparing import (
    ChunkResult,
    ImportOptions,
    Prepared,
    References,
    line_views,
    row_error,
)
from bestellwerk.transfer.stocking import deduct_imported_stock
from bestellwerk.transfer.updating import update_imported_order


class ChunkWriter:
    """Writes the prepared chunks of one import run."""

    def __init__(self, *, options: ImportOptions, actor: Actor, refs: References) -> None:
        self.options = options
        self.actor = actor
        self.refs = refs
        self.writers: dict[str, TableWriter] = {}

    def write(self, prepared: list[Prepared], result: ChunkResult) -> None:
        """Write the chunk in one transaction; if the database refuses it, order by order."""
        new = [item for item in prepared if item.existing_id is None]
        updates = [item for item in prepared if item.existing_id is not None]
        try:
            with transaction.atomic():
                self._insert(new)
                result.imported += new
        except (DatabaseError, ServiceError):
            for item in new:
                try:
                    with transaction.atomic():
                        self._insert([item])
                except (DatabaseError, ServiceError) as error:
                    if self._written_meanwhile(item):
                        result.skipped += 1
                    else:
                        result.errors.append(row_error(item.source, "", _reason(error)))
                else:
                    result.imported.append(item)
        for item in updates:
            try:
                with transaction.atomic():
                    update_imported_order(item, options=self.options, actor=self.actor)
            except (DatabaseError, ServiceError) as error:
                result.errors.append(row_error(item.source, "", _reason(error)))
            else:
                result.updated.append(item)

    def _written_meanwhile(self, item: Prepared) -> bool:
        """Whether the order arrived after the chunk was prepared (another import of the
        same file at the same time): then it is there, not refused."""
        source = item.source
        return Order.objects.filter(
            external_source=source.external_source, external_id=source.external_id
        ).exists()

    def _writer(self, model: Any, fields: list[str]) -> TableWriter:
        key = model._meta.db_table
        if key not in self.writers:
            self.writers[key] = TableWriter(model, fields)
        return self.writers[key]

    def _insert(self, items: list[Prepared]) -> None:
        if not items:
            return
        now = timezone.now()
        customers = customers_of_chunk(items, now=now)
        tag_ids = self._tags(items)
        # Numbers follow the order in time, as far as one chunk can.
        items = sorted(items, key=lambda item: item.source.created_at)
        numbers = sorted(allocate_order_numbers(len(items)))
        order_ids = reserve_ids(Order, len(items))
        dispatch = self.options.run_automations or self.options.notify
        ids = {
            model: iter(reserve_ids(model, sum(count(item.source) for item in items)))
            for model, count in (
                (Payment, lambda s: len(s.payments)),
                (Refund, lambda s: len(s.refunds)),
                (Shipment, lambda s: len(s.shipments)),
                (OrderNote, lambda s: len(s.notes)),
                (OrderEvent, lambda s: 2 if dispatch else 1),
            )
        }
        rows: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        actor = {
            "actor_kind": self.actor.kind,
            "actor_user_id": self.actor.user.pk if self.actor.user else None,
            "actor_label": self.actor.label[:150],
        }
        undispatched: list[int] = []
        holding: list[int] = []
        for item, number, order_id in zip(items, numbers, order_ids, strict=True):
            source, refs, money = item.source, item.refs, item.money
            customer = customers.get(item.customer_key)
            shipping_address = source.shipping or source.billing
            payment_method = refs["payment_method"]
            tracking = [s.tracking_code for s in source.shipments if s.tracking_code]
            if self.options.adjust_stock and source.status in STOCK_HOLDING:
                holding.append(order_id)
            rows[Order].append(
                {
                    **money,
                    **{name: value for name, value in refs.items() if name != "payment_method"},
                    "id": order_id,
                    "number": number,
                    "status": source.status,
                    "customer_id": customer.pk if customer else None,
                    "billing_address": source.billing,
                    "shipping_address": shipping_address,
                    "shipping_same_as_billing": not source.shipping,
                    "payment_method_id": payment_method.pk if payment_method else None,
                    "currency": source.currency,
                    "version": 1,
                    "stock_held": False,
                    "external_source": source.external_source,
                    "external_id": source.external_id,
                    "external_number": source.external_number,
                    "search_document": order_search_text(
                        number=number,
                        external_number=source.external_number,
                        external_id=source.external_id,
                        addresses=(source.billing, shipping_address),
                        customer=customer,
                        lines=line_views(item.lines),
                        tracking_codes=tracking,
                    ),
                    "placed_at": source.placed_at or source.created_at,
                    "created_at": source.created_at,
                    "updated_at": now,
                }
            )
            rows[OrderLine] += [
                {**line, "order_id": order_id, "stock_deducted": 0, "refunded_quantity": 0}
                for line in item.lines
            ]
            payment_ids = []
            for payment in source.payments:
                payment_ids.append(next(ids[Payment]))
                rows[Payment].append(
                    {
                        **actor,
                        "id": payment_ids[-1],
                        "order_id": order_id,
                        "provider": "manual",
                        "method_id": payment_method.pk if payment_method else None,
                        "reference": payment.reference,
                        "refund_reference": "",
                        "amount": payment.amount,
                        "currency": source.currency,
                        "paid_at": payment.paid_at or source.created_at,
                        "voided_payment_id": None,
                        "reason": "",
                        "created_at": now,
                    }
                )
            credited_left = money["credited_total"]
            for refund in source.refunds:
                credited = min(refund.amount, credited_left)
                credited_left -= credited
                at = refund.refunded_at or source.created_at
                rows[Refund].append(
                    {
                        **actor,
                        "id": next(ids[Refund]),
                        "order_id": order_id,
                        "payment_id": payment_ids[0] if payment_ids else None,
                        "provider": "manual",
                        "status": RefundStatus.SUCCEEDED,
                        "amount": refund.amount,
                        "shipping_amount": ZERO,
                        "credited_amount": credited,
                        "currency": source.currency,
                        "reason": refund.reason,
                        "restock": False,
                        "notify_customer": False,
                        "set_status_refunded": False,
                        "provider_reference": None,
                        "failure_message": "",
                        "idempotency_key": None,
                        "request_fingerprint": "",
                        "created_at": at,
                        "completed_at": at,
                        "checked_at": None,
                    }
                )
            for shipment in source.shipments:
                carrier = self.refs.carriers.get(fold(shipment.carrier))
                rows[Shipment].append(
                    {
                        "id": next(ids[Shipment]),
                        "order_id": order_id,
                        "carrier_id": carrier.pk if carrier else None,
                        "carrier_name": carrier.name if carrier else shipment.carrier,
                        "tracking_code": shipment.tracking_code,
                        "tracking_url": carrier.tracking_url(shipment.tracking_code)
                        if carrier
                        else "",
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            rows[OrderNote] += [
                {
                    "id": next(ids[OrderNote]),
                    "order_id": order_id,
                    "body": note,
                    "author_id": None,
                    "author_label": _("Import"),
                    "created_at": now,
                }
                for note in source.notes
            ]
            if refs["coupon_id"]:
                rows[CouponRedemption].append(
                    {
                        "coupon_id": refs["coupon_id"],
                        "order_id": order_id,
                        "customer_id": customer.pk if customer else None,
                        "created_at": now,
                    }
                )
            rows[Order.tags.through] += [
                {"order_id": order_id, "tag_id": tag_ids[name.lower()]} for name in item.tags
            ]
            event = {
                **actor,
                "order_id": order_id,
                "actor_token_id": self.actor.token.pk if self.actor.token else None,
                "created_at": now,
            }
            data = {
                "source": source.external_source,
                "external_number": source.external_number,
                "total": f"{source.total:.2f}",
                "status": source.status,
            }
            rows[OrderEvent].append(
                {
                    **event,
                    "id": next(ids[OrderEvent]),
                    "type": OrderEventType.IMPORTED,
                    "data": data,
                    "dispatched_at": now,
                }
            )
            if dispatch:
                undispatched.append(next(ids[OrderEvent]))
                rows[OrderEvent].append(
                    {
                        **event,
                        "id": undispatched[-1],
                        "type": OrderEventType.CREATED,
                        "data": {
                            **data,
                            "imported": True,
                            "notify_customer": self.options.notify,
                            "run_automations": self.options.run_automations,
                        },
                        "dispatched_at": None,
                    }
                )
        for model, fields in (
            (Order, ORDER_FIELDS),
            (OrderLine, LINE_FIELDS),
            (Payment, PAYMENT_FIELDS),
            (Refund, REFUND_FIELDS),
            (Shipment, SHIPMENT_FIELDS),
            (OrderNote, NOTE_FIELDS),
            (Order.tags.through, ["order_id", "tag_id"]),
            (CouponRedemption, REDEMPTION_FIELDS),
            (OrderEvent, EVENT_FIELDS),
        ):
            columns = itemgetter(*fields)
            self._writer(model, fields).write([columns(row) for row in rows[model]])
        if holding:
            deduct_imported_stock(
                holding, actor=self.actor, wake_automations=self.options.run_automations
            )
        for event_id in undispatched:
            dispatch_on_commit(event_id)

    def _tags(self, items: list[Prepared]) -> dict[str, int]:
        names = {name for item in items for name in item.tags}
        if not names:
            return {}
        return {tag.name.lower(): tag.pk for tag in get_or_create_tags(names)}


def _reason(error: Exception) -> str:
    if isinstance(error, ServiceError):
        return error.message
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return _("the database refused the order: %(reason)s") % {"reason": first_line[:300]}
