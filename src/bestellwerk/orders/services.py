"""Every write to an order. One transaction each, the order row locked, events inside.

Each public service takes the order `number`, the `actor`, and optionally the
`expected_version` the caller last saw: a stale one gets `version_conflict` and changes
nothing. Every change bumps `version`.
"""

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from bestellwerk.accounts.models import User
from bestellwerk.catalog.models import Product, StockReason
from bestellwerk.catalog.services import apply_stock_changes, parse_vat_rate
from bestellwerk.core.actors import Actor
from bestellwerk.core.errors import ServiceError
from bestellwerk.core.models import Counter, ShopSettings
from bestellwerk.core.money import parse_money
from bestellwerk.core.tags import get_or_create_tags
from bestellwerk.customers.models import Customer
from bestellwerk.customers.services import (
    add_customer_tags,
    find_customer_by_email,
    upsert_customer_from_billing,
)
from bestellwerk.orders.events import record_order_event
from bestellwerk.orders.inputs import (
    MAX_LINES,
    MAX_NOTE_LENGTH,
    MAX_QUANTITY,
    UNSET,
    LineInput,
    clean_address,
)
from bestellwerk.orders.lifecycle import PLACEABLE, TRANSITIONS, can_transition, stock_effect
from bestellwerk.orders.models import (
    Channel,
    LeadSource,
    Order,
    OrderEventType,
    OrderLine,
    OrderNote,
    OrderStatus,
    PaymentStatus,
)
from bestellwerk.orders.totals import CouponTerms, LineAmountsInput, compute_totals
from bestellwerk.payments.models import PaymentMethod
from bestellwerk.promotions.models import Coupon
from bestellwerk.promotions.services import (
    check_coupon,
    check_coupon_minimum,
    get_coupon_by_code,
    redeem_coupon,
    release_coupon,
)
from bestellwerk.shipping.models import Carrier, Shipment, ShippingMethod

ORDER_NUMBER_COUNTER = "order_number"
FIRST_ORDER_NUMBER = 10001

# --------------------------------------------------------------------------- helpers


def _next_order_number() -> int:
    counter = Counter.objects.select_for_update().filter(name=ORDER_NUMBER_COUNTER).first()
    if counter is None:
        # Two first orders may race to create the counter: one insert wins, both then lock it.
        Counter.objects.bulk_create(
            [Counter(name=ORDER_NUMBER_COUNTER, value=FIRST_ORDER_NUMBER - 1)],
            ignore_conflicts=True,
        )
        counter = Counter.objects.select_for_update().get(name=ORDER_NUMBER_COUNTER)
    counter.value += 1
    counter.save(update_fields=["value"])
    return counter.value


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
            "not_found", f"Order {number} does not exist.", fields={"number": number}
        )
    if expected_version is not None and expected_version != order.version:
        raise ServiceError(
            "version_conflict",
            f"Order {number} was changed by someone else (version {order.version}, "
            f"you had {expected_version}). Reload and try again.",
            fields={"version": order.version},
        )
    return order


def _resolve_code(model: type[Model], code: str | None, field: str) -> Any:
    if code in (None, ""):
        return None
    obj = model.objects.filter(code=code).first()
    if obj is None:
        raise ServiceError(
            f"unknown_{field}", f"Unknown {field.replace('_', ' ')} {code!r}.", fields={field: code}
        )
    return obj


def _resolve_assignee(username: str | None) -> User | None:
    if username in (None, ""):
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ServiceError(
            "unknown_assignee", f"No active staff user {username!r}.", fields={"assignee": username}
        )
    return user


def _resolve_customer(customer_id: int | None) -> Customer | None:
    if customer_id is None:
        return None
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise ServiceError(
            "unknown_customer",
            f"Customer {customer_id} does not exist.",
            fields={"customer_id": customer_id},
        )
    return customer


