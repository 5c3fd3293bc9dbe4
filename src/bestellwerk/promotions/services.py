"""Coupons: checking one against an order, and counting its uses safely."""

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from bestellwerk.core.errors import ServiceError
from bestellwerk.core.identifiers import MAX_CODE_LENGTH, is_valid_code
from bestellwerk.core.moments import plausible_moment
from bestellwerk.core.money import parse_money
from bestellwerk.customers.models import Customer
from bestellwerk.promotions.models import Coupon, CouponKind, CouponRedemption

MAX_USES = 1_000_000_000


def normalize_code(code: str) -> str:
    return code.strip().upper()


def get_coupon_by_code(code: str) -> Coupon:
    coupon = Coupon.objects.filter(code=normalize_code(code)).first()
    if coupon is None:
        raise ServiceError(
            "coupon_invalid",
            _("The coupon %(code)r does not exist.") % {"code": code},
            fields={"coupon_code": code},
        )
    return coupon


def check_coupon(
    *,
    coupon: Coupon,
    subtotal: Decimal,
    customer: Customer | None,
    at: datetime | None = None,
    exclude_order_id: int | None = None,
) -> None:
    """Raise why `coupon` cannot be used for this order, if it cannot."""
    at = at or timezone.now()
    field = {"coupon_code": coupon.code}
    if not coupon.is_active:
        raise ServiceError(
            "coupon_invalid",
            _("The coupon %(code)s is not active.") % {"code": coupon.code},
            fields=field,
        )
    if coupon.valid_from and at < coupon.valid_from:
        raise ServiceError(
            "coupon_not_yet_valid",
            _("The coupon %(code)s is not valid yet.") % {"code": coupon.code},
            fields=field,
        )
    if coupon.valid_until and at > coupon.valid_until:
        raise ServiceError(
            "coupon_expired",
            _("The coupon %(code)s has expired.") % {"code": coupon.code},
            fields=field,
        )
    check_coupon_minimum(coupon=coupon, subtotal=subtotal)
    # A placed order re-checked against its own coupon does not count its own use.
    others = coupon.redemptions.exclude(order_id=exclude_order_id or 0)
    own_use = (
        1
        if exclude_order_id and coupon.redemptions.filter(order_id=exclude_order_id).exists()
        else 0
    )
    if coupon.usage_limit is not None and coupon.times_used - own_use >= coupon.usage_limit:
        raise ServiceError(
            "coupon_usage_limit",
            _("The coupon %(code)s has been used up.") % {"code": coupon.code},
            fields=field,
        )
    if (
        coupon.usage_limit_per_customer is not None
        and customer is not None
        and others.filter(customer=customer).count() >= coupon.usage_limit_per_customer
    ):
        raise ServiceError(
            "coupon_usage_limit",
            _("This customer has used the coupon %(code)s already.") % {"code": coupon.code},
            fields=field,
        )


def check_coupon_minimum(*, coupon: Coupon, subtotal: Decimal) -> None:
    """Raise when the subtotal is below the coupon's minimum.

    The only condition a placed order re-checks when its lines change: the coupon's dates,
    state and limits were judged when it was redeemed."""
    if coupon.min_subtotal is not None and subtotal < coupon.min_subtotal:
        raise ServiceError(
            "coupon_min_subtotal",
            _("The coupon %(code)s needs a subtotal of at least %(minimum)s.")
            % {"code": coupon.code, "minimum": f"{coupon.min_subtotal:.2f}"},
            fields={"coupon_code": coupon.code},
        )


@transaction.atomic
def redeem_coupon(
    *, coupon: Coupon, order_id: int, subtotal: Decimal, customer: Customer | None
) -> CouponRedemption:
    """Count one use for a placed order. The coupon row is locked, so concurrent placements
    cannot both take the last use."""
    locked = Coupon.objects.select_for_update().get(pk=coupon.pk)
    existing = CouponRedemption.objects.filter(order_id=order_id).first()
    if existing is not None and existing.coupon_id == locked.pk:
        return existing
    if existing is not None:
        release_coupon(order_id=order_id)
    check_coupon(coupon=locked, subtotal=subtotal, customer=customer, exclude_order_id=order_id)
    Coupon.objects.filter(pk=locked.pk).update(times_used=F("times_used") + 1)
    return CouponRedemption.objects.create(coupon=locked, order_id=order_id, customer=customer)


@transaction.atomic
def release_coupon(*, order_id: int) -> None:
    """Give back the use a placed order took (its coupon was removed or replaced)."""
    redemption = CouponRedemption.objects.filter(order_id=order_id).first()
    if redemption is None:
        return
    Coupon.objects.filter(pk=redemption.coupon_id, times_used__gt=0).update(
        times_used=F("times_used") - 1
    )
    redemption.delete()


@transaction.atomic
def create_coupon(
    *,
    code: str,
    kind: str,
    value: Decimal | str = "0",
    min_subtotal: Decimal | str | None = None,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    usage_limit: int | None = None,
    usage_limit_per_customer: int | None = None,
) -> Coupon:
    code = normalize_code(code)
    if not is_valid_code(code):
        raise ServiceError(
            "invalid_code",
            _("A coupon code has 1 to %(max)d letters, digits, _ or -.") % {"max": MAX_CODE_LENGTH},
            fields={"code": code[:50]},
        )
    if kind not in CouponKind.values:
        raise ServiceError(
            "invalid_kind",
            _("Unknown coupon kind %(kind)r.") % {"kind": kind},
            fields={"kind": kind},
        )
    try:
        amount = parse_money(value)
        minimum = parse_money(min_subtotal) if min_subtotal not in (None, "") else None
    except ValueError as exc:
        raise ServiceError("invalid_amount", str(exc), fields={"value": str(exc)}) from exc
    if amount < 0 or (kind == CouponKind.PERCENT and not 0 < amount <= 100):
        raise ServiceError(
            "invalid_amount",
            _("A percent coupon is between 0 and 100."),
            fields={"value": str(amount)},
        )
    if kind == CouponKind.FIXED and amount <= 0:
        raise ServiceError(
            "invalid_amount", _("A fixed coupon needs an amount."), fields={"value": str(amount)}
        )
    if minimum is not None and minimum < 0:
        raise ServiceError(
            "invalid_amount",
            _("The minimum subtotal cannot be negative."),
            fields={"min_subtotal": str(minimum)},
        )
    for name, limit in (
        ("usage_limit", usage_limit),
        ("usage_limit_per_customer", usage_limit_per_customer),
    ):
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_USES
        ):
            raise ServiceError(
                "invalid_limit",
                _("A usage limit is a whole number from 1 to %(max)d, or none.")
                % {"max": MAX_USES},
                fields={name: str(limit)[:20]},
            )
    if valid_from:
        valid_from = plausible_moment(valid_from, field="valid_from")
    if valid_until:
        valid_until = plausible_moment(valid_until, field="valid_until")
    if valid_from and valid_until and valid_until <= valid_from:
        raise ServiceError(
            "invalid_dates",
            _("valid_until must be after valid_from."),
            fields={"valid_until": _("before valid_from")},
        )
    if Coupon.objects.filter(code=code).exists():
        raise ServiceError(
            "code_exists",
            _("The coupon %(code)s exists already.") % {"code": code},
            fields={"code": code},
        )
    return Coupon.objects.create(
        code=code,
        kind=kind,
        value=amount,
        min_subtotal=minimum,
        valid_from=valid_from,
        valid_until=valid_until,
        usage_limit=usage_limit,
        usage_limit_per_customer=usage_limit_per_customer,
    )
