"""What an order's ledger sums mean: its balance and its payment status.

The payments services keep `paid_total` (payments minus voids) and `refunded_total`
(refunds that succeeded) on the order; everything else follows from them and the total.
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

from bestellwerk.orders.models import PaymentStatus


def order_balance(*, total: Decimal, paid: Decimal, refunded: Decimal) -> Decimal:
    """Positive: the customer owes this; negative: this is owed back to the customer."""
    return total - paid + refunded


def derive_payment_status(*, total: Decimal, paid: Decimal, refunded: Decimal) -> PaymentStatus:
    if paid <= 0:
        return PaymentStatus.UNPAID
    if refunded > 0:
        return PaymentStatus.REFUNDED if paid <= refunded else PaymentStatus.PARTIALLY_REFUNDED
    return PaymentStatus.PAID if paid >= total else PaymentStatus.PARTIALLY_PAID