def _build_lines(line_inputs: list[LineInput]) -> list[OrderLine]:
    """Unsaved lines with SKU, name, price and VAT copied from the product (one query)."""
    if len(line_inputs) > MAX_LINES:
        raise ServiceError(
            "too_many_lines",
            f"An order has at most {MAX_LINES} lines.",
            fields={"lines": len(line_inputs)},
        )
    skus = {line.sku for line in line_inputs if line.sku}
    products = {p.sku: p for p in Product.objects.filter(sku__in=skus)} if skus else {}
    errors: dict[str, str] = {}
    unknown = sorted(skus - products.keys())
    if unknown:
        raise ServiceError(
            "unknown_sku", "Unknown SKU: " + ", ".join(unknown), fields={"skus": unknown}
        )
    lines = []
    for index, item in enumerate(line_inputs):
        key = f"lines[{index}]"
        if (
            isinstance(item.quantity, bool)
            or not isinstance(item.quantity, int)
            or not 1 <= item.quantity <= MAX_QUANTITY
        ):
            errors[f"{key}.quantity"] = f"a whole number from 1 to {MAX_QUANTITY}"
            continue
        try:
            unit_price = parse_money(item.unit_price) if item.unit_price is not None else None
        except ValueError as exc:
            errors[f"{key}.unit_price"] = str(exc)
            continue
        if unit_price is not None and unit_price < 0:
            errors[f"{key}.unit_price"] = "cannot be negative"
            continue
        if item.sku:
            product = products[item.sku]
            if not product.is_active:
                errors[f"{key}.sku"] = f"{item.sku} is not for sale"
                continue
            lines.append(
                OrderLine(
                    product=product,
                    sku=product.sku,
                    name=(item.name or product.name)[:200],
                    unit_price=product.price if unit_price is None else unit_price,
                    vat_rate=product.vat_rate,
                    quantity=item.quantity,
                )
            )
            continue
        name = (item.name or "").strip()
        if not name or len(name) > 200:
            errors[f"{key}.name"] = "a custom line needs a name of 1 to 200 characters"
        if unit_price is None:
            errors[f"{key}.unit_price"] = "a custom line needs a unit price"
        try:
            rate = parse_vat_rate(item.vat_rate)
        except ValueError as exc:
            errors[f"{key}.vat_rate"] = str(exc)
        if f"{key}.name" in errors or f"{key}.unit_price" in errors or f"{key}.vat_rate" in errors:
            continue
        lines.append(
            OrderLine(
                product=None,
                sku="",
                name=name,
                unit_price=unit_price,
                vat_rate=rate,
                quantity=item.quantity,
            )
        )
    if errors:
        raise ServiceError("invalid_lines", "Some lines are invalid.", fields=errors)
    return lines


def _coupon_terms(coupon: Coupon | None) -> CouponTerms | None:
    return CouponTerms(kind=coupon.kind, value=coupon.value) if coupon else None


def _apply_totals(order: Order, lines: list[OrderLine]) -> None:
    """Write the money of the order and its (in-memory) lines from `compute_totals`."""
    totals = compute_totals(
        lines=[LineAmountsInput(line.unit_price, line.quantity, line.vat_rate) for line in lines],
        coupon=_coupon_terms(order.coupon),
        shipping_price=order.shipping_method.price if order.shipping_method else Decimal("0"),
    )
    for line, amounts in zip(lines, totals.lines, strict=True):
        line.subtotal, line.discount, line.total, line.tax = (
            amounts.subtotal,
            amounts.discount,
            amounts.total,
            amounts.tax,
        )
    order.subtotal = totals.subtotal
    order.discount_total = totals.discount
    order.shipping_total = totals.shipping
    order.net_total = totals.net
    order.tax_total = totals.tax_total
    order.total = totals.total
    order.tax_breakdown = [t.as_json() for t in totals.tax]


def _current_lines(order: Order) -> list[OrderLine]:
    return list(order.lines.select_related("product").order_by("position", "id"))


def _save_lines(order: Order, lines: list[OrderLine]) -> None:
    OrderLine.objects.filter(order=order).delete()
    for position, line in enumerate(lines):
        line.pk = None
        line.order = order
        line.position = position
    OrderLine.objects.bulk_create(lines)


def _stock_changes_for(lines: list[OrderLine], sign: int) -> dict[int, int]:
    changes: dict[int, int] = defaultdict(int)
    for line in lines:
        if line.product_id:
            changes[line.product_id] += sign * line.quantity
    return changes


def _deduct_stock(order: Order, lines: list[OrderLine], actor: Actor) -> None:
    movements = apply_stock_changes(
        changes=_stock_changes_for(lines, -1),
        reason=StockReason.ORDER_DEDUCTED,
        actor=actor,
        order=order,
    )
    deducted = {m.product_id for m in movements}
    for line in lines:
        line.stock_deducted = line.quantity if line.product_id in deducted else 0
    OrderLine.objects.bulk_update(lines, ["stock_deducted"])
    order.stock_held = True
    record_order_event(
        order=order,
        type=OrderEventType.STOCK_DEDUCTED,
        actor=actor,
        data={"movements": _movement_data(movements, lines)},
    )


