"""The payments ledger: money that arrived, recorded by staff or reported by a provider.

Rows are only ever added: a mistaken manual payment is voided by a new row (a negative
amount pointing at it, with a reason). After every change the order's ledger sums are
summed again under the order's lock, and `save_order_change` derives its balance and
payment status from them.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from bestellwerk.accounts.permissions import require_capability
from bestellwerk.core.actors import Actor
from bestellwerk.core.errors import ServiceError
from bestellwerk.core.moments import plausible_moment
from bestellwerk.core.money import MAX_AMOUNT, ZERO, format_money, parse_money, round_money
from bestellwerk.core.row_cache import cached_row
from bestellwerk.orders.events import record_order_event
from bestellwerk.orders.models import Order, OrderEventType, PaymentStatus
from bestellwerk.orders.services import lock_order, save_order_change
from bestellwerk.payments.models import Payment, PaymentMethod, Refund, RefundStatus
from bestellwerk.payments.providers.manual import ManualProvider

MAX_REFERENCE_LENGTH = 255
MAX_REASON_LENGTH = 500
# A payment dated a little ahead is a clock difference; more is a typo.
PAID_AT_TOLERANCE = timedelta(minutes=5)


def refresh_ledger_sums(order: Order) -> None:
    """Sum the ledger into the (locked) order: payments minus voids, refunds that succeeded
    and the part of them that lowered what the order costs."""
    paid = Payment.objects.filter(order=order).aggregate(total=Sum("amount"))["total"]
    refunds = Refund.objects.filter(order=order, status=RefundStatus.SUCCEEDED).aggregate(
        refunded=Sum("amount"), credited=Sum("credited_amount")
    )
    order.paid_total = _cents(paid)
    order.refunded_total = _cents(refunds["refunded"])
    order.credited_total = _cents(refunds["credited"])


def _cents(total: Decimal | float | None) -> Decimal:
    # SQLite sums decimals as floats: back to cents.
    return round_money(Decimal(str(total or ZERO)))


def add_payment(
    order: Order,
    *,
    amount: Decimal,
    actor: Actor,
    provider: str = ManualProvider.code,
    method: PaymentMethod | None = None,
    reference: str = "",
    refund_reference: str = "",
    currency: str | None = None,
    paid_at: datetime | None = None,
) -> Payment:
    """Write a payment of the locked `order` with its event, and sum the ledger again."""
    if order.is_draft:
        raise ServiceError(
            "order_is_draft",
            _("A draft cannot be paid; place it first."),
            fields={"status": order.status},
        )
    if amount <= 0:
        raise ServiceError(
            "invalid_amount", _("A payment is a positive amount."), fields={"amount": str(amount)}
        )
    if order.paid_total + amount > MAX_AMOUNT:
        raise ServiceError(
            "payment_too_large",
            _("An order is paid at most %(max)s in all.") % {"max": format_money(MAX_AMOUNT)},
            fields={"amount": format_money(amount), "paid": format_money(order.paid_total)},
        )
    payment = Payment.objects.create(
        order=order,
        provider=provider,
        method=method or order.payment_method,
        reference=reference[:MAX_REFERENCE_LENGTH],
        refund_reference=refund_reference[:MAX_REFERENCE_LENGTH],
        amount=amount,
        currency=(currency or order.currency)[:3],
        paid_at=paid_at or timezone.now(),
        **actor.as_fields(),
    )
    record_order_event(
        order=order,
        type=OrderEventType.PAYMENT_RECORDED,
        actor=actor,
        data=_payment_event_data(payment),
    )
    refresh_ledger_sums(order)
    return payment


@transaction.atomic
def record_manual_payment(
    *,
    number: int,
    actor: Actor,
    amount: Decimal | str,
    method: str | None = None,
    reference: str = "",
    paid_at: datetime | None = None,
    expected_version: int | None = None,
) -> Payment:
    """Money staff saw arrive (cash, bank transfer, card terminal): one ledger row."""
    require_capability(actor, "orders.payments")
    value = _parse_amount(amount)
    reference = reference.strip()
    if len(reference) > MAX_REFERENCE_LENGTH:
        raise ServiceError(
            "invalid_reference",
            _("A reference has at most %(max)d characters.") % {"max": MAX_REFERENCE_LENGTH},
            fields={"reference": len(reference)},
        )
    if paid_at is not None:
        paid_at = plausible_moment(paid_at, field="paid_at")
    if paid_at is not None and paid_at > timezone.now() + PAID_AT_TOLERANCE:
        raise ServiceError(
            "invalid_paid_at",
            _("A payment cannot be dated in the future."),
            fields={"paid_at": paid_at.isoformat()},
        )
    payment_method = _resolve_method(method)
    order = lock_order(number, expected_version)
    payment = add_payment(
        order,
        amount=value,
        actor=actor,
        method=payment_method,
        reference=reference,
        paid_at=paid_at,
    )
    save_order_change(order, actor=actor, searchable_changed=False)
    return payment


@transaction.atomic
def void_payment(
    *,
    number: int,
    payment_id: int,
    reason: str,
    actor: Actor,
    expected_version: int | None = None,
) -> Payment:
    """Cancel a mistaken manual payment by a new row; provider payments are refunded instead."""
    require_capability(actor, "orders.payments")
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON_LENGTH:
        raise ServiceError(
            "invalid_reason",
            _("Say why the payment is voided (1 to %(max)d characters).")
            % {"max": MAX_REASON_LENGTH},
            fields={"reason": len(reason)},
        )
    order = lock_order(number, expected_version)
    void = _void(order, payment_id=payment_id, reason=reason, actor=actor)
    save_order_change(order, actor=actor, searchable_changed=False)
    return void


@transaction.atomic
def set_payment_status(
    *, number: int, payment_status: str, actor: Actor, expected_version: int | None = None
) -> Order:
    """The shorthand of the ledger: `paid` records a manual payment of what is due, `unpaid`
    voids the manual payments (provider payments can only be refunded)."""
    require_capability(actor, "orders.payments")
    if payment_status not in (PaymentStatus.PAID, PaymentStatus.UNPAID):
        raise ServiceError(
            "invalid_payment_status",
            _("By hand, an order is marked 'paid' or 'unpaid'; refunds set the refund states."),
            fields={"payment_status": payment_status},
        )
    order = lock_order(number, expected_version)
    if order.refunded_total > 0:
        raise ServiceError(
            "invalid_transition",
            _("A refunded order's payment status follows its refunds."),
            fields={"payment_status": order.payment_status},
        )
    if payment_status == PaymentStatus.PAID:
        if order.balance <= 0:
            return order
        add_payment(order, amount=order.balance, actor=actor)
    else:
        open_payments = list(
            Payment.objects.filter(order=order, voided_payment__isnull=True, void__isnull=True)
        )
        if not open_payments:
            return order
        if any(payment.provider != ManualProvider.code for payment in open_payments):
            raise ServiceError(
                "provider_payment",
                _("A payment made through a provider is refunded, not marked unpaid."),
                fields={"payment_status": order.payment_status},
            )
        for payment in open_payments:
            _void(order, payment_id=payment.pk, reason=_("Marked as unpaid"), actor=actor)
    return save_order_change(order, actor=actor, searchable_changed=False)


def _void(order: Order, *, payment_id: int, reason: str, actor: Actor) -> Payment:
    payment = Payment.objects.filter(order=order, pk=payment_id).first()
    if payment is None:
        raise ServiceError(
            "not_found",
            _("Order %(number)s has no payment %(id)s.")
            % {"number": order.number, "id": payment_id},
            fields={"payment_id": payment_id},
        )
    if payment.is_void:
        raise ServiceError(
            "invalid_payment",
            _("A void cancels a payment; it cannot be voided itself."),
            fields={"payment_id": payment_id},
        )
    if Payment.objects.filter(voided_payment=payment).exists():
        raise ServiceError(
            "already_voided",
            _("This payment was voided already."),
            fields={"payment_id": payment_id},
        )
    if payment.provider != ManualProvider.code:
        raise ServiceError(
            "provider_payment",
            _("A payment made through a provider is refunded, not voided."),
            fields={"payment_id": payment_id},
        )
    if order.paid_total - payment.amount < order.refunded_total:
        raise ServiceError(
            "void_below_refunded",
            _("Refunds were made from this money; it cannot be voided."),
            fields={"payment_id": payment_id, "refunded": format_money(order.refunded_total)},
        )
    void = Payment.objects.create(
        order=order,
        provider=payment.provider,
        method=payment.method,
        reference=payment.reference,
        amount=-payment.amount,
        currency=payment.currency,
        paid_at=timezone.now(),
        voided_payment=payment,
        reason=reason,
        **actor.as_fields(),
    )
    record_order_event(
        order=order,
        type=OrderEventType.PAYMENT_VOIDED,
        actor=actor,
        data={**_payment_event_data(payment), "void_id": void.pk, "reason": reason},
    )
    refresh_ledger_sums(order)
    return void


def _parse_amount(amount: Decimal | str) -> Decimal:
    try:
        value = parse_money(amount)
    except ValueError as exc:
        raise ServiceError("invalid_amount", str(exc), fields={"amount": str(exc)}) from exc
    if value <= 0:
        raise ServiceError(
            "invalid_amount", _("A payment is a positive amount."), fields={"amount": str(value)}
        )
    return value


def _resolve_method(code: str | None) -> PaymentMethod | None:
    if not code:
        return None
    method = cached_row(
        PaymentMethod, code, lambda: PaymentMethod.objects.filter(code=code).first()
    )
    if method is None:
        raise ServiceError(
            "unknown_payment_method",
            _("Unknown payment method %(code)r.") % {"code": code},
            fields={"method": code},
        )
    return method


def _payment_event_data(payment: Payment) -> dict[str, object]:
    return {
        "payment_id": payment.pk,
        "amount": format_money(payment.amount),
        "currency": payment.currency,
        "provider": payment.provider,
        "method": payment.method.code if payment.method else None,
        "reference": payment.reference,
        "paid_at": payment.paid_at.isoformat(),
    }
