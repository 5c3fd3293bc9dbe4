"""Reading products."""

from django.db.models import QuerySet

from bestellwerk.catalog.models import Product
from bestellwerk.core.search import matching


def search_products(*, q: str = "", active: bool | None = None) -> QuerySet[Product]:
    """Products found by `q` (`core.search`: SKU, name), with their customer tags."""
    products = matching(Product.objects.prefetch_related("customer_tags"), q)
    if active is not None:
        products = products.filter(is_active=active)
    return products


def get_product_with_tags(*, sku: str) -> Product | None:
    return Product.objects.prefetch_related("customer_tags").filter(sku=sku).first()