def _restock(
    order: Order, lines: list[OrderLine], actor: Actor, reason: str = StockReason.ORDER_RESTOCKED
) -> None:
    changes: dict[int, int] = defaultdict(int)
    for line in lines:
        if line.product_id and line.stock_deducted:
            changes[line.product_id] += line.stock_deducted
    movements = apply_stock_changes(changes=changes, reason=reason, actor=actor, order=order)
    for line in lines:
        line.stock_deducted = 0
    OrderLine.objects.bulk_update(lines, ["stock_deducted"])
    order.stock_held = False
    record_order_event(
        order=order,
        type=OrderEventType.STOCK_RESTOCKED,
        actor=actor,
        data={"movements": _movement_data(movements, lines)},
    )


def _movement_data(movements: list, lines: list[OrderLine]) -> list[dict[str, Any]]:
    sku_by_product = {line.product_id: line.sku for line in lines if line.product_id}
    return [
        {
            "sku": sku_by_product.get(m.product_id, ""),
            "delta": m.delta,
            "quantity_after": m.quantity_after,
        }
        for m in movements
    ]


def _line_snapshot(lines: list[OrderLine]) -> list[dict[str, Any]]:
    return [
        {
            "sku": line.sku,
            "name": line.name,
            "quantity": line.quantity,
            "unit_price": f"{line.unit_price:.2f}",
        }
        for line in lines
    ]


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


def save_order_change(order: Order) -> Order:
    """Persist a changed order: bump its version and refresh its search document."""
    order.version += 1
    order.search_document = _search_document(order)
    order.save()
    return order


def _check_coupon_for(order: Order, coupon: Coupon, subtotal: Decimal) -> None:
    check_coupon(
        coupon=coupon,
        subtotal=subtotal,
        customer=order.customer,
        exclude_order_id=order.pk if not order.is_draft else None,
    )


def _change_cart(
    order: Order,
    *,
    actor: Actor,
    line_inputs: list[LineInput] | None = None,
    coupon_code: str | None = UNSET,
    initial: bool = False,
) -> None:
    """Replace lines and/or coupon; keeps held stock in step and the coupon's use counted."""
    old_lines = _current_lines(order)
    lines = _build_lines(line_inputs) if line_inputs is not None else old_lines
    if not order.is_draft and not lines:
        raise ServiceError(
            "empty_order", "A placed order needs at least one line.", fields={"lines": "empty"}
        )
    old_coupon = order.coupon
    if coupon_code is not UNSET:
        order.coupon = get_coupon_by_code(coupon_code) if coupon_code else None
    subtotal = sum((line.unit_price * line.quantity for line in lines), Decimal(0))
    if order.coupon is not None and not order.is_draft and order.coupon == old_coupon:
        # The placed order redeemed this coupon already; it may have expired or been used
        # up since, which must not lock the cart.
        check_coupon_minimum(coupon=order.coupon, subtotal=subtotal)
    elif order.coupon is not None:
        _check_coupon_for(order, order.coupon, subtotal)
    _apply_totals(order, lines)
    if order.coupon != old_coupon and not order.is_draft:
        # Before any stock moves: every service takes the coupon's lock before products'.
        if order.coupon is None:
            release_coupon(order_id=order.pk)
        else:
            redeem_coupon(
                coupon=order.coupon, order_id=order.pk, subtotal=subtotal, customer=order.customer
            )

    if line_inputs is not None:
        if order.stock_held:
            # Move stock by the difference between what is held and what is now ordered.
            held = defaultdict(int)
            for line in old_lines:
                if line.product_id:
                    held[line.product_id] += line.stock_deducted
            wanted = _stock_changes_for(lines, 1)
            changes = {pid: held.get(pid, 0) - wanted.get(pid, 0) for pid in {*held, *wanted}}
            movements = apply_stock_changes(
                changes=changes, reason=StockReason.ORDER_LINES_CHANGED, actor=actor, order=order
            )
            tracked = set(
                Product.objects.filter(pk__in=wanted, track_stock=True).values_list("pk", flat=True)
            )
            for line in lines:
                line.stock_deducted = line.quantity if line.product_id in tracked else 0
            if movements:
                record_order_event(
                    order=order,
                    type=OrderEventType.STOCK_DEDUCTED
                    if any(m.delta < 0 for m in movements)
                    else OrderEventType.STOCK_RESTOCKED,
                    actor=actor,
                    data={"movements": _movement_data(movements, [*lines, *old_lines])},
                )
        _save_lines(order, lines)
    if line_inputs is not None and not initial:
        record_order_event(
            order=order,
            type=OrderEventType.LINES_CHANGED,
            actor=actor,
            data={
                "before": _line_snapshot(old_lines),
                "after": _line_snapshot(lines),
                "total": f"{order.total:.2f}",
            },
        )
    if line_inputs is None:
        OrderLine.objects.bulk_update(lines, ["subtotal", "discount", "total", "tax"])

    if order.coupon != old_coupon:
        if old_coupon is not None:
            record_order_event(
                order=order,
                type=OrderEventType.COUPON_REMOVED,
                actor=actor,
                data={"code": old_coupon.code},
            )
        if order.coupon is not None:
            record_order_event(
                order=order,
                type=OrderEventType.COUPON_APPLIED,
                actor=actor,
                data={"code": order.coupon.code, "discount": f"{order.discount_total:.2f}"},
            )


