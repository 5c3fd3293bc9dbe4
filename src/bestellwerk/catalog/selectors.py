"""Reading products."""

from django.db.models import Q, QuerySet

from bestellwerk.catalog.models import Product

MAX_PRODUCT_QUERY_LENGTH = 200


def search_products(*, q: str = "", active: bool | None = None) -> QuerySet[Product]:
    """Products whose SKU or name contains `q` (case-insensitive), with their customer tags."""
    products = Product.objects.prefetch_related("customer_tags")
    text = " ".join(q.split())[:MAX_PRODUCT_QUERY_LENGTH]
    if text:
        products = products.filter(Q(sku__icontains=text) | Q(name__icontains=text))
    if active is not None:
        products = products.filter(is_active=active)
    return products


def get_product_with_tags(*, sku: str) -> Product | None:
    return Product.objects.prefetch_related("customer_tags").filter(sku=sku).first()
