"""Refunds: giving money back, settling what the provider answers, and the worker's sweep
of refunds left pending.

A refund never exceeds what was paid minus what was refunded (pending refunds count),
checked under the order's row lock so racing refunds cannot both pass.
"""

import hashlib
import logging
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bestellwerk.accounts.permissions import require_capability
from bestellwerk.core.actors import Actor
from bestellwerk.core.errors import ServiceError
from bestellwerk.orders.events import record_order_event
from bestellwerk.orders.lifecycle import can_close_as_refunded
from bestellwerk.orders.models import OrderEventType, OrderStatus
from bestellwerk.orders.services import lock_order, save_order_change
from bestellwerk.payments.models import Refund, RefundLine, RefundStatus
from bestellwerk.payments.providers import PaymentProvider, ProviderError, get_provider
from bestellwerk.payments.providers.base import RefundResult
from bestellwerk.payments.providers.manual import ManualProvider
from bestellwerk.payments.services.refund_outcomes import (
    complete_refund,
    fail_refund,
    refund_event_data,
)
from bestellwerk.payments.services.refund_plans import (
    RefundLineInput,
    check_refund_input,
    payment_to_refund,
    plan_refund,
    request_fingerprint,
)

logger = logging.getLogger(__name__)


def refund_order(
    *,
    number: int,
    actor: Actor,
    amount: Decimal | str | None = None,
    lines: list[RefundLineInput] | None = None,
    include_shipping: bool = False,
    reason: str = "",
    restock: bool = False,
    notify_customer: bool = False,
    set_status_refunded: bool = False,
    idempotency_key: str | None = None,
    expected_version: int | None = None,
) -> Refund:
    """Give money back: an `amount`, or `lines` (+ shipping) whose amount is computed from
    the line totals; with both, `amount` replaces the computed one (staff edited it).

    Through a provider that refunds online, the refund is written `pending` and committed
    first (its amount is reserved), then requested from the provider outside any lock, and
    settled by the answer or later by the provider's notification. Otherwise it is recorded
    as manual and succeeds at once. With `idempotency_key` a repeated call answers the
    first refund and writes nothing.
    """
    refund, provider, created = _open_refund(
        number=number,
        actor=actor,
        amount=amount,
        lines=lines,
        include_shipping=include_shipping,
        reason=reason,
        restock=restock,
        notify_customer=notify_customer,
        set_status_refunded=set_status_refunded,
        idempotency_key=idempotency_key,
        expected_version=expected_version,
    )
    if not created or refund.status != RefundStatus.PENDING:
        return refund
    return settle_refund(refund_id=refund.pk, result=_ask_provider(provider, refund), actor=actor)


def _ask_provider(provider: PaymentProvider, refund: Refund) -> RefundResult:
    try:
        return provider.refund(
            refund_reference=refund.payment.refund_reference,
            amount=refund.amount,
            refund_id=refund.pk,
            idempotency_key=_provider_idempotency_key(refund),
        )
    except Exception:
        # Whatever broke, the refund is committed as pending: the sweep asks again.
        logger.exception("Refund %s: the provider call failed", refund.pk)
        return RefundResult(status=RefundStatus.PENDING, message="The provider did not answer.")


def _provider_idempotency_key(refund: Refund) -> str:
    # With the caller's key, a retry after a rollback asks the provider for the same refund.
    if refund.idempotency_key:
        digest = hashlib.sha256(refund.idempotency_key.encode()).hexdigest()[:32]
        return f"bestellwerk-refund-{refund.order_id}-{digest}"
    return f"bestellwerk-refund-{refund.pk}"


