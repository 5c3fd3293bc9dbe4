"""`--on-duplicate update`: an order imported before brought up to the file."""

from django.utils import timezone
from django.utils.translation import gettext as _

from bestellwerk.core.actors import Actor
from bestellwerk.core.money import ZERO
from bestellwerk.core.tags import get_or_create_tags
from bestellwerk.orders.balance import balance_of, derive_payment_status
from bestellwerk.orders.lifecycle import STOCK_HOLDING
from bestellwerk.orders.models import Order, OrderEvent, OrderEventType, OrderLine, OrderNote
from bestellwerk.orders.services.persistence import order_search_document
from bestellwerk.payments.models import Payment, Refund, RefundStatus
from bestellwerk.promotions.models import CouponRedemption
from bestellwerk.shipping.models import Shipment
from bestellwerk.transfer.columns import TOTALS_FIELDS
from bestellwerk.transfer.preparing import ImportOptions, Prepared, line_views, refused
from bestellwerk.transfer.stocking import deduct_imported_stock


def update_imported_order(item: Prepared, *, options: ImportOptions, actor: Actor) -> None:
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
            **actor.as_fields(),
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
            **actor.as_fields(),
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
    order.balance = balance_of(order)
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
    if options.adjust_stock and source.status in STOCK_HOLDING:
        deduct_imported_stock([order.pk], actor=actor, wake_automations=options.run_automations)
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
        actor_token=actor.token,
        **actor.as_fields(),
    )
