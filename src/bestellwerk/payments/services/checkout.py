"""Paying an order: the provider's checkout for what it owes, and the payments it reports.

The demo provider's checkout (`providers.demo`) is started the same way as Stripe's. A
payment is recorded once per provider reference however often it is reported.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from bestellwerk.core.actors import Actor
from bestellwerk.core.errors import ServiceError
from bestellwerk.orders.models import Order
from bestellwerk.orders.services import lock_order, save_order_change
from bestellwerk.payments.models import Payment
from bestellwerk.payments.providers import PaymentProvider, ProviderError, get_provider
from bestellwerk.payments.providers.base import CheckoutRequest, PaymentConfirmation
from bestellwerk.payments.providers.manual import ManualProvider
from bestellwerk.payments.selectors import amount_owed, get_payment_link
from bestellwerk.payments.services.ledger import add_payment
from bestellwerk.payments.services.links import is_payable


def start_checkout(*, token: str, return_url: str) -> str:
    """Open the provider's checkout for what a payment link's order owes; its address.

    Writes nothing: the payment is recorded when the provider's notification arrives.
    """
    link = get_payment_link(token=token)
    order = link.order
    if not is_payable(order):
        raise ServiceError("order_closed", _("This order can no longer be paid."))
    owed = amount_owed(order=order)
    if owed <= 0:
        raise ServiceError("already_paid", _("This order is paid already."))
    provider = provider_for_order(order)
    if not provider.hosts_checkout:
        raise ServiceError(
            "no_online_payment", _("This order is not paid online; see the bank details.")
        )
    billing = order.billing_address or {}
    try:
        checkout = provider.create_checkout(
            CheckoutRequest(
                order_number=order.number,
                amount=owed,
                currency=order.currency,
                description=_("Order %(number)s") % {"number": order.number},
                customer_email=billing.get("email", ""),
                success_url=f"{return_url}?paid=1",
                cancel_url=return_url,
                payment_link_id=link.pk,
            )
        )
    except ProviderError as exc:
        raise ServiceError("provider_error", exc.message) from exc
    return checkout.url


def provider_for_order(order: Order) -> PaymentProvider:
    code = order.payment_method.provider if order.payment_method else ManualProvider.code
    try:
        return get_provider(code)
    except ProviderError:
        # Stripe is not configured: the customer pays by bank transfer instead.
        return ManualProvider()


@transaction.atomic
def record_payment(
    *, confirmation: PaymentConfirmation, provider: str, actor: Actor
) -> tuple[Payment, bool]:
    """Record a payment a provider reported, once per reference; `(payment, created)`.

    The ledger row derives the order's payment status (`payment_status_changed` to `paid`
    is the "order paid" trigger)."""
    order = lock_order(confirmation.order_number, None)
    existing = Payment.objects.filter(provider=provider, reference=confirmation.reference).first()
    if existing is not None:
        return existing, False
    payment = add_payment(
        order,
        amount=confirmation.amount,
        actor=actor,
        provider=provider,
        reference=confirmation.reference,
        refund_reference=confirmation.refund_reference,
        currency=confirmation.currency,
    )
    save_order_change(order, actor=actor, searchable_changed=False)
    return payment, True
