from django.contrib import admin
from django.contrib.auth.views import LogoutView
from django.urls import include, path

from bestellwerk.api.api import api
from bestellwerk.staff.views import StaffLoginView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("bestellwerk.payments.urls")),
    path("login/", StaffLoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("", include("bestellwerk.orders.urls")),
    path("", include("bestellwerk.jobs.urls")),
    path("", include("bestellwerk.transfer.urls")),
    path("", include("bestellwerk.staff.urls")),
]
