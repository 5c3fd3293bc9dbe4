"""What an order's ledger sums mean: its balance and its payment status.

The payments services keep `paid_total` (payments minus voids), `refunded_total` (refunds
that succeeded) and `credited_total` on the order; everything else follows from them and the
total.

A refund does one of two things, or both: it pays back what the customer overpaid (after
the cart shrank: the balance was negative), or, beyond that, it lowers what the order costs
(returned goods, goodwill) — that part is `credited`, as Shopify's "current total" falls
with a refund. So the balance is

    balance = total − credited − paid + refunded

positive: the customer owes it; negative: it is owed back. A goodwill refund of 12,50 on a
paid order leaves a balance of 0 (nothing owed either way), not 12,50 to be paid again; a
refund of the 20,00 owed back after the cart shrank settles it to 0 as well.
The table (the same as the database constraint in `orders.models`):

| payment status       | paid (P), refunded (R), total (T)   |
| -------------------- | ----------------------------------- |
| `unpaid`             | P = 0 (nothing paid)                |
| `partially_paid`     | R = 0, 0 < P < T                    |
| `paid`               | R = 0, P > 0, P ≥ T                 |
| `partially_refunded` | R > 0, P > R (something still kept) |
| `refunded`           | R > 0, P = R (everything given back)|

An order of 0,00 € with nothing paid is `unpaid` with nothing due: the balance, not the
status, says what is owed.
"""

from decimal import Decimal

from bestellwerk.orders.models import Order, PaymentStatus


def order_balance(
    *, total: Decimal, paid: Decimal, refunded: Decimal, credited: Decimal
) -> Decimal:
    """Positive: the customer owes this; negative: this is owed back to the customer."""
    return total - credited - paid + refunded


def balance_of(order: Order) -> Decimal:
    """`order_balance` of the order's own total and ledger sums."""
    return order_balance(
        total=order.total,
        paid=order.paid_total,
        refunded=order.refunded_total,
        credited=order.credited_total,
    )


def credited_part(*, refund: Decimal, balance_before: Decimal) -> Decimal:
    """The part of a refund that lowers what the order costs: all of it, but for what it
    pays back of an overpayment (a negative balance) first."""
    owed_back = max(-balance_before, Decimal("0.00"))
    return refund - min(refund, owed_back)


def derive_payment_status(*, total: Decimal, paid: Decimal, refunded: Decimal) -> PaymentStatus:
    if paid <= 0:
        return PaymentStatus.UNPAID
    if refunded > 0:
        return PaymentStatus.REFUNDED if paid <= refunded else PaymentStatus.PARTIALLY_REFUNDED
    return PaymentStatus.PAID if paid >= total else PaymentStatus.PARTIALLY_PAID
