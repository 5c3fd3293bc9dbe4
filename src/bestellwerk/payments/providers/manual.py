"""Invoice, prepayment, cash, PayPal by hand: money moves outside, we only record it."""

from decimal import Decimal

from bestellwerk.payments.providers.base import (
    Checkout,
    CheckoutRequest,
    PaymentProvider,
    RefundResult,
)


class ManualProvider(PaymentProvider):
    code = "manual"

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        # The payment page shows bank details instead of sending the customer anywhere.
        return Checkout(session_id="", url="")

    def refund(
        self, *, refund_reference: str, amount: Decimal, refund_id: int, idempotency_key: str
    ) -> RefundResult:
        return RefundResult(status="succeeded")
