"""Coupons over REST."""

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from bestellwerk.api.auth import authorize
from bestellwerk.api.idempotency import run_idempotent
from bestellwerk.api.pagination import KeysetPage, keyset_page
from bestellwerk.api.schemas import COMMON_ERRORS
from bestellwerk.promotions import services
from bestellwerk.promotions.models import Coupon
from bestellwerk.promotions.schemas import CouponIn, CouponListOut, CouponListQuery, CouponOut
from bestellwerk.promotions.selectors import search_coupons

router = Router(tags=["coupons"])


@router.get("/coupons", response={200: CouponListOut, **COMMON_ERRORS})
def list_coupons_endpoint(
    request: HttpRequest, query: Query[CouponListQuery]
) -> KeysetPage[Coupon]:
    """Coupons by code; keyset pages via `next_cursor`."""
    authorize(request, "coupons.view")
    return keyset_page(
        search_coupons(q=query.q, active=query.active),
        key="code",
        limit=query.limit,
        cursor=query.cursor,
    )


@router.post("/coupons", response={201: CouponOut, **COMMON_ERRORS})
def create_coupon_endpoint(request: HttpRequest, payload: CouponIn) -> HttpResponse:
    """Honours `Idempotency-Key`."""
    authorize(request, "coupons.edit")
    values = payload.model_dump()
    values["kind"] = payload.kind.value
    return run_idempotent(
        request, status=201, schema=CouponOut, create=lambda: services.create_coupon(**values)
    )
