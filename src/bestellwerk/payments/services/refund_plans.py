"""What a refund request gives back, worked out before anything is written.

The request is checked, its amount computed from lines and shipping (or taken as given)
within what is still refundable, and the payment it goes back to chosen. `refunds` does
this under the order's row lock.
"""

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from bestellwerk.core.errors import ServiceError
from bestellwerk.core.money import ZERO, format_money, parse_money
from bestellwerk.orders.inputs import MAX_LINES, MAX_QUANTITY
from bestellwerk.orders.models import Order
from bestellwerk.payments.models import Payment, Refund, RefundLine, RefundStatus
from bestellwerk.payments.providers.manual import ManualProvider
from bestellwerk.payments.selectors import refund_summary, refundable_lines

MAX_REASON_LENGTH = 500
MAX_IDEMPOTENCY_KEY_LENGTH = 255


@dataclass(frozen=True)
class RefundLineInput:
    sku: str
    quantity: int


@dataclass(frozen=True)
class RefundPlan:
    amount: Decimal
    shipping: Decimal
    lines: list[RefundLine]
    # Whether this refund gives back everything still refundable.
    completes: bool


def request_fingerprint(**values: Any) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


def check_refund_input(
    *,
    amount: Decimal | str | None,
    lines: list[RefundLineInput] | None,
    include_shipping: bool,
    reason: str,
    idempotency_key: str | None,
) -> Decimal | None:
    if amount is None and not lines and not include_shipping:
        raise ServiceError(
            "invalid_refund",
            _("Give an amount, or lines and quantities to refund."),
            fields={"amount": "missing"},
        )
    if len(reason) > MAX_REASON_LENGTH:
        raise ServiceError(
            "invalid_reason",
            _("A reason has at most %(max)d characters.") % {"max": MAX_REASON_LENGTH},
            fields={"reason": len(reason)},
        )
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= MAX_IDEMPOTENCY_KEY_LENGTH:
        raise ServiceError(
            "invalid_idempotency_key",
            _("An idempotency key has 1 to 255 characters."),
            fields={"idempotency_key": len(idempotency_key)},
        )
    if lines and len(lines) > MAX_LINES:
        raise ServiceError(
            "too_many_lines",
            _("A refund has at most %(max)d lines.") % {"max": MAX_LINES},
            fields={"lines": len(lines)},
        )
    if amount is None:
        return None
    try:
        value = parse_money(amount)
    except ValueError as exc:
        raise ServiceError("invalid_amount", str(exc), fields={"amount": str(exc)}) from exc
    if value <= 0:
        raise ServiceError(
            "invalid_amount",
            _("A refund is a positive amount."),
            fields={"amount": str(value)},
        )
    return value


def plan_refund(
    order: Order,
    *,
    amount: Decimal | None,
    lines: list[RefundLineInput] | None,
    include_shipping: bool,
) -> RefundPlan:
    summary = refund_summary(order=order)
    plan_lines: list[RefundLine] = []
    shipping = ZERO
    if lines or include_shipping:
        plan_lines = _plan_refund_lines(order, lines or [])
        if include_shipping:
            shipping = summary.shipping_refundable
        computed = sum((line.amount for line in plan_lines), ZERO) + shipping
        if amount is None and computed <= 0:
            raise ServiceError(
                "nothing_to_refund",
                _("The chosen lines and shipping add up to nothing to refund."),
                fields={"amount": format_money(computed)},
            )
        # Staff may edit the computed amount (within what is refundable).
        amount = computed if amount is None else amount
    if amount > summary.refundable:
        raise ServiceError(
            "refund_exceeds_paid",
            _("At most %(refundable)s can be refunded (paid minus refunded).")
            % {"refundable": format_money(summary.refundable)},
            fields={"amount": format_money(amount), "refundable": format_money(summary.refundable)},
        )
    return RefundPlan(
        amount=amount,
        shipping=shipping,
        lines=plan_lines,
        completes=amount == summary.refundable,
    )


def _plan_refund_lines(order: Order, lines: list[RefundLineInput]) -> list[RefundLine]:
    """Unsaved refund lines at their share of the line totals; every quantity checked."""
    available = {line.sku: line for line in refundable_lines(order=order)}
    wanted: dict[str, int] = defaultdict(int)
    errors: dict[str, str] = {}
    for index, item in enumerate(lines):
        key = f"lines.{index}"
        if (
            isinstance(item.quantity, bool)
            or not isinstance(item.quantity, int)
            or not 1 <= item.quantity <= MAX_QUANTITY
        ):
            errors[f"{key}.quantity"] = _("a whole number from 1 to %(max)d") % {
                "max": MAX_QUANTITY
            }
        elif item.sku not in available:
            errors[f"{key}.sku"] = _("order %(number)s has no line %(sku)r") % {
                "number": order.number,
                "sku": item.sku,
            }
        else:
            wanted[item.sku] += item.quantity
    plan_lines = []
    for sku, quantity in wanted.items():
        line = available[sku]
        if quantity > line.refundable_quantity:
            errors[f"lines.{sku}"] = _("at most %(count)d left to refund") % {
                "count": line.refundable_quantity
            }
            continue
        plan_lines.append(
            RefundLine(sku=sku, name=line.name, quantity=quantity, amount=line.amount_for(quantity))
        )
    if errors:
        raise ServiceError("invalid_lines", _("Some refund lines are invalid."), fields=errors)
    return plan_lines


def payment_to_refund(order: Order, amount: Decimal) -> Payment | None:
    """The latest online payment that still covers `amount`; None means a manual refund."""
    payments = list(Payment.objects.filter(order=order).order_by("-paid_at", "-id"))
    taken: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for refund in Refund.objects.filter(order=order, payment__isnull=False).exclude(
        status=RefundStatus.FAILED
    ):
        taken[refund.payment_id] += refund.amount
    for payment in payments:
        online = payment.provider != ManualProvider.code and payment.refund_reference
        if online and payment.amount - taken[payment.pk] >= amount:
            return payment
    return None
