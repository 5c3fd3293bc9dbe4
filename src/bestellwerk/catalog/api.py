"""Products over REST."""

from typing import Annotated

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router

from bestellwerk.api.auth import authorize
from bestellwerk.api.idempotency import run_idempotent
from bestellwerk.api.pagination import KeysetPage, keyset_page
from bestellwerk.api.schemas import COMMON_ERRORS, TEXT_PATTERN
from bestellwerk.catalog import services
from bestellwerk.catalog.models import Product
from bestellwerk.catalog.schemas import (
    ProductIn,
    ProductListOut,
    ProductListQuery,
    ProductOut,
    ProductUpdateIn,
    StockChangeIn,
)
from bestellwerk.catalog.selectors import get_product_with_tags, search_products
from bestellwerk.core.errors import ServiceError
from bestellwerk.core.identifiers import MAX_SKU_LENGTH

router = Router(tags=["products"])

# Any SKU a product has, even one from before the SKU alphabet; control characters never.
Sku = Annotated[str, Field(min_length=1, max_length=MAX_SKU_LENGTH, pattern=TEXT_PATTERN)]


def _product_answer(sku: str) -> Product:
    product = get_product_with_tags(sku=sku)
    if product is None:
        raise ServiceError(
            "not_found", _("No product with SKU %(sku)s.") % {"sku": sku}, fields={"sku": sku}
        )
    return product


@router.get("/products", response={200: ProductListOut, **COMMON_ERRORS})
def list_products_endpoint(
    request: HttpRequest, query: Query[ProductListQuery]
) -> KeysetPage[Product]:
    """Products by SKU; keyset pages via `next_cursor`."""
    authorize(request, "products.view")
    return keyset_page(
        search_products(q=query.q, active=query.active),
        key="sku",
        limit=query.limit,
        cursor=query.cursor,
    )


@router.post("/products", response={201: ProductOut, **COMMON_ERRORS})
def create_product_endpoint(request: HttpRequest, payload: ProductIn) -> HttpResponse:
    """Honours `Idempotency-Key`."""
    actor = authorize(request, "products.edit")

    def create() -> Product:
        product = services.create_product(actor=actor, **payload.model_dump())
        return _product_answer(product.sku)

    return run_idempotent(request, status=201, schema=ProductOut, create=create)


@router.get("/products/{sku}", response={200: ProductOut, **COMMON_ERRORS})
def get_product_endpoint(request: HttpRequest, sku: Sku) -> Product:
    authorize(request, "products.view")
    return _product_answer(sku)


@router.patch("/products/{sku}", response={200: ProductOut, **COMMON_ERRORS})
def update_product_endpoint(request: HttpRequest, sku: Sku, payload: ProductUpdateIn) -> Product:
    authorize(request, "products.edit")
    services.update_product(
        sku=sku,
        values=payload.product_values(),
        customer_tags=payload.customer_tags
        if "customer_tags" in payload.model_fields_set
        else None,
    )
    return _product_answer(sku)


@router.post("/products/{sku}/stock", response={200: ProductOut, **COMMON_ERRORS})
def adjust_stock_endpoint(request: HttpRequest, sku: Sku, payload: StockChangeIn) -> Product:
    """A manual stock correction, recorded as a stock movement with its reason."""
    actor = authorize(request, "stock.adjust")
    services.adjust_product_stock(sku=sku, delta=payload.delta, reason=payload.reason, actor=actor)
    return _product_answer(sku)
