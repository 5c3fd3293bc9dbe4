"""The status section: move an order along its lifecycle, or place a draft."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from bestellwerk.orders.forms import parse_bool
from bestellwerk.orders.models import OrderStatus
from bestellwerk.orders.services import place_order, set_order_status
from bestellwerk.orders.views.page import apply, request_actor, requires


@require_POST
@requires("orders.status")
def order_status(request: HttpRequest, number: int) -> HttpResponse:
    data = request.POST
    return apply(
        request,
        number,
        "status",
        lambda version: set_order_status(
            number=number,
            status=data.get("status", ""),
            actor=request_actor(request),
            adjust_stock=parse_bool(data, "adjust_stock"),
            notify_customer=parse_bool(data, "notify_customer"),
            notify_admins=parse_bool(data, "notify_admins"),
            comment=data.get("comment", "").strip(),
            expected_version=version,
        ),
        ("status", "cart", "payment", "logistics", "payments"),
    )


@require_POST
@requires("orders.edit")
def order_place(request: HttpRequest, number: int) -> HttpResponse:
    """Place the draft; the whole page changes (it is an order now), so reload it."""
    data = request.POST

    def reload_page() -> HttpResponse:
        if not request.htmx:
            return redirect("orders:page", number=number)
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response

    return apply(
        request,
        number,
        "status",
        lambda version: place_order(
            number=number,
            actor=request_actor(request),
            status=data.get("status") or OrderStatus.PENDING,
            adjust_stock=parse_bool(data, "adjust_stock"),
            expected_version=version,
        ),
        (),
        respond=reload_page,
    )
