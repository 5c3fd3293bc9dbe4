"""Loading an order for a change (locked, version-checked) and saving the change."""

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from bestellwerk.core.actors import Actor
from bestellwerk.core.errors import ServiceError
from bestellwerk.core.row_cache import attach_cached
from bestellwerk.core.search import search_document
from bestellwerk.customers.models import Customer
from bestellwerk.orders.balance import balance_of, derive_payment_status
from bestellwerk.orders.events import record_order_event
from bestellwerk.orders.models import Order, OrderEventType, OrderLine
from bestellwerk.shipping.models import Shipment, ShippingMethod


def lock_order(number: int, expected_version: int | None) -> Order:
    order = (
        # of=self: PostgreSQL cannot lock the nullable side of the outer joins, and only the
        # order row is ours to lock.
        Order.objects.select_for_update(of=("self",))
        .select_related("coupon", "customer")
        .filter(number=number)
        .first()
    )
    if order is None:
        raise ServiceError(
            "not_found",
            _("Order %(number)s does not exist.") % {"number": number},
            fields={"number": number},
        )
    attach_cached([order], "shipping_method", ShippingMethod)
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


ADDRESS_SEARCH_KEYS = (
    "first_name",
    "last_name",
    "company",
    "email",
    "line1",
    "postal_code",
    "city",
)


def order_search_document(
    order: Order, *, lines: Iterable[OrderLine], tracking_codes: Iterable[str]
) -> str:
    """What the order is found by (`core.search`): number, external number and id, the names,
    company, e-mail, street, postcode, city and phone of both addresses and the customer, SKU
    and product name of each line, every tracking code."""
    return order_search_text(
        number=order.number,
        external_number=order.external_number,
        external_id=order.external_id,
        addresses=(order.billing_address or {}, order.shipping_address or {}),
        customer=order.customer,
        lines=lines,
        tracking_codes=tracking_codes,
    )


def order_search_text(
    *,
    number: int,
    external_number: str,
    external_id: str | None,
    addresses: Iterable[dict[str, Any]],
    customer: Customer | None,
    lines: Iterable[Any],
    tracking_codes: Iterable[str],
) -> str:
    """`order_search_document` of an order not built as a model (bulk writers); `lines`
    need `sku` and `name`."""
    texts: list[str | None] = [str(number), external_number, external_id]
    phones: list[str | None] = []
    for address in addresses:
        texts += [address.get(key) for key in ADDRESS_SEARCH_KEYS]
        phones.append(address.get("phone"))
    if customer is not None:
        texts += [customer.first_name, customer.last_name, customer.company, customer.email]
        phones.append(customer.phone)
    for line in lines:
        texts += [line.sku, line.name]
    texts += tracking_codes
    return search_document(texts, phones=phones)


def save_order_change(
    order: Order,
    *,
    actor: Actor,
    searchable_changed: bool = True,
    lines: Iterable[OrderLine] | None = None,
    tracking_codes: Iterable[str] | None = None,
) -> Order:
    """Persist a changed order (insert a new one): its balance and payment status derived
    again from the total and the ledger sums (a change is on the timeline), its version
    bumped. Its search document is built again unless the caller knows nothing it holds
    changed (`searchable_changed=False`: status, payments, notes, tags); pass `lines` and
    `tracking_codes` when they are at hand, or they are read again."""
    _derive_money_state(order, actor)
    order.version += 1
    if searchable_changed:
        if lines is None:
            lines = OrderLine.objects.filter(order=order).only("sku", "name")
        if tracking_codes is None:
            tracking_codes = (
                Shipment.objects.filter(order=order)
                .exclude(tracking_code="")
                .values_list("tracking_code", flat=True)
            )
        order.search_document = order_search_document(
            order, lines=lines, tracking_codes=tracking_codes
        )
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
    # A new order starts in its status; only a change of a saved order is an event.
    if not order.is_draft and order.pk is not None:
        record_order_event(
            order=order,
            type=OrderEventType.PAYMENT_STATUS_CHANGED,
            actor=actor,
            data={"from": previous, "to": payment_status},
        )
