"""The order page itself, and how every section of it is changed.

Every change is a POST that calls one order service with the `version` the page was
rendered with (optimistic locking), then answers with the sections it affected as
out-of-band swaps, always including the new version, the header and the timeline. A
refused change answers with the section's error box only, so nothing the user typed is lost.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from bestellwerk.accounts.models import User
from bestellwerk.accounts.permissions import has_permission, permission_required_for
from bestellwerk.core.actors import Actor
from bestellwerk.core.errors import ServiceError
from bestellwerk.core.models import Tag
from bestellwerk.core.money import VAT_RATES
from bestellwerk.orders.forms import (
    ADDRESS_FIELDS,
    BILLING_FIELDS,
    NewCustomerForm,
    address_rows,
    parse_version,
)
from bestellwerk.orders.lifecycle import (
    PLACEABLE,
    TRANSITIONS,
    capability_for_transition,
    next_forward_status,
    stock_effect,
)
from bestellwerk.orders.models import Channel, LeadSource, Order, OrderEventType, OrderStatus
from bestellwerk.orders.selectors import get_order, list_order_events
from bestellwerk.orders.services import create_order
from bestellwerk.orders.view_errors import describe_service_error
from bestellwerk.payments.models import PaymentMethod
from bestellwerk.shipping.models import Carrier, ShippingMethod

PAGE_TEMPLATE = "orders/order_page.html"
# Re-rendered after every change: the version every form sends, the header, the timeline.
ALWAYS_SECTIONS = ("version", "header", "timeline")
TAG_SUGGESTIONS = 200
STATUS_HISTORY_TYPES = frozenset(
    {OrderEventType.DRAFT_CREATED, OrderEventType.CREATED, OrderEventType.STATUS_CHANGED}
)


def requires(
    capability: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """The staff guard (`permission_required_for`), plus: an htmx request whose session ran
    out sends the browser to the login page instead of swapping the login form into a
    section."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        guarded = permission_required_for(capability)(view)

        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.htmx and not request.user.is_authenticated:
                response = HttpResponse(status=204)
                page = request.htmx.current_url_abs_path or request.get_full_path()
                response["HX-Redirect"] = (
                    f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': page})}"
                )
                return response
            return guarded(request, *args, **kwargs)

        return wrapper

    return decorator


def request_actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user)


def load_order(number: int) -> Order:
    """The order a staff page is about; an unknown number is a 404."""
    try:
        return get_order(number=number)
    except ServiceError as error:
        raise Http404(error.message) from error


def _ordered_statuses(statuses: frozenset[str]) -> list[str]:
    return [status for status in OrderStatus.values if status in statuses]


def _status_choices(order: Order, user: User) -> list[dict[str, Any]]:
    """The statuses `user` may move the order to next (for a draft: place it as), each with
    what the change does to stock. The way forward is proposed (selected); a move back or a
    cancellation never is, so it is always chosen on purpose."""
    if order.is_draft:
        # Placing a draft is an edit (the view checks `orders.edit`); pending is the usual.
        return [
            {
                "value": status,
                "label": OrderStatus(status).label,
                "effect": stock_effect(OrderStatus.DRAFT, status, stock_held=False),
                "selected": status == OrderStatus.PENDING,
            }
            for status in _ordered_statuses(PLACEABLE)
        ]
    current = order.status
    forward = next_forward_status(current)
    return [
        {
            "value": status,
            "label": OrderStatus(status).label,
            "effect": stock_effect(current, status, stock_held=order.stock_held),
            "selected": status == forward,
        }
        for status in _ordered_statuses(TRANSITIONS[current])
        if has_permission(user, capability_for_transition(current, status))
    ]


def _page_context(request: HttpRequest, order: Order) -> dict[str, Any]:
    """Everything the page's sections show, in a fixed number of queries whatever the
    number of lines and events (the order itself comes from `get_order`)."""
    user = request.user
    can_edit = has_permission(user, "orders.edit")
    can_status = has_permission(user, "orders.status")
    status_choices = _status_choices(order, user)
    events = list(list_order_events(order=order))
    # The timeline names settings by label, so these lists are read here (once).
    lead_sources = list(LeadSource.objects.all())
    payment_methods = list(PaymentMethod.objects.all())
    shipping_methods = list(ShippingMethod.objects.all())
    lines = list(order.lines.all())
    # The cart shows each product's stock: one query for all lines.
    prefetch_related_objects(lines, "product")
    return {
        "order": order,
        "lines": lines,
        "events": events,
        "status_history": [e for e in events if e.type in STATUS_HISTORY_TYPES],
        "status_choices": status_choices,
        "status_proposed": any(choice["selected"] for choice in status_choices),
        "stock_lines": [line for line in lines if line.product_id],
        "tags": list(order.tags.all()),
        "can": {
            "edit": can_edit,
            "status": can_status,
            # A draft is placed (an edit), an order moved along the transition table.
            "status_dialog": bool(status_choices) and (can_edit if order.is_draft else can_status),
            "ship": has_permission(user, "orders.shipments"),
            "note": has_permission(user, "orders.notes"),
            "pay": has_permission(user, "orders.payments"),
            "view_customers": has_permission(user, "customers.view"),
            "create_customers": has_permission(user, "customers.edit"),
        },
        "assignees": User.objects.filter(is_active=True).order_by("first_name", "username"),
        "lead_sources": lead_sources,
        "payment_methods": payment_methods,
        "shipping_methods": shipping_methods,
        "code_labels": {
            "lead_source": {item.code: item.label for item in lead_sources},
            "payment_method": {item.code: item.label for item in payment_methods},
            "shipping_method": {item.code: item.label for item in shipping_methods},
            "channel": {value: str(label) for value, label in Channel.choices},
        },
        "carriers": Carrier.objects.filter(is_active=True),
        "tag_suggestions": Tag.objects.order_by("name")[:TAG_SUGGESTIONS],
        "vat_rates": VAT_RATES,
        "billing_rows": address_rows(order.billing_address, "billing", BILLING_FIELDS),
        "shipping_rows": address_rows(order.shipping_address, "shipping", ADDRESS_FIELDS),
        "new_customer_form": NewCustomerForm(),
        "nav_section": "orders",
    }


