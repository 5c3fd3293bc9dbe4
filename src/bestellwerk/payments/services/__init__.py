"""Every write of payments: the ledger (payments staff record, voids, the paid/unpaid
shorthand), payment links, payments providers report, and refunds.

The modules, one per business action, import one another directly and never this package;
it re-exports what views, the API, forms, demo data and tests import.
"""

from bestellwerk.payments.services.checkout import (
    provider_for_order,
    record_payment,
    start_checkout,
)
from bestellwerk.payments.services.ledger import (
    record_manual_payment,
    set_payment_status,
    void_payment,
)
from bestellwerk.payments.services.links import is_payable, send_payment_link
from bestellwerk.payments.services.notifications import handle_stripe_notification
from bestellwerk.payments.services.refund_plans import MAX_REASON_LENGTH, RefundLineInput
from bestellwerk.payments.services.refunds import refund_order, retry_pending_refunds

__all__ = [
    "MAX_REASON_LENGTH",
    "RefundLineInput",
    "handle_stripe_notification",
    "is_payable",
    "provider_for_order",
    "record_manual_payment",
    "record_payment",
    "refund_order",
    "retry_pending_refunds",
    "send_payment_link",
    "set_payment_status",
    "start_checkout",
    "void_payment",
]
