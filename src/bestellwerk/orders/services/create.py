"""Creating orders and drafts, and placing a draft."""

from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bestellwerk.accounts.permissions import require_capability
from bestellwerk.catalog.models import Product
from bestellwerk.core.actors import Actor
from bestellwerk.core.errors import ServiceError
from bestellwerk.core.models import Counter, ShopSettings
from bestellwerk.core.tags import get_or_create_tags
from bestellwerk.customers.services import (
    add_customer_tags,
    find_customer_by_email,
)
from bestellwerk.orders.events import record_order_event
from bestellwerk.orders.inputs import (
    MAX_NOTE_LENGTH,
    UNSET,
    LineInput,
)
from bestellwerk.orders.lifecycle import PLACEABLE, stock_effect
from bestellwerk.orders.models import (
    Channel,
    LeadSource,
    Order,
    OrderEventType,
    OrderLine,
    OrderNote,
    OrderStatus,
)
from bestellwerk.orders.selectors import as_read
from bestellwerk.orders.services.cart import current_lines, prepare_cart, write_cart
from bestellwerk.orders.services.parties import (
    billing_from_customer,
    customer_from_billing,
    set_addresses,
)
from bestellwerk.orders.services.persistence import lock_order, save_order_change
from bestellwerk.orders.services.references import resolve_assignee, resolve_code, resolve_customer
from bestellwerk.orders.services.stock import deduct_stock, mark_stock_deducted
from bestellwerk.payments.models import PaymentMethod
from bestellwerk.promotions.services import (
    redeem_coupon,
)
from bestellwerk.shipping.models import ShippingMethod

ORDER_NUMBER_COUNTER = "order_number"
FIRST_ORDER_NUMBER = 10001
ORDER_NUMBER_SEQUENCE = "orders_order_number_seq"


