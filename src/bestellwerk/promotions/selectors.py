"""Reading coupons."""

from django.db.models import QuerySet

from bestellwerk.promotions.models import Coupon

MAX_COUPON_QUERY_LENGTH = 40


def search_coupons(*, q: str = "", active: bool | None = None) -> QuerySet[Coupon]:
    """Coupons whose code contains `q` (codes are stored upper-case)."""
    coupons = Coupon.objects.all()
    text = q.strip()[:MAX_COUPON_QUERY_LENGTH]
    if text:
        coupons = coupons.filter(code__icontains=text)
    if active is not None:
        coupons = coupons.filter(is_active=active)
    return coupons
