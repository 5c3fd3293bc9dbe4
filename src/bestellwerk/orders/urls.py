"""The order page (create and edit one order) and its typeahead lookups."""

from django.urls import path

from bestellwerk.orders.views import (
    annotations,
    cart,
    logistics,
    lookups,
    page,
    parties,
    payment,
    status,
)

app_name = "orders"

urlpatterns = [
    path("orders/new/", page.order_new, name="new"),
    path("orders/lookup/customers", lookups.lookup_customers, name="lookup_customers"),
    path("orders/lookup/products", lookups.lookup_products, name="lookup_products"),
    path("orders/<int:number>/", page.order_page, name="page"),
    path("orders/<int:number>/section/<slug:section>", page.order_section, name="section"),
    path("orders/<int:number>/customer", parties.order_customer, name="customer"),
    path("orders/<int:number>/customer/new", parties.order_customer_new, name="customer_new"),
    path("orders/<int:number>/assignment", parties.order_assignment, name="assignment"),
    path("orders/<int:number>/addresses", parties.order_addresses, name="addresses"),
    path("orders/<int:number>/cart", cart.order_cart, name="cart"),
    path("orders/<int:number>/payment-method", payment.order_payment_method, name="payment_method"),
    path(
        "orders/<int:number>/shipping-method",
        logistics.order_shipping_method,
        name="shipping_method",
    ),
    path("orders/<int:number>/shipments", logistics.order_shipment_add, name="shipment_add"),
    path(
        "orders/<int:number>/shipments/<int:shipment_id>/tracking",
        logistics.order_shipment_tracking,
        name="shipment_tracking",
    ),
    path("orders/<int:number>/status", status.order_status, name="status"),
    path("orders/<int:number>/place", status.order_place, name="place"),
    path("orders/<int:number>/notes", annotations.order_note, name="notes"),
    path("orders/<int:number>/tags", annotations.order_tags, name="tags"),
]
