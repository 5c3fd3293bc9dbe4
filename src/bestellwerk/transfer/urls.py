from django.urls import path

from bestellwerk.transfer import views

app_name = "transfer"

urlpatterns = [
    path("orders/import/", views.import_orders_page, name="import"),
    path("orders/import/<uuid:job_id>/start/", views.start_import_after_preview, name="start"),
]
