"""Which provider handles a payment method, a payment or a webhook."""

from django.conf import settings
from django.utils.translation import gettext as _

from bestellwerk.payments.providers.base import PaymentProvider, ProviderError
from bestellwerk.payments.providers.demo import (
    DemoProvider,
    demo_checkout_enabled,
    demo_webhook_secret,
)
from bestellwerk.payments.providers.manual import ManualProvider
from bestellwerk.payments.providers.stripe import StripeProvider

__all__ = ["PaymentProvider", "ProviderError", "get_provider", "stripe_webhook_secret"]


def get_provider(code: str) -> PaymentProvider:
    """The provider for a code as stored on a payment method or a payment.

    `stripe` without keys is the demo checkout where the demo is switched on, and
    unavailable otherwise (a shop must not take "payments" that are not real).
    """
    if code == "stripe":
        if settings.STRIPE_SECRET_KEY:
            return StripeProvider(
                api_key=settings.STRIPE_SECRET_KEY, api_base=settings.STRIPE_API_BASE
            )
        if demo_checkout_enabled():
            return DemoProvider()
        raise ProviderError(
            _("Stripe is not configured (STRIPE_SECRET_KEY)."), code="not_configured"
        )
    if code == "demo":
        return DemoProvider()
    return ManualProvider()


def stripe_webhook_secret() -> tuple[str, str]:
    """The secret Stripe notifications are signed with, and the provider code of the
    payments they report (`stripe`, or `demo` for the demo checkout's notifications).
    An empty secret refuses every notification."""
    if settings.STRIPE_WEBHOOK_SECRET:
        return settings.STRIPE_WEBHOOK_SECRET, StripeProvider.code
    if demo_checkout_enabled():
        return demo_webhook_secret(), DemoProvider.code
    return "", StripeProvider.code
