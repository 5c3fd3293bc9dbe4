"""Reading payments and refunds: what an order was paid, refunded, and may still be refunded."""

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from bestellwerk.core.errors import ServiceError
from bestellwerk.core.money import ZERO, round_money
from bestellwerk.orders.models import Order, OrderLine
from bestellwerk.payments.models import Payment, PaymentLink, Refund, RefundLine, RefundStatus
from bestellwerk.payments.providers.manual import ManualProvider


@dataclass(frozen=True)
class RefundSummary:
    paid: Decimal
    refunded: Decimal
    pending: Decimal
    # Never more than paid minus refunded, where pending refunds count as refunded.
    refundable: Decimal
    shipping_refundable: Decimal


@dataclass(frozen=True)
class RefundableLine:
    sku: str
    name: str
    quantity: int
    refunded_quantity: int
    total: Decimal
    refunded_amount: Decimal

    @property
    def refundable_quantity(self) -> int:
        return self.quantity - self.refunded_quantity

    def amount_for(self, quantity: int) -> Decimal:
        """The share of the line's total (after discount) for `quantity` units; the last
        units take the exact rest, so refunding a line piece by piece adds up to its total."""
        if quantity >= self.refundable_quantity:
            return self.total - self.refunded_amount
        return round_money(self.total * quantity / self.quantity)


def _money(total: Decimal | None) -> Decimal:
    """A sum from the database as cents (SQLite sums decimals as floats)."""
    return round_money(total or ZERO)


def amount_owed(*, order: Order) -> Decimal:
    """What the customer still owes (the positive part of the balance)."""
    return max(order.balance, ZERO)


def amount_to_refund(*, order: Order) -> Decimal:
    """What is owed back to the customer (the negative part of the balance, as a positive)."""
    return max(-order.balance, ZERO)


def _refund_sums(order: Order) -> dict[str, tuple[Decimal, Decimal]]:
    """(amount, shipping) per refund status."""
    rows = (
        Refund.objects.filter(order=order)
        .values("status")
        .annotate(amount=Sum("amount"), shipping=Sum("shipping_amount"))
    )
    return {row["status"]: (_money(row["amount"]), _money(row["shipping"])) for row in rows}


def refund_summary(*, order: Order) -> RefundSummary:
    sums = _refund_sums(order)
    refunded, shipping_refunded = sums.get(RefundStatus.SUCCEEDED, (ZERO, ZERO))
    pending, shipping_pending = sums.get(RefundStatus.PENDING, (ZERO, ZERO))
    paid = order.paid_total
    return RefundSummary(
        paid=paid,
        refunded=refunded,
        pending=pending,
        refundable=max(paid - refunded - pending, ZERO),
        shipping_refundable=max(order.shipping_total - shipping_refunded - shipping_pending, ZERO),
    )


def refundable_lines(*, order: Order) -> list[RefundableLine]:
    """The order's lines with SKU, merged by SKU, with what refunds (not failed) took already."""
    refunded = {
        row["sku"]: (row["quantity"], _money(row["amount"]))
        for row in RefundLine.objects.filter(refund__order=order)
        .exclude(refund__status=RefundStatus.FAILED)
        .values("sku")
        .annotate(quantity=Sum("quantity"), amount=Sum("amount"))
    }
    merged: dict[str, list[OrderLine]] = defaultdict(list)
    for line in OrderLine.objects.filter(order=order).exclude(sku="").order_by("position", "id"):
        merged[line.sku].append(line)
    return [
        RefundableLine(
            sku=sku,
            name=lines[0].name,
            quantity=sum(line.quantity for line in lines),
            refunded_quantity=refunded.get(sku, (0, ZERO))[0],
            total=sum((line.total for line in lines), ZERO),
            refunded_amount=refunded.get(sku, (0, ZERO))[1],
        )
        for sku, lines in merged.items()
    ]


def list_payments(*, order: Order) -> QuerySet[Payment]:
    """The ledger of the order, oldest first, each void with the payment it cancels and
    each payment with its void (if any)."""
    return (
        Payment.objects.filter(order=order)
        .select_related("method", "actor_user", "voided_payment", "void")
        .order_by("created_at", "id")
    )


@dataclass(frozen=True)
class LedgerEntry:
    """A row of the ledger as staff read it."""

    payment: Payment
    # A later void cancels this payment.
    voided: bool
    # Staff may void it: a manual payment, not a void itself, not voided yet (the service
    # checks again, and refuses what refunds were made from).
    voidable: bool

    @property
    def recorded_by(self) -> str:
        user = self.payment.actor_user
        return user.display_name if user is not None else self.payment.actor_label


def ledger_entries(*, order: Order) -> list[LedgerEntry]:
    """The order's ledger, oldest first, each payment marked voided or voidable (one query)."""
    payments = list(list_payments(order=order))
    voided = {payment.voided_payment_id for payment in payments if payment.is_void}
    return [
        LedgerEntry(
            payment=payment,
            voided=payment.pk in voided,
            voidable=payment.provider == ManualProvider.code
            and not payment.is_void
            and payment.pk not in voided,
        )
        for payment in payments
    ]


def amount_kept(*, order: Order) -> Decimal:
    """What the customer paid and was not given back."""
    return order.paid_total - order.refunded_total


def list_refunds(*, order: Order) -> QuerySet[Refund]:
    return (
        Refund.objects.filter(order=order)
        .select_related("actor_user")
        .prefetch_related(Prefetch("lines", queryset=RefundLine.objects.order_by("id")))
        .order_by("created_at", "id")
    )


def hash_link_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def get_payment_link(*, token: str) -> PaymentLink:
    """The link behind a customer's token: `not_found` if unknown, `link_expired` if old."""
    link = None
    if 20 <= len(token) <= 100:
        link = (
            PaymentLink.objects.select_related("order", "order__payment_method")
            .filter(token_hash=hash_link_token(token))
            .first()
        )
    if link is None:
        raise ServiceError("not_found", _("This payment link does not exist."))
    if link.expires_at <= timezone.now():
        raise ServiceError(
            "link_expired",
            _("This payment link has expired."),
            fields={"expires_at": link.expires_at.isoformat()},
        )
    return link
