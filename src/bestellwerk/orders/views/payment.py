"""The payment section: the payment method. Money itself is the payments box's
(`payments.views`): recording payments, voids, links and refunds."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from bestellwerk.orders.services import update_order
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