@transaction.atomic
def _open_refund(
    *,
    number: int,
    actor: Actor,
    amount: Decimal | str | None,
    lines: list[RefundLineInput] | None,
    include_shipping: bool,
    reason: str,
    restock: bool,
    notify_customer: bool,
    set_status_refunded: bool,
    idempotency_key: str | None,
    expected_version: int | None,
) -> tuple[Refund, PaymentProvider, bool]:
    require_capability(actor, "orders.payments")
    reason = reason.strip()
    value = check_refund_input(
        amount=amount,
        lines=lines,
        include_shipping=include_shipping,
        reason=reason,
        idempotency_key=idempotency_key,
    )
    fingerprint = request_fingerprint(
        amount=value,
        lines=sorted((item.sku, item.quantity) for item in lines or []),
        include_shipping=include_shipping,
        reason=reason,
        restock=restock,
        notify_customer=notify_customer,
        set_status_refunded=set_status_refunded,
    )
    order = lock_order(number, None)
    if idempotency_key:
        existing = Refund.objects.filter(order=order, idempotency_key=idempotency_key).first()
        if existing is not None:
            if existing.request_fingerprint != fingerprint:
                raise ServiceError(
                    "idempotency_conflict",
                    _("This idempotency key was used for a different refund."),
                    fields={"idempotency_key": idempotency_key},
                )
            return existing, ManualProvider(), False
    if expected_version is not None and expected_version != order.version:
        lock_order(number, expected_version)  # raises the standard version_conflict
    if order.is_draft or order.paid_total <= order.refunded_total:
        raise ServiceError(
            "not_paid",
            _("Order %(number)s is not paid; there is nothing to refund.") % {"number": number},
            fields={"payment_status": order.payment_status},
        )
    plan = plan_refund(order, amount=value, lines=lines, include_shipping=include_shipping)
    if (
        set_status_refunded
        and plan.completes
        and order.status != OrderStatus.REFUNDED
        and not can_close_as_refunded(order.status)
    ):
        raise ServiceError(
            "invalid_transition",
            _("An order in status %(status)s cannot be set to refunded.")
            % {"status": order.status},
            fields={"status": order.status},
        )
    payment = payment_to_refund(order, plan.amount)
    try:
        provider = get_provider(payment.provider) if payment else ManualProvider()
    except ProviderError as exc:
        raise ServiceError("provider_unavailable", exc.message) from exc
    refund = Refund.objects.create(
        order=order,
        payment=payment,
        provider=provider.code,
        status=RefundStatus.PENDING,
        amount=plan.amount,
        shipping_amount=plan.shipping,
        currency=order.currency,
        reason=reason,
        restock=restock,
        notify_customer=notify_customer,
        set_status_refunded=set_status_refunded,
        idempotency_key=idempotency_key or None,
        request_fingerprint=fingerprint,
        **actor.as_fields(),
    )
    for line in plan.lines:
        line.refund = refund
    RefundLine.objects.bulk_create(plan.lines)
    if provider.refunds_online:
        record_order_event(
            order=order,
            type=OrderEventType.REFUND_REQUESTED,
            actor=actor,
            data=refund_event_data(refund),
        )
        save_order_change(order, actor=actor, searchable_changed=False)
    else:
        complete_refund(order, refund, actor)
    return refund, provider, True


@transaction.atomic
def settle_refund(*, refund_id: int, result: RefundResult, actor: Actor) -> Refund:
    """Apply a provider's answer to a pending refund; a settled refund stays as it is."""
    refund = Refund.objects.select_related("order").get(pk=refund_id)
    order = lock_order(refund.order.number, None)
    refund = Refund.objects.select_for_update().get(pk=refund_id)
    if refund.status != RefundStatus.PENDING:
        return refund
    if result.provider_reference and not refund.provider_reference:
        refund.provider_reference = result.provider_reference[:255]
    if result.status == RefundStatus.SUCCEEDED:
        complete_refund(order, refund, actor)
    elif result.status == RefundStatus.FAILED:
        fail_refund(order, refund, result.message, actor)
    else:
        refund.failure_message = result.message[:500]
        refund.save(update_fields=["provider_reference", "failure_message"])
    return refund


# A refund whose provider call got no answer (unreachable, crash before the call) is asked
# again with the same idempotency key, so the provider refunds at most once. Stripe keeps
# idempotency keys for 24 hours; older refunds are left pending for a person to check.
REFUND_RETRY_AFTER = timedelta(minutes=2)
REFUND_RETRY_UNTIL = timedelta(hours=23)
# A refund the provider answered `pending` is settled by its notification; should that
# never come (webhook not set up), the sweep asks for its status this often.
REFUND_CHECK_EVERY = timedelta(minutes=10)
REFUND_SWEEP_BATCH = 50


def retry_pending_refunds() -> int:
    """The worker's sweep: ask the provider again about unanswered pending refunds, and
    for the status of pending refunds it has not confirmed for a while."""
    now = timezone.now()
    online = Refund.objects.filter(status=RefundStatus.PENDING, payment__isnull=False).exclude(
        provider=ManualProvider.code
    )
    unanswered = list(
        online.filter(
            provider_reference__isnull=True,
            created_at__lt=now - REFUND_RETRY_AFTER,
            created_at__gt=now - REFUND_RETRY_UNTIL,
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:REFUND_SWEEP_BATCH]
    )
    unconfirmed = list(
        online.filter(provider_reference__isnull=False, created_at__lt=now - REFUND_CHECK_EVERY)
        .filter(Q(checked_at__isnull=True) | Q(checked_at__lt=now - REFUND_CHECK_EVERY))
        .order_by("created_at")
        .values_list("pk", flat=True)[:REFUND_SWEEP_BATCH]
    )
    actor = Actor.system("refund retry")
    for refund_id in [*unanswered, *unconfirmed]:
        refund = Refund.objects.select_related("payment").get(pk=refund_id)
        try:
            provider = get_provider(refund.provider)
        except ProviderError as exc:
            logger.warning("Refund %s cannot be asked about: %s", refund_id, exc.message)
            continue
        if refund.provider_reference:
            Refund.objects.filter(pk=refund_id).update(checked_at=now)
            result = provider.refund_status(provider_reference=refund.provider_reference)
        else:
            result = _ask_provider(provider, refund)
        settle_refund(refund_id=refund_id, result=result, actor=actor)
    return len(unanswered) + len(unconfirmed)
