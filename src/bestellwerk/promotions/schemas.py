"""The shapes of coupons in the REST API."""

from datetime import datetime
from decimal import Decimal

from ninja import Field, Schema
from pydantic import StrictInt

from bestellwerk.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, CursorIn
from bestellwerk.api.schemas import CodeIn, DateTimeIn, InputSchema, MoneyIn, MoneyOut, TextSchema
from bestellwerk.promotions.models import CouponKind
from bestellwerk.promotions.selectors import MAX_COUPON_QUERY_LENGTH

MAX_USAGE_LIMIT = 2_147_483_647  # PositiveIntegerField


class CouponIn(InputSchema):
    code: CodeIn = Field(description="stored upper-case")
    kind: CouponKind
    value: MoneyIn = Field(Decimal("0"), description="percent (0–100) or amount off")
    min_subtotal: MoneyIn | None = None
    valid_from: DateTimeIn | None = Field(None, description="with its offset")
    valid_until: DateTimeIn | None = None
    usage_limit: StrictInt | None = Field(None, ge=1, le=MAX_USAGE_LIMIT)
    usage_limit_per_customer: StrictInt | None = Field(None, ge=1, le=MAX_USAGE_LIMIT)


class CouponOut(Schema):
    code: str
    kind: str
    value: MoneyOut
    min_subtotal: MoneyOut | None
    valid_from: datetime | None
    valid_until: datetime | None
    usage_limit: int | None
    usage_limit_per_customer: int | None
    times_used: int
    is_active: bool
    created_at: datetime


class CouponListQuery(TextSchema):
    q: str = Field("", max_length=MAX_COUPON_QUERY_LENGTH, description="part of the code")
    active: bool | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: CursorIn | None = None


class CouponListOut(Schema):
    items: list[CouponOut]
    next_cursor: str | None