def _place(order: Order, *, status: str, actor: Actor, adjust_stock: bool) -> None:
    if status not in PLACEABLE:
        raise ServiceError(
            "invalid_status",
            f"An order cannot be placed as {status!r}.",
            fields={"status": status, "allowed": sorted(PLACEABLE)},
        )
    lines = _current_lines(order)
    if not lines:
        raise ServiceError(
            "empty_order",
            "An order needs at least one line to be placed.",
            fields={"lines": "empty"},
        )
    order.status = status
    order.placed_at = timezone.now()
    order.customer = _customer_from_billing(order, email_changed=False)
    if order.coupon is not None:
        redeem_coupon(
            coupon=order.coupon, order_id=order.pk, subtotal=order.subtotal, customer=order.customer
        )
    record_order_event(
        order=order,
        type=OrderEventType.CREATED,
        actor=actor,
        data={
            "status": status,
            "total": f"{order.total:.2f}",
            "channel": order.channel,
            "adjust_stock": adjust_stock,
        },
    )
    if adjust_stock and stock_effect(OrderStatus.DRAFT, status, stock_held=False) == "deduct":
        _deduct_stock(order, lines, actor)
    if order.customer is not None:
        product_ids = [line.product_id for line in lines if line.product_id]
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


def _customer_from_billing(order: Order, *, email_changed: bool) -> Customer | None:
    """The order's customer after its billing data was set: the customer with the billing
    e-mail, created or updated from the billing data once the order is placed (a draft only
    looks them up). A customer chosen explicitly under another e-mail stays, untouched,
    unless the billing e-mail itself was just changed."""
    email = order.billing_address.get("email", "")
    current = order.customer
    if not email:
        return current
    owns_email = current is not None and (current.email or "").lower() == email.lower()
    if current is not None and not owns_email and not email_changed:
        return current
    if order.is_draft:
        return find_customer_by_email(email)
    return upsert_customer_from_billing(billing=order.billing_address)


def _set_addresses(
    order: Order,
    *,
    billing_address: dict[str, Any] | None,
    shipping_address: dict[str, Any] | None,
    shipping_same_as_billing: bool | None,
) -> bool:
    """Returns whether anything changed."""
    before = (order.billing_address, order.shipping_address, order.shipping_same_as_billing)
    if shipping_same_as_billing is None:
        shipping_same_as_billing = UNSET  # None is "not said", as the API passes it
    if billing_address is not UNSET:
        order.billing_address = clean_address(
            billing_address, billing=True, field="billing_address"
        )
    if shipping_same_as_billing is not UNSET:
        order.shipping_same_as_billing = shipping_same_as_billing
    if shipping_address is not UNSET:
        order.shipping_address = clean_address(
            shipping_address, billing=False, field="shipping_address"
        )
        if shipping_address and shipping_same_as_billing is UNSET:
            order.shipping_same_as_billing = False
    if order.shipping_same_as_billing:
        order.shipping_address = {
            k: v for k, v in order.billing_address.items() if k not in ("email", "vat_id")
        }
    return before != (order.billing_address, order.shipping_address, order.shipping_same_as_billing)


