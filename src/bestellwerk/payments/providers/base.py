"""The provider interface: start a checkout, read a provider's notification, refund.

Providers talk to the outside world only; they never write to our database. The services
in `payments.services` decide what the answers mean for an order.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from bestellwerk.core.money import MAX_AMOUNT, round_money


@dataclass(frozen=True)
class CheckoutRequest:
    order_number: int
    amount: Decimal
    currency: str
    description: str
    customer_email: str
    success_url: str
    cancel_url: str
    # Our own id of the payment link, echoed back in the notification.
    payment_link_id: int


@dataclass(frozen=True)
class Checkout:
    """Where to send the customer to pay; `url` is empty when no checkout is hosted."""

    session_id: str
    url: str


@dataclass(frozen=True)
class PaymentConfirmation:
    """A payment a provider reports as done."""

    order_number: int
    reference: str
    refund_reference: str
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class RefundUpdate:
    """A provider's news about a refund: `status` is pending, succeeded or failed."""

    provider_reference: str
    status: str
    refund_id: int | None = None
    message: str = ""


@dataclass(frozen=True)
class RefundResult:
    status: str
    provider_reference: str | None = None
    message: str = ""


@dataclass(frozen=True)
class Notification:
    """What a verified provider event means for us; both lists empty for events we ignore."""

    event_id: str
    event_type: str
    payments: list[PaymentConfirmation] = field(default_factory=list)
    refunds: list[RefundUpdate] = field(default_factory=list)


class ProviderError(Exception):
    """The provider refused or could not be reached; `message` is the provider's own."""

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class PaymentProvider(ABC):
    code: str
    # Whether money is collected online through `create_checkout`.
    hosts_checkout: bool = False
    # Whether `refund` moves money; otherwise a refund is only recorded.
    refunds_online: bool = False

    @abstractmethod
    def create_checkout(self, request: CheckoutRequest) -> Checkout: ...

    @abstractmethod
    def refund(
        self, *, refund_reference: str, amount: Decimal, refund_id: int, idempotency_key: str
    ) -> RefundResult: ...

    def refund_status(self, *, provider_reference: str) -> RefundResult:
        """Where a refund the provider answered `pending` stands now."""
        return RefundResult(status="pending", provider_reference=provider_reference)


MAX_CENTS = int(MAX_AMOUNT * 100)


def to_cents(amount: Decimal) -> int:
    return int(round_money(amount) * 100)


def from_cents(cents: Any) -> Decimal:
    """An amount a provider reported in cents; anything but a whole number of cents within
    the money limits is not an amount (ValueError), whoever signed it."""
    if isinstance(cents, bool) or not isinstance(cents, int) or not 0 <= cents <= MAX_CENTS:
        raise ValueError(f"{str(cents)[:30]} is not an amount in cents")
    return round_money(Decimal(cents) / 100)
