"""The typeahead searches of the order page: customers to assign, products to add."""

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bestellwerk.catalog.models import Product
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
    if query:
        condition = Q()
        for word in query.split():
            condition &= (
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(company__icontains=word)
                | Q(email__icontains=word)
                | Q(phone__icontains=word)
                | Q(city__icontains=word)
            )
        customers = list(
            Customer.objects.filter(condition).order_by("last_name", "id")[:LOOKUP_LIMIT]
        )
    return render(request, "orders/lookup_customers.html", {"customers": customers, "query": query})


@require_GET
@requires("orders.edit")
def lookup_products(request: HttpRequest) -> HttpResponse:
    """Products for sale whose SKU starts with, or whose name contains, what is typed."""
    query = request.GET.get("q", "").strip()[:MAX_LOOKUP_QUERY]
    products: list[Product] = []
    if query:
        name_match = Q()
        for word in query.split():
            name_match &= Q(name__icontains=word)
        condition = Q(sku__istartswith=query) | name_match
        products = list(
            Product.objects.filter(condition, is_active=True).order_by("sku")[:LOOKUP_LIMIT]
        )
    return render(request, "orders/lookup_products.html", {"products": products, "query": query})