# --------------------------------------------------------------------------- services


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
    payment_status: str = PaymentStatus.UNPAID,
    external_source: str | None = None,
    external_id: str | None = None,
    external_number: str = "",
    created_at: datetime | None = None,
) -> Order:
    """Create a draft (a cart being built) or a placed order in one go."""
    if status != OrderStatus.DRAFT and status not in PLACEABLE:
        raise ServiceError(
            "invalid_status",
            f"An order cannot be created as {status!r}.",
            fields={"status": status},
        )
    if channel not in Channel.values:
        raise ServiceError(
            "unknown_channel", f"Unknown channel {channel!r}.", fields={"channel": channel}
        )
    if payment_status not in PaymentStatus.values:
        raise ServiceError(
            "invalid_payment_status",
            f"Unknown payment status {payment_status!r}.",
            fields={"payment_status": payment_status},
        )
    if (
        external_source
        and external_id
        and Order.objects.filter(external_source=external_source, external_id=external_id).exists()
    ):
        raise ServiceError(
            "duplicate_external_id",
            f"Order {external_source}/{external_id} exists already.",
            fields={"external_id": external_id},
        )
    order = Order(
        number=_next_order_number(),
        status=OrderStatus.DRAFT,
        channel=channel,
        payment_status=payment_status,
        currency=ShopSettings.load().currency,
        payment_method=_resolve_code(PaymentMethod, payment_method, "payment_method"),
        shipping_method=_resolve_code(ShippingMethod, shipping_method, "shipping_method"),
        lead_source=_resolve_code(LeadSource, lead_source, "lead_source"),
        assignee=_resolve_assignee(assignee),
        customer=_resolve_customer(customer_id),
        external_source=external_source or None,
        external_id=external_id or None,
        external_number=external_number,
        created_at=created_at or timezone.now(),
        version=0,
    )
    _set_addresses(
        order,
        billing_address=billing_address,
        shipping_address=shipping_address if shipping_address else UNSET,
        shipping_same_as_billing=shipping_same_as_billing
        if shipping_same_as_billing is not None
        else UNSET,
    )
    if order.customer is None:
        order.customer = find_customer_by_email(order.billing_address.get("email", ""))
    elif not order.billing_address:
        order.billing_address = _billing_from_customer(order.customer)
        _set_addresses(
            order, billing_address=UNSET, shipping_address=UNSET, shipping_same_as_billing=UNSET
        )
    if note and len(note) > MAX_NOTE_LENGTH:
        raise ServiceError(
            "invalid_note",
            f"A note has at most {MAX_NOTE_LENGTH} characters.",
            fields={"note": len(note)},
        )
    order.save()
    if tags:
        order.tags.set(get_or_create_tags(tags))
    _change_cart(
        order, actor=actor, line_inputs=lines or [], coupon_code=coupon_code or None, initial=True
    )
    if note:
        OrderNote.objects.create(
            order=order, body=note, author=actor.user, author_label=actor.label
        )
    if status == OrderStatus.DRAFT:
        record_order_event(order=order, type=OrderEventType.DRAFT_CREATED, actor=actor)
    else:
        _place(order, status=status, actor=actor, adjust_stock=adjust_stock)
    return save_order_change(order)


def _billing_from_customer(customer: Customer) -> dict[str, str]:
    fields = (
        "first_name",
        "last_name",
        "company",
        "line1",
        "line2",
        "postal_code",
        "city",
        "region",
        "country",
        "phone",
        "vat_id",
    )
    billing = {f: getattr(customer, f) for f in fields if getattr(customer, f)}
    if customer.email:
        billing["email"] = customer.email
    return billing


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
    order = lock_order(number, expected_version)
    if not order.is_draft:
        raise ServiceError(
            "not_a_draft", f"Order {number} is placed already.", fields={"status": order.status}
        )
    _place(order, status=status, actor=actor, adjust_stock=adjust_stock)
    return save_order_change(order)


