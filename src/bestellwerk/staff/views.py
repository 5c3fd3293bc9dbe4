"""Staff pages: thin views that call selectors and services and render templates."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from bestellwerk.core.errors import ServiceError
from bestellwerk.staff.permissions import permission_required_for
from bestellwerk.staff.services import set_user_language


class StaffLoginView(LoginView):
    template_name = "staff/login.html"
    redirect_authenticated_user = True


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@require_POST
@login_required
def set_language(request: HttpRequest) -> HttpResponse:
    try:
        user = set_user_language(user=request.user, language=request.POST.get("language", ""))
    except ServiceError:
        return HttpResponse(status=400)
    translation.activate(user.language)
    return HttpResponseRedirect(_safe_next(request, "/"))


def home(request: HttpRequest) -> HttpResponse:
    return redirect("staff:order_list")


@permission_required_for("orders.view")
def order_list(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/order_list.html", {"nav_section": "orders"})


@permission_required_for("customers.view")
def customer_list(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/customer_list.html", {"nav_section": "customers"})


@permission_required_for("products.view")
def product_list(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/product_list.html", {"nav_section": "products"})
