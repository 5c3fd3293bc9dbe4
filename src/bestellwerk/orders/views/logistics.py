"""The logistics section: the shipping method, shipments and their tracking codes."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from bestellwerk.orders.services import add_shipment, update_order, update_shipment_tracking
from bestellwerk.orders.views.confirm import apply_money_change
from bestellwerk.orders.views.page import apply, request_actor, requires


@require_POST
@requires("orders.edit")
def order_shipping_method(request: HttpRequest, number: int) -> HttpResponse:
    """Shipping is money: on a paid order the change is confirmed first (`confirm`)."""
    return apply_money_change(
        request,
        number,
        "logistics",
        lambda version: update_order(
            number=number,
            actor=request_actor(request),
            expected_version=version,
            shipping_method=request.POST.get("shipping_method") or None,
        ),
        ("logistics", "cart", "payment", "payments"),
    )


@require_POST
@requires("orders.shipments")
def order_shipment_add(request: HttpRequest, number: int) -> HttpResponse:
    """A carrier from the list, or (carrier 'other') a custom name, and the tracking code."""
    carrier = request.POST.get("carrier", "")
    return apply(
        request,
        number,
        "logistics",
        lambda version: add_shipment(
            number=number,
            actor=request_actor(request),
            carrier=None if carrier in ("", "other") else carrier,
            carrier_name=request.POST.get("carrier_name", ""),
            tracking_code=request.POST.get("tracking_code", ""),
            expected_version=version,
        ),
        ("logistics",),
    )


@require_POST
@requires("orders.shipments")
def order_shipment_tracking(request: HttpRequest, number: int, shipment_id: int) -> HttpResponse:
    return apply(
        request,
        number,
        "logistics",
        lambda version: update_shipment_tracking(
            number=number,
            shipment_id=shipment_id,
            tracking_code=request.POST.get("tracking_code", ""),
            actor=request_actor(request),
            expected_version=version,
        ),
        ("logistics",),
    )
