"""The shapes of products in the REST API."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import StrictBool, StrictInt, StringConstraints

from bestellwerk.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, CursorIn
from bestellwerk.api.schemas import InputSchema, MoneyIn, MoneyOut, SkuIn, TextSchema, VatRateIn
from bestellwerk.catalog.models import Product
from bestellwerk.catalog.services import MAX_STOCK_DELTA
from bestellwerk.core.search import MAX_QUERY_LENGTH
from bestellwerk.core.tags import MAX_TAG_LENGTH, MAX_TAGS

TagName = Annotated[str, StringConstraints(max_length=MAX_TAG_LENGTH)]
NAME_LENGTH = 200


class ProductIn(InputSchema):
    sku: SkuIn
    name: str = Field(min_length=1, max_length=NAME_LENGTH)
    price: MoneyIn = Field(description="gross")
    vat_rate: VatRateIn = Decimal("19.00")
    track_stock: StrictBool = True
    stock_quantity: StrictInt = Field(0, ge=-MAX_STOCK_DELTA, le=MAX_STOCK_DELTA)
    allow_backorder: StrictBool = False
    customer_tags: list[TagName] = Field(
        default_factory=list, max_length=MAX_TAGS, description="added to buyers' customers"
    )


class ProductUpdateIn(InputSchema):
    """Only the fields sent are changed; stock changes go through POST …/stock."""

    # Typed without None: a field sent as null is refused, not written as empty.
    name: str = Field(None, min_length=1, max_length=NAME_LENGTH)
    price: MoneyIn = None
    vat_rate: VatRateIn = None
    track_stock: StrictBool = None
    allow_backorder: StrictBool = None
    is_active: StrictBool = None
    customer_tags: list[TagName] = Field(None, max_length=MAX_TAGS)

    def product_values(self) -> dict[str, Any]:
        return {
            name: getattr(self, name) for name in self.model_fields_set if name != "customer_tags"
        }


class StockChangeIn(InputSchema):
    delta: StrictInt = Field(
        ge=-MAX_STOCK_DELTA, le=MAX_STOCK_DELTA, description="negative takes stock out"
    )
    reason: str = Field("", max_length=200, description="goods received, inventory count, …")


class ProductOut(Schema):
    sku: str
    name: str
    price: MoneyOut
    vat_rate: MoneyOut
    track_stock: bool
    stock_quantity: int
    allow_backorder: bool
    customer_tags: list[str]
    is_active: bool
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_customer_tags(obj: Product) -> list[str]:
        return [tag.name for tag in obj.customer_tags.all()]


class ProductListQuery(TextSchema):
    q: str = Field("", max_length=MAX_QUERY_LENGTH, description="in SKU or name")
    active: bool | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: CursorIn | None = None


class ProductListOut(Schema):
    items: list[ProductOut]
    next_cursor: str | None
