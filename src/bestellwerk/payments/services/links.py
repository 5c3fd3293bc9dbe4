"""Payment links: a link to the pay page for what an unpaid order owes.

Reading a link by its token, refusing an expired one, is `selectors.get_payment_link`.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bestellwerk.accounts.permissions import require_capability
from bestellwerk.core.actors import Actor
from bestellwerk.core.errors import ServiceError
from bestellwerk.core.links import public_url
from bestellwerk.core.money import format_money
from bestellwerk.orders.events import record_order_event
from bestellwerk.orders.models import Order, OrderEventType, OrderStatus
from bestellwerk.orders.services import lock_order, save_order_change
from bestellwerk.payments.models import PaymentLink
from bestellwerk.payments.selectors import amount_owed, hash_link_token

CLOSED_STATUSES = (OrderStatus.CANCELLED, OrderStatus.REFUNDED)


@dataclass(frozen=True)
class SentPaymentLink:
    link: PaymentLink
    url: str


def is_payable(order: Order) -> bool:
    """Whether a customer may still pay the order (not a draft, not cancelled or refunded)."""
    return not order.is_draft and order.status not in CLOSED_STATUSES


def payment_page_path(token: str) -> str:
    return reverse("payments:pay", args=[token])


@transaction.atomic
def send_payment_link(
    *, number: int, actor: Actor, expected_version: int | None = None
) -> SentPaymentLink:
    """A fresh link for an unpaid order, on the timeline as `payment_link_sent`.

    The e-mail to the customer is sent by the notifications' handler of that event.
    Earlier links stay valid until they expire: they always show what is owed now.
    """
    require_capability(actor, "orders.payments")
    order = lock_order(number, expected_version)
    if not is_payable(order):
        raise ServiceError(
            "invalid_transition",
            _("A payment link is only sent for a placed, open order."),
            fields={"status": order.status},
        )
    owed = amount_owed(order=order)
    if owed <= 0:
        raise ServiceError(
            "already_paid",
            _("Order %(number)s has nothing left to pay.") % {"number": number},
            fields={"payment_status": order.payment_status},
        )
    token = secrets.token_urlsafe(32)
    expires_at = timezone.now() + timedelta(days=settings.PAYMENT_LINK_VALID_DAYS)
    link = PaymentLink.objects.create(
        order=order,
        token_hash=hash_link_token(token),
        amount=owed,
        expires_at=expires_at,
        **actor.as_fields(),
    )
    url = public_url(payment_page_path(token))
    record_order_event(
        order=order,
        type=OrderEventType.PAYMENT_LINK_SENT,
        actor=actor,
        data={"url": url, "expires_at": expires_at.isoformat(), "amount": format_money(owed)},
    )
    save_order_change(order, actor=actor, searchable_changed=False)
    return SentPaymentLink(link=link, url=url)
