"""Changes to the money of an order that was paid (its cart, coupon or shipping method) are
confirmed: the first post shows the new total, what the customer then owes or is owed, and
the stock the change moves (a dry run of the service itself); the confirmation posts exactly
what was shown again, with `confirmed`. Orders nobody paid change at once, as typed.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from bestellwerk.core.errors import ServiceError
from bestellwerk.orders.forms import parse_version
from bestellwerk.orders.selectors import money_touched
from bestellwerk.orders.views.page import PAGE_TEMPLATE, apply, render_error
from bestellwerk.orders.views.preview import dry_run

# Posted fields that are not part of the change itself.
NOT_ECHOED = frozenset({"csrfmiddlewaretoken", "version", "confirmed"})


def is_confirmed(request: HttpRequest) -> bool:
    return request.POST.get("confirmed") == "1"


def apply_money_change(
    request: HttpRequest,
    number: int,
    section: str,
    change: Callable[[int], object],
    rerender: tuple[str, ...],
    focus: str = "",
) -> HttpResponse:
    """`apply` the change, unless money was paid on the order and the change is not
    confirmed yet: then answer with the section's confirmation of what it would do."""
    if is_confirmed(request) or not money_touched(number=number):
        return apply(request, number, section, change, rerender, focus=focus)
    version = parse_version(request.POST)
    if version is None:
        missing = ServiceError(
            "version_missing", _("The page is out of date. Reload it; your change was not saved.")
        )
        return render_error(request, number, section, missing)
    try:
        preview = dry_run(number, lambda: change(version))
    except ServiceError as error:
        return render_error(request, number, section, error)
    context = {
        "section": section,
        "preview": preview,
        "order": preview.before,
        "action": request.path,
        "echo": [
            (name, value)
            for name, values in request.POST.lists()
            if name not in NOT_ECHOED
            for value in values
        ],
        "oob": True,
    }
    html = render_to_string(f"{PAGE_TEMPLATE}#confirmation", context, request=request)
    # The section's error box is emptied: the change as it stands now is acceptable.
    html += render_to_string(
        f"{PAGE_TEMPLATE}#errors", {"section": section, "oob": True}, request=request
    )
    response = HttpResponse(html)
    response["HX-Reswap"] = "none"
    return response