def order_sections_html(
    request: HttpRequest, number: int, sections: tuple[str, ...], focus: str = ""
) -> str:
    """The page's `sections` (and the ALWAYS ones) as out-of-band swaps, for any answer that
    changed the order (the payments box's answers too); `focus` names the input that gets
    `autofocus` (htmx focuses it after the swap)."""
    order = get_order(number=number)
    context = {**_page_context(request, order), "oob": True, "focus": focus}
    names = dict.fromkeys((*sections, *ALWAYS_SECTIONS))
    return "".join(
        render_to_string(f"{PAGE_TEMPLATE}#{name}", context, request=request) for name in names
    )


def _render_sections(
    request: HttpRequest, number: int, sections: tuple[str, ...], focus: str = ""
) -> HttpResponse:
    """Answer an htmx change with `sections` (and the ALWAYS ones) as out-of-band swaps."""
    if not request.htmx:
        return redirect("orders:page", number=number)
    response = HttpResponse(order_sections_html(request, number, sections, focus=focus))
    response["HX-Reswap"] = "none"
    return response


def render_error(
    request: HttpRequest, number: int, section: str, error: ServiceError
) -> HttpResponse:
    """Show a refused change in the section's error box; the rest of the page stays."""
    if error.code == "not_found" and error.fields.get("number") == number:
        raise Http404(error.message)
    described = describe_service_error(error)
    if not request.htmx:
        messages.error(request, described.message)
        return redirect("orders:page", number=number)
    html = render_to_string(
        f"{PAGE_TEMPLATE}#errors",
        {
            "section": section,
            "error": described,
            "order_url": reverse("orders:page", kwargs={"number": number}),
            "oob": True,
        },
        request=request,
    )
    response = HttpResponse(html)
    response["HX-Reswap"] = "none"
    return response


def apply(
    request: HttpRequest,
    number: int,
    section: str,
    change: Callable[[int], object],
    rerender: tuple[str, ...],
    respond: Callable[[], HttpResponse] | None = None,
    focus: str = "",
) -> HttpResponse:
    """Run one service call with the posted version; render what changed (or `respond()`)
    or the refusal."""
    version = parse_version(request.POST)
    if version is None:
        missing = ServiceError(
            "version_missing", _("The page is out of date. Reload it; your change was not saved.")
        )
        return render_error(request, number, section, missing)
    try:
        change(version)
    except ServiceError as error:
        return render_error(request, number, section, error)
    if respond is not None:
        return respond()
    return _render_sections(request, number, rerender, focus=focus)


# --------------------------------------------------------------------------- pages


@requires("orders.edit")
def order_new(request: HttpRequest) -> HttpResponse:
    """POST creates an empty draft (channel manual) and opens it; GET asks to confirm, so a
    prefetching browser or a reloaded tab never creates drafts."""
    if request.method != "POST":
        return render(request, "orders/order_new.html", {"nav_section": "orders"})
    order = create_order(
        actor=request_actor(request), status=OrderStatus.DRAFT, channel=Channel.MANUAL
    )
    return redirect("orders:page", number=order.number)


@require_GET
@requires("orders.view")
def order_page(request: HttpRequest, number: int) -> HttpResponse:
    order = load_order(number)
    return render(request, PAGE_TEMPLATE, _page_context(request, order))


@require_GET
@requires("orders.view")
def order_section(request: HttpRequest, number: int, section: str) -> HttpResponse:
    """One section on its own: the address editor, or a section as saved (a reload after an
    error, or a change to a paid order dropped instead of confirmed)."""
    if section not in ("addresses", "cart", "logistics"):
        raise Http404(section)
    order = load_order(number)
    context = {**_page_context(request, order), "editing": request.GET.get("edit") == "1"}
    return render(request, f"{PAGE_TEMPLATE}#{section}", context)
