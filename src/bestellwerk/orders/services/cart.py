"""The cart: lines, coupon and the money computed from them."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from bestellwerk.accounts.permissions import require_capability
from bestellwerk.catalog.models import Product
from bestellwerk.catalog.services import parse_vat_rate
from bestellwerk.core.actors import Actor
from bestellwerk.core.errors import ServiceError
from bestellwerk.core.money import format_money, parse_money
from bestellwerk.orders.balance import balance_of
from bestellwerk.orders.events import record_order_event
from bestellwerk.orders.inputs import (
    MAX_LINES,
    MAX_ORDER_TOTAL,
    MAX_QUANTITY,
    UNSET,
    LineInput,
)
from bestellwerk.orders.models import (
    Order,
    OrderEventType,
    OrderLine,
    OrderStatus,
)
from bestellwerk.orders.services.persistence import lock_order, save_order_change
from bestellwerk.orders.services.stock import move_held_stock
from bestellwerk.orders.totals import CouponTerms, LineAmountsInput, compute_totals
from bestellwerk.promotions.models import Coupon
from bestellwerk.promotions.services import (
    check_coupon,
    check_coupon_minimum,
    get_coupon_by_code,
    redeem_coupon,
    release_coupon,
)


def _build_lines(line_inputs: list[LineInput]) -> list[OrderLine]:
    """Unsaved lines with SKU, name, price and VAT copied from the product (one query)."""
    if len(line_inputs) > MAX_LINES:
        raise ServiceError(
            "too_many_lines",
            _("An order has at most %(max)s lines.") % {"max": MAX_LINES},
            fields={"lines": len(line_inputs)},
        )
    skus = {line.sku for line in line_inputs if line.sku}
    tagging = Product.customer_tags.through.objects.filter(product_id=OuterRef("pk"))
    products = (
        {
            p.sku: p
            for p in Product.objects.filter(sku__in=skus).annotate(
                gives_customer_tags=Exists(tagging)
            )
        }
        if skus
        else {}
    )
    errors: dict[str, str] = {}
    unknown = sorted(skus - products.keys())
    if unknown:
        raise ServiceError(
            "unknown_sku",
            _("Unknown SKU: %(skus)s") % {"skus": ", ".join(unknown)},
            fields={"skus": unknown},
        )
    lines = []
    for index, item in enumerate(line_inputs):
        key = f"lines.{index}"
        if (
            isinstance(item.quantity, bool)
            or not isinstance(item.quantity, int)
            or not 1 <= item.quantity <= MAX_QUANTITY
        ):
            errors[f"{key}.quantity"] = _("a whole number from 1 to %(max)d") % {
                "max": MAX_QUANTITY
            }
            continue
        try:
            unit_price = parse_money(item.unit_price) if item.unit_price is not None else None
        except ValueError as exc:
            errors[f"{key}.unit_price"] = str(exc)
            continue
        if unit_price is not None and unit_price < 0:
            errors[f"{key}.unit_price"] = _("cannot be negative")
            continue
        if item.sku:
            product = products[item.sku]
            if not product.is_active:
                errors[f"{key}.sku"] = _("%(sku)s is not for sale") % {"sku": item.sku}
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
            errors[f"{key}.name"] = _("a custom line needs a name of 1 to 200 characters")
        if unit_price is None:
            errors[f"{key}.unit_price"] = _("a custom line needs a unit price")
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
        raise ServiceError("invalid_lines", _("Some lines are invalid."), fields=errors)
    return lines


def _coupon_terms(coupon: Coupon | None) -> CouponTerms | None:
    return CouponTerms(kind=coupon.kind, value=coupon.value) if coupon else None


def apply_totals(order: Order, lines: list[OrderLine]) -> None:
    """Write the money of the order and its (in-memory) lines from `compute_totals`.

    Refuses an order larger than MAX_ORDER_TOTAL (goods before discount, plus shipping):
    every amount of the order and its lines then fits the money columns."""
    totals = compute_totals(
        lines=[LineAmountsInput(line.unit_price, line.quantity, line.vat_rate) for line in lines],
        coupon=_coupon_terms(order.coupon),
        shipping_price=order.shipping_method.price if order.shipping_method else Decimal("0"),
    )
    if totals.subtotal + totals.shipping > MAX_ORDER_TOTAL:
        raise ServiceError(
            "order_total_too_large",
            _("An order totals at most %(max)s.") % {"max": format_money(MAX_ORDER_TOTAL)},
            fields={
                "total": format_money(totals.subtotal + totals.shipping),
                "max": format_money(MAX_ORDER_TOTAL),
            },
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


def current_lines(order: Order) -> list[OrderLine]:
    return list(order.lines.select_related("product").order_by("position", "id"))


def _save_lines(order: Order, lines: list[OrderLine], *, replace: bool) -> None:
    if replace:
        OrderLine.objects.filter(order=order).delete()
    for position, line in enumerate(lines):
        line.pk = None
        line.order = order
        line.position = position
    OrderLine.objects.bulk_create(lines)


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


def _check_coupon_for(order: Order, coupon: Coupon, subtotal: Decimal) -> None:
    check_coupon(
        coupon=coupon,
        subtotal=subtotal,
        customer=order.customer,
        exclude_order_id=order.pk if not order.is_draft else None,
    )


@dataclass
class CartChange:
    """A cart computed but not yet written: `prepare_cart`, then `write_cart`."""

    old_lines: list[OrderLine]
    lines: list[OrderLine]
    old_coupon: Coupon | None
    subtotal: Decimal
    lines_replaced: bool


def prepare_cart(
    order: Order,
    *,
    line_inputs: list[LineInput] | None = None,
    coupon_code: str | None = UNSET,
    old_lines: list[OrderLine] | None = None,
) -> CartChange:
    """Build the new lines and coupon and put their money on the order, writing nothing (the
    order need not be saved yet). `old_lines` are the current lines when the caller has them
    ([] for a new order)."""
    if old_lines is None:
        old_lines = current_lines(order)
    lines = _build_lines(line_inputs) if line_inputs is not None else old_lines
    if not order.is_draft and not lines:
        raise ServiceError(
            "empty_order", _("A placed order needs at least one line."), fields={"lines": "empty"}
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
    apply_totals(order, lines)
    return CartChange(old_lines, lines, old_coupon, subtotal, line_inputs is not None)


def write_cart(order: Order, change: CartChange, *, actor: Actor, initial: bool = False) -> None:
    """Write a prepared cart of a saved order: lines, held stock moved, the coupon's use
    counted, the timeline. `initial`: the order is new (no lines to replace, no event)."""
    lines, old_lines, old_coupon = change.lines, change.old_lines, change.old_coupon
    if order.coupon != old_coupon and not order.is_draft:
        # Before any stock moves: every service takes the coupon's lock before products'.
        if order.coupon is None:
            release_coupon(order_id=order.pk)
        else:
            redeem_coupon(
                coupon=order.coupon,
                order_id=order.pk,
                subtotal=change.subtotal,
                customer=order.customer,
            )

    if change.lines_replaced:
        _carry_refunded_units(old_lines, lines)
        if order.stock_held and not initial:
            move_held_stock(order, old_lines=old_lines, lines=lines, actor=actor)
        _save_lines(order, lines, replace=not initial)
    if change.lines_replaced and not initial:
        record_order_event(
            order=order,
            type=OrderEventType.LINES_CHANGED,
            actor=actor,
            data={
                "before": _line_snapshot(old_lines),
                "after": _line_snapshot(lines),
                "total": f"{order.total:.2f}",
                "balance": format_money(balance_of(order)),
            },
        )
    if not change.lines_replaced:
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


def change_cart(
    order: Order,
    *,
    actor: Actor,
    line_inputs: list[LineInput] | None = None,
    coupon_code: str | None = UNSET,
) -> None:
    """Replace lines and/or coupon; keeps held stock in step and the coupon's use counted."""
    change = prepare_cart(order, line_inputs=line_inputs, coupon_code=coupon_code)
    write_cart(order, change, actor=actor)