@transaction.atomic
def set_order_status(
    *,
    number: int,
    status: str,
    actor: Actor,
    adjust_stock: bool = True,
    notify_customer: bool = False,
    notify_admins: bool = False,
    comment: str = "",
    expected_version: int | None = None,
) -> Order:
    """Move an order along the transition table, deducting or restocking once per crossing."""
    order = lock_order(number, expected_version)
    if order.is_draft:
        raise ServiceError(
            "order_is_draft", "A draft is placed, not moved to a status.", fields={"status": status}
        )
    if status not in OrderStatus.values:
        raise ServiceError(
            "invalid_status", f"Unknown status {status!r}.", fields={"status": status}
        )
    if status == order.status:
        return order
    if not can_transition(order.status, status):
        allowed = sorted(TRANSITIONS[order.status])
        raise ServiceError(
            "invalid_transition",
            f"An order cannot go from {order.status} to {status}.",
            fields={"status": status, "allowed": allowed},
        )
    if len(comment) > MAX_NOTE_LENGTH:
        raise ServiceError(
            "invalid_comment",
            f"A comment has at most {MAX_NOTE_LENGTH} characters.",
            fields={"comment": len(comment)},
        )
    effect = stock_effect(order.status, status, stock_held=order.stock_held)
    previous = order.status
    order.status = status
    record_order_event(
        order=order,
        type=OrderEventType.STATUS_CHANGED,
        actor=actor,
        data={
            "from": previous,
            "to": status,
            "stock": effect,
            "stock_adjusted": adjust_stock and effect != "none",
            "notify_customer": notify_customer,
            "notify_admins": notify_admins,
            "comment": comment,
        },
    )
    if adjust_stock and effect == "deduct":
        _deduct_stock(order, _current_lines(order), actor)
    elif adjust_stock and effect == "restock":
        _restock(order, _current_lines(order), actor)
    return save_order_change(order)


@transaction.atomic
def set_payment_status(
    *, number: int, payment_status: str, actor: Actor, expected_version: int | None = None
) -> Order:
    """Mark an order paid or unpaid by hand (refund states come from refunds)."""
    if payment_status not in (PaymentStatus.PAID, PaymentStatus.UNPAID):
        raise ServiceError(
            "invalid_payment_status",
            "By hand, an order is set 'paid' or 'unpaid'; refunds set the refund states.",
            fields={"payment_status": payment_status},
        )
    order = lock_order(number, expected_version)
    if order.payment_status == payment_status:
        return order
    if order.payment_status in (PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED):
        raise ServiceError(
            "invalid_transition",
            "A refunded order's payment status follows its refunds.",
            fields={"payment_status": payment_status},
        )
    previous = order.payment_status
    order.payment_status = payment_status
    record_order_event(
        order=order,
        type=OrderEventType.PAYMENT_STATUS_CHANGED,
        actor=actor,
        data={"from": previous, "to": payment_status},
    )
    return save_order_change(order)


@transaction.atomic
def set_order_lines(
    *,
    number: int,
    lines: list[LineInput],
    actor: Actor,
    coupon_code: str | None = UNSET,
    expected_version: int | None = None,
) -> Order:
    """Replace the cart (and, when given, the coupon: '' or None removes it)."""
    order = lock_order(number, expected_version)
    _check_editable(order)
    _change_cart(order, actor=actor, line_inputs=lines, coupon_code=coupon_code)
    return save_order_change(order)


@transaction.atomic
def set_order_coupon(
    *, number: int, coupon_code: str | None, actor: Actor, expected_version: int | None = None
) -> Order:
    order = lock_order(number, expected_version)
    _check_editable(order)
    _change_cart(order, actor=actor, coupon_code=coupon_code or None)
    return save_order_change(order)


def _check_editable(order: Order) -> None:
    if order.status in (
        OrderStatus.CANCELLED,
        OrderStatus.REFUNDED,
        OrderStatus.COMPLETED,
        OrderStatus.SHIPPED,
    ):
        raise ServiceError(
            "order_locked",
            f"The cart of a {order.status} order cannot be changed.",
            fields={"status": order.status},
        )


