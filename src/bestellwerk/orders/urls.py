"""The order page (create and edit one order) and its typeahead lookups."""

from django.urls import path

from bestellwerk.orders import views

app_name = "orders"

urlpatterns = [
    path("orders/new/", views.order_new, name="new"),
    path("orders/lookup/customers", views.lookup_customers, name="lookup_customers"),
    path("orders/lookup/products", views.lookup_products, name="lookup_products"),
    path("orders/<int:number>/", views.order_page, name="page"),
    path("orders/<int:number>/section/<slug:section>", views.order_section, name="section"),
    path("orders/<int:number>/customer", views.order_customer, name="customer"),
    path("orders/<int:number>/customer/new", views.order_customer_new, name="customer_new"),
    path("orders/<int:number>/assignment", views.order_assignment, name="assignment"),
    path("orders/<int:number>/addresses", views.order_addresses, name="addresses"),
    path("orders/<int:number>/cart", views.order_cart, name="cart"),
    path("orders/<int:number>/payment-method", views.order_payment_method, name="payment_method"),
    path("orders/<int:number>/payment-status", views.order_payment_status, name="payment_status"),
    path(
        "orders/<int:number>/shipping-method", views.order_shipping_method, name="shipping_method"
    ),
    path("orders/<int:number>/shipments", views.order_shipment_add, name="shipment_add"),
    path(
        "orders/<int:number>/shipments/<int:shipment_id>/tracking",
        views.order_shipment_tracking,
        name="shipment_tracking",
    ),
    path("orders/<int:number>/status", views.order_status, name="status"),
    path("orders/<int:number>/place", views.order_place, name="place"),
    path("orders/<int:number>/notes", views.order_note, name="notes"),
    path("orders/<int:number>/tags", views.order_tags, name="tags"),
]