def _carry_refunded_units(old_lines: list[OrderLine], lines: list[OrderLine]) -> None:
    """The new lines keep the units refunded so far, per SKU; the cart may not go below them
    (those units are given back and must not be deducted or charged again)."""
    refunded: dict[str, int] = defaultdict(int)
    for line in old_lines:
        if line.refunded_quantity:
            refunded[line.sku] += line.refunded_quantity
    errors: dict[str, str] = {}
    for sku, units in refunded.items():
        for line in (line for line in lines if line.sku == sku):
            line.refunded_quantity = min(units, line.quantity)
            units -= line.refunded_quantity
        if units:
            errors[f"lines.{sku}"] = _("%(units)d unit(s) were refunded already") % {
                "units": refunded[sku]
            }
    if errors:
        raise ServiceError(
            "below_refunded",
            _("A line cannot have fewer units than were refunded."),
            fields=errors,
        )


def check_editable(order: Order) -> None:
    if order.status in (
        OrderStatus.CANCELLED,
        OrderStatus.REFUNDED,
        OrderStatus.COMPLETED,
        OrderStatus.SHIPPED,
    ):
        raise ServiceError(
            "order_locked",
            _("The cart of a %(status)s order cannot be changed.") % {"status": order.status},
            fields={"status": order.status},
        )


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
    require_capability(actor, "orders.edit")
    order = lock_order(number, expected_version)
    check_editable(order)
    change_cart(order, actor=actor, line_inputs=lines, coupon_code=coupon_code)
    return save_order_change(order, actor=actor)


@transaction.atomic
def set_order_coupon(
    *, number: int, coupon_code: str | None, actor: Actor, expected_version: int | None = None
) -> Order:
    require_capability(actor, "orders.edit")
    order = lock_order(number, expected_version)
    check_editable(order)
    if (get_coupon_by_code(coupon_code) if coupon_code else None) == order.coupon:
        # The coupon it has already: nothing changes, so nothing is written (no version
        # that would make other pages stale without a change on the timeline).
        return order
    change_cart(order, actor=actor, coupon_code=coupon_code or None)
    return save_order_change(order, actor=actor)
