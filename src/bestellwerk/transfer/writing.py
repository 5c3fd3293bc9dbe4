"""Writing prepared orders: every row of a chunk in bulk (COPY on PostgreSQL), in one
transaction. An order that breaks a rule the database keeps rejects that order only: the
chunk is then written order by order, each in its own savepoint."""

from collections import defaultdict
from operator import itemgetter
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from bestellwerk.core.actors import Actor
from bestellwerk.core.bulk import TableWriter, reserve_ids
from bestellwerk.core.errors import ServiceError
from bestellwerk.core.money import ZERO
from bestellwerk.core.search import fold
from bestellwerk.core.tags import get_or_create_tags
from bestellwerk.customers.models import Customer
from bestellwerk.customers.services import CUSTOMER_ADDRESS_FIELDS
from bestellwerk.orders.balance import derive_payment_status, order_balance
from bestellwerk.orders.lifecycle import STOCK_HOLDING
from bestellwerk.orders.models import Order, OrderEvent, OrderEventType, OrderLine, OrderNote
from bestellwerk.orders.outbox import dispatch_on_commit
from bestellwerk.orders.services import allocate_order_numbers
from bestellwerk.orders.services.persistence import order_search_document, order_search_text
from bestellwerk.orders.services.stock import deduct_stock
from bestellwerk.payments.models import Payment, Refund, RefundStatus
from bestellwerk.promotions.models import CouponRedemption
from bestellwerk.shipping.models import Shipment
from bestellwerk.transfer.preparing import (
    ChunkResult,
    ImportOptions,
    Prepared,
    References,
    line_views,
    refused,
    row_error,
)

