from django.urls import path

from bestellwerk.staff import views

app_name = "staff"

urlpatterns = [
    path("", views.home, name="home"),
    path("language/", views.set_language, name="set_language"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/bulk/", views.order_bulk, name="order_bulk"),
    path("orders/export/", views.order_export, name="order_export"),
    path("customers/", views.customer_list, name="customer_list"),
    path("customers/<int:pk>/", views.customer_detail, name="customer_detail"),
    path("products/", views.product_list, name="product_list"),
]