@transaction.atomic
def update_order(
    *,
    number: int,
    actor: Actor,
    expected_version: int | None = None,
    billing_address: dict[str, Any] | None = UNSET,
    shipping_address: dict[str, Any] | None = UNSET,
    shipping_same_as_billing: bool | None = UNSET,
    customer_id: int | None = UNSET,
    assignee: str | None = UNSET,
    lead_source: str | None = UNSET,
    channel: str = UNSET,
    payment_method: str | None = UNSET,
    shipping_method: str | None = UNSET,
    tags: list[str] = UNSET,
) -> Order:
    """Change the order's details; only the arguments given are touched."""
    order = lock_order(number, expected_version)
    changed = False

    previous_email = order.billing_address.get("email", "")
    if _set_addresses(
        order,
        billing_address=billing_address,
        shipping_address=shipping_address,
        shipping_same_as_billing=shipping_same_as_billing,
    ):
        changed = True
        record_order_event(
            order=order,
            type=OrderEventType.ADDRESS_CHANGED,
            actor=actor,
            data={
                "billing_address": order.billing_address,
                "shipping_address": order.shipping_address,
            },
        )
        if billing_address is not UNSET and customer_id is UNSET:
            previous = order.customer
            email_changed = order.billing_address.get("email", "").lower() != (
                previous_email.lower()
            )
            order.customer = _customer_from_billing(order, email_changed=email_changed)
            if order.customer != previous:
                record_order_event(
                    order=order,
                    type=OrderEventType.CUSTOMER_CHANGED,
                    actor=actor,
                    data={
                        "from": getattr(previous, "pk", None),
                        "to": getattr(order.customer, "pk", None),
                    },
                )

    if customer_id is not UNSET:
        customer = _resolve_customer(customer_id)
        if customer != order.customer:
            previous = order.customer
            order.customer = customer
            if customer is not None and billing_address is UNSET and not order.billing_address:
                order.billing_address = _billing_from_customer(customer)
                _set_addresses(
                    order,
                    billing_address=UNSET,
                    shipping_address=UNSET,
                    shipping_same_as_billing=UNSET,
                )
            changed = True
            record_order_event(
                order=order,
                type=OrderEventType.CUSTOMER_CHANGED,
                actor=actor,
                data={"from": getattr(previous, "pk", None), "to": getattr(customer, "pk", None)},
            )

    if assignee is not UNSET:
        user = _resolve_assignee(assignee)
        if user != order.assignee:
            previous_name = order.assignee.username if order.assignee else None
            order.assignee = user
            changed = True
            record_order_event(
                order=order,
                type=OrderEventType.ASSIGNEE_CHANGED,
                actor=actor,
                data={"from": previous_name, "to": user.username if user else None},
            )

    details: dict[str, dict[str, Any]] = {}
    for field, model, value in (
        ("lead_source", LeadSource, lead_source),
        ("payment_method", PaymentMethod, payment_method),
        ("shipping_method", ShippingMethod, shipping_method),
    ):
        if value is UNSET:
            continue
        obj = _resolve_code(model, value, field)
        current = getattr(order, field)
        if obj != current:
            details[field] = {
                "from": getattr(current, "code", None),
                "to": getattr(obj, "code", None),
            }
            setattr(order, field, obj)
    if channel is not UNSET and channel != order.channel:
        if channel not in Channel.values:
            raise ServiceError(
                "unknown_channel", f"Unknown channel {channel!r}.", fields={"channel": channel}
            )
        details["channel"] = {"from": order.channel, "to": channel}
        order.channel = channel
    if details:
        changed = True
        record_order_event(
            order=order, type=OrderEventType.DETAILS_CHANGED, actor=actor, data=details
        )
        if "shipping_method" in details:
            # Shipping is money: it is locked with the cart once the order is shipped.
            _check_editable(order)
            lines = _current_lines(order)
            _apply_totals(order, lines)
            OrderLine.objects.bulk_update(lines, ["subtotal", "discount", "total", "tax"])

    if tags is not UNSET:
        changed |= _replace_tags(order, tags, actor)

    if not changed:
        return order
    return save_order_change(order)


def _replace_tags(order: Order, names: list[str], actor: Actor) -> bool:
    new = get_or_create_tags(names)
    current = list(order.tags.all())
    added = [t.name for t in new if t not in current]
    removed = [t.name for t in current if t not in new]
    if not added and not removed:
        return False
    order.tags.set(new)
    record_order_event(
        order=order,
        type=OrderEventType.TAGS_CHANGED,
        actor=actor,
        data={"added": added, "removed": removed},
    )
    return True


@transaction.atomic
def change_order_tags(
    *,
    number: int,
    actor: Actor,
    add: list[str] | None = None,
    remove: list[str] | None = None,
    expected_version: int | None = None,
) -> Order:
    """Add and remove tags without naming the rest (bulk actions)."""
    order = lock_order(number, expected_version)
    current = {t.name.lower(): t.name for t in order.tags.all()}
    for name in remove or []:
        current.pop(name.strip().lower(), None)
    for name in add or []:
        current.setdefault(name.strip().lower(), name)
    if not _replace_tags(order, list(current.values()), actor):
        return order
    return save_order_change(order)