ORDER_FIELDS = [
    "id", "number", "status", "payment_status", "channel", "lead_source_id", "customer_id",
    "assignee_id", "billing_address", "shipping_address", "shipping_same_as_billing",
    "payment_method_id", "payment_method_name", "shipping_method_id", "shipping_method_name",
    "coupon_id", "coupon_code", "currency", "subtotal", "discount_total", "shipping_total",
    "net_total", "tax_total", "total", "tax_breakdown", "paid_total", "refunded_total",
    "credited_total", "balance", "version", "stock_held", "external_source", "external_id",
    "external_number", "search_document", "placed_at", "created_at", "updated_at",
]  # fmt: skip
LINE_FIELDS = [
    "order_id", "position", "product_id", "sku", "name", "unit_price", "vat_rate", "quantity",
    "subtotal", "discount", "total", "tax", "stock_deducted", "refunded_quantity",
]  # fmt: skip
EVENT_FIELDS = [
    "id", "order_id", "type", "data", "actor_kind", "actor_user_id", "actor_label",
    "actor_token_id", "created_at", "dispatched_at",
]  # fmt: skip
PAYMENT_FIELDS = [
    "id", "order_id", "provider", "method_id", "reference", "refund_reference", "amount",
    "currency", "paid_at", "voided_payment_id", "reason", "created_at", "actor_kind",
    "actor_user_id", "actor_label",
]  # fmt: skip
REFUND_FIELDS = [
    "id", "order_id", "payment_id", "provider", "status", "amount", "shipping_amount",
    "credited_amount", "currency", "reason", "restock", "notify_customer", "set_status_refunded",
    "provider_reference", "failure_message", "idempotency_key", "request_fingerprint",
    "created_at", "completed_at", "checked_at", "actor_kind", "actor_user_id", "actor_label",
]  # fmt: skip
SHIPMENT_FIELDS = [
    "id", "order_id", "carrier_id", "carrier_name", "tracking_code", "tracking_url",
    "created_at", "updated_at",
]  # fmt: skip
# What the lines decide of an order's money (the ledger sums are kept apart).
TOTALS_FIELDS = (
    "subtotal", "discount_total", "shipping_total", "net_total", "tax_total", "total",
    "tax_breakdown",
)  # fmt: skip
REDEMPTION_FIELDS = ["coupon_id", "order_id", "customer_id", "created_at"]
NOTE_FIELDS = ["id", "order_id", "body", "author_id", "author_label", "created_at"]
CUSTOMER_FIELDS = [
    "id", "email", "first_name", "last_name", "company", "phone", "vat_id", "line1", "line2",
    "postal_code", "city", "region", "country", "language", "search_document", "created_at",
    "updated_at",
]  # fmt: skip


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
                    self._update(item)
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
        customers = self._customers(items, now)
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
            self._deduct_stock(holding)
        for event_id in undispatched:
            dispatch_on_commit(event_id)

    def _deduct_stock(self, order_ids: list[int]) -> None:
        """Take the stock of imported orders that hold it (asked for with adjust_stock)."""
        lines_by_order: dict[int, list[OrderLine]] = defaultdict(list)
        for line in OrderLine.objects.filter(order_id__in=order_ids).select_related("product"):
            lines_by_order[line.order_id].append(line)
        for order in Order.objects.filter(pk__in=order_ids):
            deduct_stock(order, lines_by_order[order.pk], self.actor)
        Order.objects.filter(pk__in=order_ids).update(stock_held=True)
        if not self.options.run_automations:
            # The movements are on the timeline, but no webhook or automation hears of them.
            OrderEvent.objects.filter(
                order_id__in=order_ids,
                type=OrderEventType.STOCK_DEDUCTED,
                dispatched_at__isnull=True,
            ).update(dispatched_at=timezone.now())

    def _customers(self, items: list[Prepared], now: Any) -> dict[str, Customer]:
        """The customers of the chunk by folded e-mail: found, or created from the billing
        address of their newest order; blank fields of found ones filled from it."""
        newest: dict[str, Prepared] = {}
        for item in items:
            key = item.customer_key
            if key and (
                key not in newest or item.source.created_at > newest[key].source.created_at
            ):
                newest[key] = item
        if not newest:
            return {}
        found = {
            customer.email.lower(): customer
            for customer in Customer.objects.annotate(folded=Lower("email")).filter(
                email__gt="", folded__in=[item.source.email.lower() for item in newest.values()]
            )
        }
        changed = []
        for key, customer in found.items():
            billing = newest[key].source.billing if key in newest else {}
            blanks = [
                f for f in CUSTOMER_ADDRESS_FIELDS if not getattr(customer, f) and billing.get(f)
            ]
            for name in blanks:
                setattr(customer, name, billing[name])
            if blanks:
                customer.search_document = customer.build_search_document()
                customer.updated_at = now
                changed.append(customer)
        if changed:
            Customer.objects.bulk_update(
                changed, [*CUSTOMER_ADDRESS_FIELDS, "search_document", "updated_at"]
            )
        missing = [key for key in newest if key not in found]
        ids = reserve_ids(Customer, len(missing))
        rows = []
        for key, customer_id in zip(missing, ids, strict=True):
            source = newest[key].source
            customer = Customer(
                pk=customer_id,
                email=source.email.lower(),
                language=source.language if source.language in ("de", "en") else "",
                **{f: source.billing.get(f, "") for f in CUSTOMER_ADDRESS_FIELDS},
            )
            customer.search_document = customer.build_search_document()
            found[key] = customer
            rows.append(
                tuple(
                    getattr(customer, f) if f not in ("created_at", "updated_at") else now
                    for f in CUSTOMER_FIELDS
                )
            )
        self._writer(Customer, CUSTOMER_FIELDS).write(rows)
        return found

    def _tags(self, items: list[Prepared]) -> dict[str, int]:
        names = {name for item in items for name in item.tags}
        if not names:
            return {}
        return {tag.name.lower(): tag.pk for tag in get_or_create_tags(names)}

    def _update(self, item: Prepared) -> None:
        """Bring an order imported before up to the file: its details, lines and totals,
        tags and notes; the ledger reaches the file's sums by new rows (it is append-only)."""
        order = Order.objects.select_for_update(of=("self",)).get(pk=item.existing_id)
        if order.stock_held:
            raise refused(
                "",
                _("order %(number)s holds stock here; change it in Bestellwerk")
                % {"number": order.number},
            )
        source, money, refs = item.source, item.money, item.refs
        if money["paid_total"] < order.paid_total or money["refunded_total"] < order.refunded_total:
            raise refused(
                "",
                _(
                    "order %(number)s has more payments or refunds here than the file says; "
                    "the ledger is only ever added to: change it in Bestellwerk"
                )
                % {"number": order.number},
            )
        now = timezone.now()
        if (unpaid := money["paid_total"] - order.paid_total) > 0:
            Payment.objects.create(
                order=order,
                provider="manual",
                method=refs["payment_method"],
                reference=source.payments[0].reference if source.payments else "",
                amount=unpaid,
                currency=source.currency,
                paid_at=now,
                reason=_("Import update"),
                **self.actor.as_fields(),
            )
            order.paid_total += unpaid
        if (unrefunded := money["refunded_total"] - order.refunded_total) > 0:
            credited = min(unrefunded, max(ZERO, money["credited_total"] - order.credited_total))
            Refund.objects.create(
                order=order,
                provider="manual",
                status=RefundStatus.SUCCEEDED,
                amount=unrefunded,
                credited_amount=credited,
                currency=source.currency,
                reason=_("Import update"),
                completed_at=now,
                **self.actor.as_fields(),
            )
            order.refunded_total += unrefunded
            order.credited_total += credited
        OrderLine.objects.filter(order=order).delete()
        OrderLine.objects.bulk_create(
            [
                OrderLine(order=order, **{k: v for k, v in line.items() if k != "tracked"})
                for line in item.lines
            ]
        )
        for name in TOTALS_FIELDS:
            setattr(order, name, money[name])
        order.status = source.status
        order.billing_address = source.billing
        order.shipping_address = source.shipping or source.billing
        order.payment_method = refs["payment_method"]
        order.payment_method_name = refs["payment_method_name"]
        order.shipping_method_id = refs["shipping_method_id"]
        order.shipping_method_name = refs["shipping_method_name"]
        if order.coupon_id != refs["coupon_id"]:
            CouponRedemption.objects.filter(order=order).delete()
            if refs["coupon_id"]:
                CouponRedemption.objects.create(
                    coupon_id=refs["coupon_id"], order=order, customer_id=order.customer_id
                )
        order.coupon_id = refs["coupon_id"]
        order.coupon_code = refs["coupon_code"]
        order.external_number = source.external_number
        order.balance = order_balance(
            total=order.total,
            paid=order.paid_total,
            refunded=order.refunded_total,
            credited=order.credited_total,
        )
        order.payment_status = derive_payment_status(
            total=order.total, paid=order.paid_total, refunded=order.refunded_total
        )
        order.version += 1
        tracking = Shipment.objects.filter(order=order).exclude(tracking_code="")
        order.search_document = order_search_document(
            order,
            lines=line_views(item.lines),
            tracking_codes=tracking.values_list("tracking_code", flat=True),
        )
        order.save()
        if item.tags:
            order.tags.add(*get_or_create_tags(item.tags))
        known_notes = set(OrderNote.objects.filter(order=order).values_list("body", flat=True))
        OrderNote.objects.bulk_create(
            [
                OrderNote(order=order, body=n, author_label=_("Import"))
                for n in source.notes
                if n not in known_notes
            ]
        )
        if self.options.adjust_stock and source.status in STOCK_HOLDING:
            self._deduct_stock([order.pk])
        OrderEvent.objects.create(
            order=order,
            type=OrderEventType.IMPORTED,
            dispatched_at=now,
            data={
                "source": source.external_source,
                "external_number": source.external_number,
                "total": f"{source.total:.2f}",
                "status": source.status,
                "updated": True,
            },
            actor_token=self.actor.token,
            **self.actor.as_fields(),
        )


def _reason(error: Exception) -> str:
    if isinstance(error, ServiceError):
        return error.message
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return _("the database refused the order: %(reason)s") % {"reason": first_line[:300]}
