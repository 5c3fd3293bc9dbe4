"""The typeahead searches of the order page: customers to assign, products to add."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bestellwerk.catalog.models import Product
from bestellwerk.core.search import matching, search_words
from bestellwerk.customers.models import Customer
from bestellwerk.orders.views.page import requires

LOOKUP_LIMIT = 10
MAX_LOOKUP_QUERY = 100


@require_GET
@requires("customers.view")
def lookup_customers(request: HttpRequest) -> HttpResponse:
    """Customers matching what is typed (name, company, e-mail, phone, city)."""
    query = " ".join(request.GET.get("q", "").split())[:MAX_LOOKUP_QUERY]
    customers: list[Customer] = []
    if search_words(query):
        customers = list(
            matching(Customer.objects.order_by("last_name", "id"), query)[:LOOKUP_LIMIT]
        )
    return render(request, "orders/lookup_customers.html", {"customers": customers, "query": query})


@require_GET
@requires("orders.edit")
def lookup_products(request: HttpRequest) -> HttpResponse:
    """Products for sale found by what is typed (`core.search`: SKU, name)."""
    query = request.GET.get("q", "").strip()[:MAX_LOOKUP_QUERY]
    products: list[Product] = []
    if search_words(query):
        products = list(
            matching(Product.objects.filter(is_active=True).order_by("sku"), query)[:LOOKUP_LIMIT]
        )
    return render(request, "orders/lookup_products.html", {"products": products, "query": query})
