"""The order's internal notes and tags."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from bestellwerk.orders.services import add_order_note, change_order_tags
from bestellwerk.orders.views.page import apply, request_actor, requires


@require_POST
@requires("orders.notes")
def order_note(request: HttpRequest, number: int) -> HttpResponse:
    return apply(
        request,
        number,
        "notes",
        lambda version: add_order_note(
            number=number,
            body=request.POST.get("body", ""),
            actor=request_actor(request),
            expected_version=version,
        ),
        ("notes",),
    )


@require_POST
@requires("orders.edit")
def order_tags(request: HttpRequest, number: int) -> HttpResponse:
    add = [request.POST["add"]] if request.POST.get("add", "").strip() else []
    remove = [request.POST["remove"]] if request.POST.get("remove", "").strip() else []
    return apply(
        request,
        number,
        "tags",
        lambda version: change_order_tags(
            number=number,
            actor=request_actor(request),
            add=add,
            remove=remove,
            expected_version=version,
        ),
        ("tags",),
    )
