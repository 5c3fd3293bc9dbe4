from django.urls import path

from bestellwerk.staff import views

app_name = "staff"

urlpatterns = [
    path("", views.home, name="home"),
    path("language/", views.set_language, name="set_language"),
    path("orders/", views.order_list, name="order_list"),
    path("customers/", views.customer_list, name="customer_list"),
    path("products/", views.product_list, name="product_list"),
]
