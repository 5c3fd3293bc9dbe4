"""The cart section: its lines and the coupon."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from bestellwerk.orders.forms import (
    add_product_line,
    parse_cart_lines,
    parse_custom_line,
    remove_line,
)
from bestellwerk.orders.services import set_order_coupon, set_order_lines
from bestellwerk.orders.views.confirm import apply_money_change, is_confirmed
from bestellwerk.orders.views.page import request_actor, requires


@require_POST
@requires("orders.edit")
def order_cart(request: HttpRequest, number: int) -> HttpResponse:
    """The whole cart as posted, changed by the button pressed: add a product, add a custom
    line, remove a line, apply/remove the coupon, or (`figures`) new quantities only, where
    the answer leaves the inputs alone and swaps totals and line amounts. On a paid order
    each of these is confirmed first (`confirm`)."""
    data = request.POST
    actor = request_actor(request)
    coupon_action = data.get("coupon_action")
    if coupon_action in ("apply", "remove"):
        code = (data.get("coupon_code") or "").strip() if coupon_action == "apply" else None
        return apply_money_change(
            request,
            number,
            "cart",
            lambda version: set_order_coupon(
                number=number, coupon_code=code, actor=actor, expected_version=version
            ),
            ("cart", "payment", "payments"),
        )
    lines = parse_cart_lines(data)
    if data.get("remove", "").isdigit():
        lines = remove_line(lines, int(data["remove"]))
    elif data.get("add_sku"):
        lines = add_product_line(lines, data["add_sku"].strip())
    elif data.get("add_custom"):
        lines = [*lines, parse_custom_line(data)]
    # A confirmed change replaces the inputs too: they showed the change, not the saved cart.
    figures_only = data.get("figures") == "1" and not is_confirmed(request)
    return apply_money_change(
        request,
        number,
        "cart",
        lambda version: set_order_lines(
            number=number, lines=lines, actor=actor, expected_version=version
        ),
        ("cart_figures", "payment", "payments")
        if figures_only
        else ("cart", "payment", "payments"),
        # After adding a product the next one is typed right away.
        focus="product-search" if data.get("add_sku") else "",
    )
