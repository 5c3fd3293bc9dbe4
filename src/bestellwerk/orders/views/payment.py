"""The payment section: the payment method and whether the order is paid."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from bestellwerk.orders.services import set_payment_status, update_order
from bestellwerk.orders.views.page import apply, request_actor, requires


@require_POST
@requires("orders.edit")
def order_payment_method(request: HttpRequest, number: int) -> HttpResponse:
    return apply(
        request,
        number,
        "payment",
        lambda version: update_order(
            number=number,
            actor=request_actor(request),
            expected_version=version,
            payment_method=request.POST.get("payment_method") or None,
        ),
        ("payment",),
    )


@require_POST
@requires("orders.payments")
def order_payment_status(request: HttpRequest, number: int) -> HttpResponse:
    return apply(
        request,
        number,
        "payment",
        lambda version: set_payment_status(
            number=number,
            payment_status=request.POST.get("payment_status", ""),
            actor=request_actor(request),
            expected_version=version,
        ),
        ("payment",),
    )