@transaction.atomic
def add_order_note(
    *, number: int, body: str, actor: Actor, expected_version: int | None = None
) -> OrderNote:
    """An internal, staff-only note."""
    body = body.strip()
    if not body or len(body) > MAX_NOTE_LENGTH:
        raise ServiceError(
            "invalid_note",
            f"A note has 1 to {MAX_NOTE_LENGTH} characters.",
            fields={"body": len(body)},
        )
    order = lock_order(number, expected_version)
    note = OrderNote.objects.create(
        order=order, body=body, author=actor.user, author_label=actor.label
    )
    record_order_event(
        order=order, type=OrderEventType.NOTE_ADDED, actor=actor, data={"note_id": note.pk}
    )
    save_order_change(order)
    return note


def _resolve_carrier(carrier: str | None, carrier_name: str | None) -> tuple[Carrier | None, str]:
    if carrier:
        obj = _resolve_code(Carrier, carrier, "carrier")
        return obj, obj.name
    name = (carrier_name or "").strip()
    if not name or len(name) > 100:
        raise ServiceError(
            "invalid_carrier",
            "Choose a carrier from the list or give a name (1 to 100 characters).",
            fields={"carrier": carrier_name},
        )
    return None, name


def _clean_tracking(tracking_code: str, tracking_url: str) -> tuple[str, str]:
    tracking_code, tracking_url = tracking_code.strip(), tracking_url.strip()
    if len(tracking_code) > 100:
        raise ServiceError(
            "invalid_tracking",
            "The tracking code has at most 100 characters.",
            fields={"tracking_code": len(tracking_code)},
        )
    if len(tracking_url) > 500 or (
        tracking_url and not tracking_url.startswith(("https://", "http://"))
    ):
        raise ServiceError(
            "invalid_tracking",
            "A tracking link starts with https:// and has at most 500 characters.",
            fields={"tracking_url": tracking_url[:100]},
        )
    return tracking_code, tracking_url


@transaction.atomic
def add_shipment(
    *,
    number: int,
    actor: Actor,
    carrier: str | None = None,
    carrier_name: str | None = None,
    tracking_code: str = "",
    tracking_url: str = "",
    expected_version: int | None = None,
) -> Shipment:
    """Add a parcel: a carrier from the list (its tracking link derived) or a custom name."""
    tracking_code, tracking_url = _clean_tracking(tracking_code, tracking_url)
    carrier_obj, name = _resolve_carrier(carrier, carrier_name)
    order = lock_order(number, expected_version)
    if order.is_draft:
        raise ServiceError(
            "order_is_draft", "A draft cannot be shipped.", fields={"status": order.status}
        )
    shipment = Shipment.objects.create(
        order=order,
        carrier=carrier_obj,
        carrier_name=name,
        tracking_code=tracking_code,
        tracking_url=(carrier_obj.tracking_url(tracking_code) if carrier_obj else "")
        or tracking_url,
    )
    record_order_event(
        order=order,
        type=OrderEventType.SHIPMENT_ADDED,
        actor=actor,
        data={
            "shipment_id": shipment.pk,
            "carrier": name,
            "tracking_code": tracking_code,
            "tracking_url": shipment.tracking_url,
        },
    )
    save_order_change(order)
    return shipment


@transaction.atomic
def update_shipment_tracking(
    *,
    number: int,
    shipment_id: int,
    tracking_code: str,
    actor: Actor,
    tracking_url: str | None = None,
    expected_version: int | None = None,
) -> Shipment:
    """A new tracking code; a listed carrier derives the link, a custom one takes
    `tracking_url` (without one, a changed code drops the old link rather than keep a
    wrong one)."""
    tracking_code, new_url = _clean_tracking(tracking_code, tracking_url or "")
    order = lock_order(number, expected_version)
    shipment = (
        Shipment.objects.select_related("carrier").filter(order=order, pk=shipment_id).first()
    )
    if shipment is None:
        raise ServiceError(
            "not_found",
            f"Order {number} has no shipment {shipment_id}.",
            fields={"shipment_id": shipment_id},
        )
    previous = shipment.tracking_code
    shipment.tracking_code = tracking_code
    if shipment.carrier is not None:
        shipment.tracking_url = shipment.carrier.tracking_url(tracking_code) or new_url
    elif tracking_url is not None or tracking_code != previous:
        shipment.tracking_url = new_url
    shipment.save()
    record_order_event(
        order=order,
        type=OrderEventType.TRACKING_UPDATED,
        actor=actor,
        data={
            "shipment_id": shipment.pk,
            "from": previous,
            "to": tracking_code,
            "tracking_url": shipment.tracking_url,
        },
    )
    save_order_change(order)
    return shipment
