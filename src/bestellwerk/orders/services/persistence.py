"""Loading an order for a change (locked, version-checked) and saving the change."""

from django.utils.translation import gettext as _

from bestellwerk.core.actors import Actor
from bestellwerk.core.errors import ServiceError
from bestellwerk.orders.balance import balance_of, derive_payment_status
from bestellwerk.orders.events import record_order_event
from bestellwerk.orders.models import Order, OrderEventType
from bestellwerk.shipping.models import Shipment


def lock_order(number: int, expected_version: int | None) -> Order:
    order = (
        # of=self: PostgreSQL cannot lock the nullable side of the outer joins, and only the
        # order row is ours to lock.
        Order.objects.select_for_update(of=("self",))
        .select_related("coupon", "shipping_method", "customer")
        .filter(number=number)
        .first()
    )
    if order is None:
        raise ServiceError(
            "not_found",
            _("Order %(number)s does not exist.") % {"number": number},
            fields={"number": number},
        )
    if expected_version is not None and expected_version != order.version:
        raise ServiceError(
            "version_conflict",
            _(
                "Order %(number)s was changed by someone else (version %(version)s, "
                "you had %(expected)s). Reload and try again."
            )
            % {"number": number, "version": order.version, "expected": expected_version},
            fields={"version": order.version},
        )
    return order


def _search_document(order: Order) -> str:
    billing, shipping = order.billing_address or {}, order.shipping_address or {}
    customer = order.customer
    parts: list[str] = [str(order.number), order.external_number or "", order.external_id or ""]
    for address in (billing, shipping):
        parts += [
            address.get(k, "")
            for k in ("first_name", "last_name", "company", "email", "phone", "city", "postal_code")
        ]
    if customer is not None:
        parts += [
            customer.first_name,
            customer.last_name,
            customer.company,
            customer.email or "",
            customer.phone,
        ]
    parts += list(order.lines.exclude(sku="").values_list("sku", flat=True))
    parts += list(
        Shipment.objects.filter(order=order)
        .exclude(tracking_code="")
        .values_list("tracking_code", flat=True)
    )
    seen: dict[str, None] = {}
    for part in parts:
        if part:
            seen.setdefault(" ".join(str(part).lower().split()), None)
    return " | ".join(seen)


def save_order_change(order: Order, *, actor: Actor) -> Order:
    """Persist a changed order: its balance and payment status derived again from the total
    and the ledger sums (a change is on the timeline), its version bumped, its search
    document refreshed."""
    _derive_money_state(order, actor)
    order.version += 1
    order.search_document = _search_document(order)
    order.save()
    return order


def _derive_money_state(order: Order, actor: Actor) -> None:
    order.balance = balance_of(order)
    payment_status = derive_payment_status(
        total=order.total, paid=order.paid_total, refunded=order.refunded_total
    )
    if payment_status == order.payment_status:
        return
    previous, order.payment_status = order.payment_status, payment_status
    if not order.is_draft:
        record_order_event(
            order=order,
            type=OrderEventType.PAYMENT_STATUS_CHANGED,
            actor=actor,
            data={"from": previous, "to": payment_status},
        )