def allocate_order_numbers(count: int = 1) -> list[int]:
    """`count` new order numbers, rising, never handed out twice. On PostgreSQL they come
    from a sequence (migration 0011), which locks nothing: concurrent orders do not wait for
    each other's commit, and a rolled-back order leaves a gap (order numbers may have gaps;
    invoice numbers may not). SQLite writes one transaction at a time anyway: a counter row."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT nextval('{ORDER_NUMBER_SEQUENCE}') FROM generate_series(1, %s)", [count]
            )
            return [row[0] for row in cursor.fetchall()]
        increment = (
            f"UPDATE {Counter._meta.db_table} SET value = value + %s WHERE name = %s "
            "RETURNING value"
        )
        cursor.execute(increment, [count, ORDER_NUMBER_COUNTER])
        row = cursor.fetchone()
        if row is None:
            Counter.objects.create(name=ORDER_NUMBER_COUNTER, value=FIRST_ORDER_NUMBER - 1)
            cursor.execute(increment, [count, ORDER_NUMBER_COUNTER])
            row = cursor.fetchone()
        last = row[0]
    return list(range(last - count + 1, last + 1))


@transaction.atomic
def create_order(
    *,
    actor: Actor,
    status: str = OrderStatus.PENDING,
    channel: str = Channel.MANUAL,
    customer_id: int | None = None,
    billing_address: dict[str, Any] | None = None,
    shipping_address: dict[str, Any] | None = None,
    shipping_same_as_billing: bool | None = None,
    lines: list[LineInput] | None = None,
    coupon_code: str | None = None,
    payment_method: str | None = None,
    shipping_method: str | None = None,
    assignee: str | None = None,
    lead_source: str | None = None,
    tags: list[str] | None = None,
    note: str | None = None,
    adjust_stock: bool = True,
    external_source: str | None = None,
    external_id: str | None = None,
    external_number: str = "",
    created_at: datetime | None = None,
    with_relations: bool = False,
) -> Order:
    """Create a draft (a cart being built) or a placed order in one go. `with_relations`:
    the order comes with its lines, tags, shipments and notes attached as `get_order`
    would read them."""
    require_capability(actor, "orders.edit")
    if status != OrderStatus.DRAFT and status not in PLACEABLE:
        raise ServiceError(
            "invalid_status",
            _("An order cannot be created as %(status)r.") % {"status": status},
            fields={"status": status},
        )
    if channel not in Channel.values:
        raise ServiceError(
            "unknown_channel",
            _("Unknown channel %(channel)r.") % {"channel": channel},
            fields={"channel": channel},
        )
    if (
        external_source
        and external_id
        and Order.objects.filter(external_source=external_source, external_id=external_id).exists()
    ):
        raise ServiceError(
            "duplicate_external_id",
            _("Order %(source)s/%(id)s exists already.")
            % {"source": external_source, "id": external_id},
            fields={"external_id": external_id},
        )
    order = Order(
        number=allocate_order_numbers()[0],
        status=OrderStatus.DRAFT,
        channel=channel,
        currency=ShopSettings.load().currency,
        payment_method=resolve_code(PaymentMethod, payment_method, "payment_method"),
        shipping_method=resolve_code(ShippingMethod, shipping_method, "shipping_method"),
        lead_source=resolve_code(LeadSource, lead_source, "lead_source"),
        assignee=resolve_assignee(assignee),
        customer=resolve_customer(customer_id),
        external_source=external_source or None,
        external_id=external_id or None,
        external_number=external_number,
        created_at=created_at or timezone.now(),
        version=0,
    )
    set_addresses(
        order,
        billing_address=billing_address,
        shipping_address=shipping_address if shipping_address else UNSET,
        shipping_same_as_billing=shipping_same_as_billing
        if shipping_same_as_billing is not None
        else UNSET,
    )
    if order.customer is not None and not order.billing_address:
        order.billing_address = billing_from_customer(order.customer)
        set_addresses(
            order, billing_address=UNSET, shipping_address=UNSET, shipping_same_as_billing=UNSET
        )
    if note and len(note) > MAX_NOTE_LENGTH:
        raise ServiceError(
            "invalid_note",
            _("A note has at most %(max)d characters.") % {"max": MAX_NOTE_LENGTH},
            fields={"note": len(note)},
        )
    # Everything is computed before the first write, and the stock is taken last: the rows
    # of a product many orders want stay locked from its stock update until commit.
    placing = status != OrderStatus.DRAFT
    if placing:
        _check_placeable(status)
        order.status = status
    cart = prepare_cart(
        order, line_inputs=lines or [], coupon_code=coupon_code or None, old_lines=[]
    )
    if placing:
        _check_has_lines(cart.lines)
        _set_placed(order)
        if adjust_stock and stock_effect(OrderStatus.DRAFT, status, stock_held=False) == "deduct":
            # The lines are written with the units they take; the stock itself comes last.
            order.stock_held = True
            mark_stock_deducted(cart.lines)
    elif order.customer is None:
        order.customer = find_customer_by_email(order.billing_address.get("email", ""))
    save_order_change(order, actor=actor, lines=cart.lines, tracking_codes=[])
    order_tags = get_or_create_tags(tags) if tags else []
    if order_tags:
        order.tags.set(order_tags)
    write_cart(order, cart, actor=actor, initial=True)
    notes = []
    if note:
        notes.append(
            OrderNote.objects.create(
                order=order, body=note, author=actor.user, author_label=actor.label
            )
        )
    if not placing:
        record_order_event(order=order, type=OrderEventType.DRAFT_CREATED, actor=actor)
    else:
        _record_placement(order, cart.lines, actor=actor, adjust_stock=adjust_stock)
        if order.stock_held:
            deduct_stock(order, cart.lines, actor, update_lines=False)
    if with_relations:
        # For an answer built at once (the API's 201): what a read back would load, without
        # reading it back. Not the default: the lists would go stale on later changes.
        return as_read(order, lines=cart.lines, tags=order_tags, shipments=[], notes=notes)
    return order


def _check_placeable(status: str) -> None:
    if status not in PLACEABLE:
        raise ServiceError(
            "invalid_status",
            _("An order cannot be placed as %(status)r.") % {"status": status},
            fields={"status": status, "allowed": sorted(PLACEABLE)},
        )


def _check_has_lines(lines: list[OrderLine]) -> None:
    if not lines:
        raise ServiceError(
            "empty_order",
            _("An order needs at least one line to be placed."),
            fields={"lines": "empty"},
        )


def _set_placed(order: Order) -> None:
    """The order enters lists now; its customer is found or created from the billing data."""
    order.placed_at = timezone.now()
    order.customer = customer_from_billing(order, email_changed=False)


def _record_placement(
    order: Order, lines: list[OrderLine], *, actor: Actor, adjust_stock: bool
) -> None:
    """The timeline entry of a placed order, and the customer tags its products give."""
    record_order_event(
        order=order,
        type=OrderEventType.CREATED,
        actor=actor,
        data={
            "status": order.status,
            "total": f"{order.total:.2f}",
            "channel": order.channel,
            "adjust_stock": adjust_stock,
        },
    )
    # Lines built from products know whether any gives tags (`_build_lines`); others ask.
    products = [line.product for line in lines if line.product is not None]
    if order.customer is None or not any(
        getattr(product, "gives_customer_tags", True) for product in products
    ):
        return
    product_ids = [product.pk for product in products]
    tag_names = set(
        Product.customer_tags.through.objects.filter(product_id__in=product_ids).values_list(
            "tag__name", flat=True
        )
    )
    added = add_customer_tags(customer=order.customer, names=sorted(tag_names))
    if added:
        record_order_event(
            order=order,
            type=OrderEventType.TAGS_CHANGED,
            actor=actor,
            data={"customer_tags_added": added},
        )


@transaction.atomic
def place_order(
    *,
    number: int,
    actor: Actor,
    status: str = OrderStatus.PENDING,
    adjust_stock: bool = True,
    expected_version: int | None = None,
) -> Order:
    """Turn a draft into an order: it enters lists, automations and e-mails from now on."""
    require_capability(actor, "orders.edit")
    order = lock_order(number, expected_version)
    if not order.is_draft:
        raise ServiceError(
            "not_a_draft",
            _("Order %(number)s is placed already.") % {"number": number},
            fields={"status": order.status},
        )
    _check_placeable(status)
    lines = current_lines(order)
    _check_has_lines(lines)
    order.status = status
    _set_placed(order)
    if order.coupon is not None:
        redeem_coupon(
            coupon=order.coupon, order_id=order.pk, subtotal=order.subtotal, customer=order.customer
        )
    _record_placement(order, lines, actor=actor, adjust_stock=adjust_stock)
    if adjust_stock and stock_effect(OrderStatus.DRAFT, status, stock_held=False) == "deduct":
        deduct_stock(order, lines, actor)
    return save_order_change(order, actor=actor, lines=lines)
