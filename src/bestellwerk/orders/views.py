"""The order page: create a draft, then edit it section by section with htmx.

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
from django.db import transaction
from django.db.models import Q, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from bestellwerk.accounts.models import User
from bestellwerk.accounts.permissions import has_permission, permission_required_for
from bestellwerk.catalog.models import Product
from bestellwerk.core.actors import Actor
from bestellwerk.core.errors import ServiceError
from bestellwerk.core.models import Tag
from bestellwerk.core.money import VAT_RATES
from bestellwerk.customers.models import Customer
from bestellwerk.customers.services import create_customer
from bestellwerk.orders.forms import (
    ADDRESS_FIELDS,
    BILLING_FIELDS,
    NewCustomerForm,
    add_product_line,
    address_rows,
    parse_address,
    parse_bool,
    parse_cart_lines,
    parse_custom_line,
    parse_version,
    remove_line,
)
from bestellwerk.orders.lifecycle import PLACEABLE, TRANSITIONS, stock_effect
from bestellwerk.orders.models import Channel, LeadSource, Order, OrderEventType, OrderStatus
from bestellwerk.orders.selectors import get_order, list_order_events
from bestellwerk.orders.services import (
    add_order_note,
    add_shipment,
    change_order_tags,
    create_order,
    place_order,
    set_order_coupon,
    set_order_lines,
    set_order_status,
    set_payment_status,
    update_order,
    update_shipment_tracking,
)
from bestellwerk.orders.view_errors import describe_service_error
from bestellwerk.payments.models import PaymentMethod
from bestellwerk.shipping.models import Carrier, ShippingMethod

PAGE_TEMPLATE = "orders/order_page.html"
# Re-rendered after every change: the version every form sends, the header, the timeline.
ALWAYS_SECTIONS = ("version", "header", "timeline")
LOOKUP_LIMIT = 10
MAX_LOOKUP_QUERY = 100
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


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user)


def _load_order(number: int) -> Order:
    try:
        return get_order(number=number)
    except ServiceError as error:
        raise Http404(error.message) from error


def _ordered_statuses(statuses: frozenset[str]) -> list[str]:
    return [status for status in OrderStatus.values if status in statuses]


def _status_choices(order: Order) -> list[dict[str, str]]:
    """The statuses the order may go to next (for a draft: be placed as), each with what
    the change does to stock."""
    if order.is_draft:
        targets, current, held = PLACEABLE, OrderStatus.DRAFT, False
    else:
        targets, current, held = TRANSITIONS[order.status], order.status, order.stock_held
    return [
        {
            "value": status,
            "label": OrderStatus(status).label,
            "effect": stock_effect(current, status, stock_held=held),
        }
        for status in _ordered_statuses(targets)
    ]


def _page_context(request: HttpRequest, order: Order) -> dict[str, Any]:
    """Everything the page's sections show, in a fixed number of queries whatever the
    number of lines and events (the order itself comes from `get_order`)."""
    user = request.user
    can_edit = has_permission(user, "orders.edit")
    can_status = has_permission(user, "orders.status")
    status_choices = _status_choices(order)
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


def _render_sections(
    request: HttpRequest, number: int, sections: tuple[str, ...], focus: str = ""
) -> HttpResponse:
    """Answer an htmx change with `sections` (and the ALWAYS ones) as out-of-band swaps;
    `focus` names the input that gets `autofocus` (htmx focuses it after the swap)."""
    if not request.htmx:
        return redirect("orders:page", number=number)
    order = get_order(number=number)
    context = {**_page_context(request, order), "oob": True, "focus": focus}
    names = dict.fromkeys((*sections, *ALWAYS_SECTIONS))
    html = "".join(
        render_to_string(f"{PAGE_TEMPLATE}#{name}", context, request=request) for name in names
    )
    response = HttpResponse(html)
    response["HX-Reswap"] = "none"
    return response


def _render_error(
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


def _apply(
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
        missing = ServiceError("version_missing", "The form did not say which version it saw.")
        return _render_error(request, number, section, missing)
    try:
        change(version)
    except ServiceError as error:
        return _render_error(request, number, section, error)
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
    order = create_order(actor=_actor(request), status=OrderStatus.DRAFT, channel=Channel.MANUAL)
    return redirect("orders:page", number=order.number)


@require_GET
@requires("orders.view")
def order_page(request: HttpRequest, number: int) -> HttpResponse:
    order = _load_order(number)
    return render(request, PAGE_TEMPLATE, _page_context(request, order))


@require_GET
@requires("orders.view")
def order_section(request: HttpRequest, number: int, section: str) -> HttpResponse:
    """One section on its own (the address editor, or a reload after an error)."""
    if section != "addresses":
        raise Http404(section)
    order = _load_order(number)
    context = {**_page_context(request, order), "editing": request.GET.get("edit") == "1"}
    return render(request, f"{PAGE_TEMPLATE}#{section}", context)


# --------------------------------------------------------------------------- customer


@require_POST
@requires("orders.edit")
def order_customer(request: HttpRequest, number: int) -> HttpResponse:
    if "customer_id" not in request.POST:
        # Enter pressed in the search box: nothing was chosen, nothing changes.
        return HttpResponse(status=204)
    raw = request.POST["customer_id"]
    customer_id = int(raw) if raw.isdigit() else None
    return _apply(
        request,
        number,
        "customer",
        lambda version: update_order(
            number=number, actor=_actor(request), expected_version=version, customer_id=customer_id
        ),
        ("customer", "addresses"),
    )


@require_POST
@requires("orders.edit")
@requires("customers.edit")
def order_customer_new(request: HttpRequest, number: int) -> HttpResponse:
    """Create a customer inline and make them the order's customer, in one transaction
    (a stale page creates no orphan customer)."""
    form = NewCustomerForm(request.POST)
    if not form.is_valid():
        problems = [str(e) for e in form.non_field_errors()] + [
            f"{form.fields[name].label}: {errors[0]}"
            for name, errors in form.errors.items()
            if name != "__all__"
        ]
        error = ServiceError("invalid_customer", "; ".join(problems))
        return _render_error(request, number, "customer", error)

    def create_and_assign(version: int) -> None:
        with transaction.atomic():
            customer = create_customer(email=form.cleaned_data["email"], **form.customer_fields())
            update_order(
                number=number,
                actor=_actor(request),
                expected_version=version,
                customer_id=customer.pk,
            )

    return _apply(request, number, "customer", create_and_assign, ("customer", "addresses"))


@require_GET
@requires("customers.view")
def lookup_customers(request: HttpRequest) -> HttpResponse:
    """Customers matching what is typed (name, company, e-mail, phone, city)."""
    query = " ".join(request.GET.get("q", "").split())[:MAX_LOOKUP_QUERY]
    customers: list[Customer] = []
    if query:
        condition = Q()
        for word in query.split():
            condition &= (
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(company__icontains=word)
                | Q(email__icontains=word)
                | Q(phone__icontains=word)
                | Q(city__icontains=word)
            )
        customers = list(
            Customer.objects.filter(condition).order_by("last_name", "id")[:LOOKUP_LIMIT]
        )
    return render(request, "orders/lookup_customers.html", {"customers": customers, "query": query})


@require_GET
@requires("orders.edit")
def lookup_products(request: HttpRequest) -> HttpResponse:
    """Products for sale whose SKU starts with, or whose name contains, what is typed."""
    query = request.GET.get("q", "").strip()[:MAX_LOOKUP_QUERY]
    products: list[Product] = []
    if query:
        name_match = Q()
        for word in query.split():
            name_match &= Q(name__icontains=word)
        condition = Q(sku__istartswith=query) | name_match
        products = list(
            Product.objects.filter(condition, is_active=True).order_by("sku")[:LOOKUP_LIMIT]
        )
    return render(request, "orders/lookup_products.html", {"products": products, "query": query})


# --------------------------------------------------------------------------- details


@require_POST
@requires("orders.edit")
def order_assignment(request: HttpRequest, number: int) -> HttpResponse:
    return _apply(
        request,
        number,
        "assignment",
        lambda version: update_order(
            number=number,
            actor=_actor(request),
            expected_version=version,
            assignee=request.POST.get("assignee") or None,
            lead_source=request.POST.get("lead_source") or None,
        ),
        ("assignment",),
    )


@require_POST
@requires("orders.edit")
def order_addresses(request: HttpRequest, number: int) -> HttpResponse:
    """Save both addresses, or (`use_billing`) ship to the billing address."""
    if parse_bool(request.POST, "use_billing"):
        changes: dict[str, Any] = {"shipping_same_as_billing": True}
    else:
        same = parse_bool(request.POST, "shipping_same_as_billing")
        changes = {
            "billing_address": parse_address(request.POST, "billing", BILLING_FIELDS),
            "shipping_same_as_billing": same,
        }
        if not same:
            changes["shipping_address"] = parse_address(request.POST, "shipping", ADDRESS_FIELDS)
    return _apply(
        request,
        number,
        "addresses",
        lambda version: update_order(
            number=number, actor=_actor(request), expected_version=version, **changes
        ),
        ("addresses", "customer"),
    )


# --------------------------------------------------------------------------- cart


@require_POST
@requires("orders.edit")
def order_cart(request: HttpRequest, number: int) -> HttpResponse:
    """The whole cart as posted, changed by the button pressed: add a product, add a custom
    line, remove a line, apply/remove the coupon, or (`figures`) new quantities only, where
    the answer leaves the inputs alone and swaps totals and line amounts."""
    data = request.POST
    actor = _actor(request)
    coupon_action = data.get("coupon_action")
    if coupon_action in ("apply", "remove"):
        code = (data.get("coupon_code") or "").strip() if coupon_action == "apply" else None
        return _apply(
            request,
            number,
            "cart",
            lambda version: set_order_coupon(
                number=number, coupon_code=code, actor=actor, expected_version=version
            ),
            ("cart",),
        )
    lines = parse_cart_lines(data)
    if data.get("remove", "").isdigit():
        lines = remove_line(lines, int(data["remove"]))
    elif data.get("add_sku"):
        lines = add_product_line(lines, data["add_sku"].strip())
    elif data.get("add_custom"):
        lines = [*lines, parse_custom_line(data)]
    figures_only = data.get("figures") == "1"
    return _apply(
        request,
        number,
        "cart",
        lambda version: set_order_lines(
            number=number, lines=lines, actor=actor, expected_version=version
        ),
        ("cart_figures",) if figures_only else ("cart",),
        # After adding a product the next one is typed right away.
        focus="product-search" if data.get("add_sku") else "",
    )


# --------------------------------------------------------------------------- payment


@require_POST
@requires("orders.edit")
def order_payment_method(request: HttpRequest, number: int) -> HttpResponse:
    return _apply(
        request,
        number,
        "payment",
        lambda version: update_order(
            number=number,
            actor=_actor(request),
            expected_version=version,
            payment_method=request.POST.get("payment_method") or None,
        ),
        ("payment",),
    )


@require_POST
@requires("orders.payments")
def order_payment_status(request: HttpRequest, number: int) -> HttpResponse:
    return _apply(
        request,
        number,
        "payment",
        lambda version: set_payment_status(
            number=number,
            payment_status=request.POST.get("payment_status", ""),
            actor=_actor(request),
            expected_version=version,
        ),
        ("payment",),
    )


# --------------------------------------------------------------------------- logistics


@require_POST
@requires("orders.edit")
def order_shipping_method(request: HttpRequest, number: int) -> HttpResponse:
    return _apply(
        request,
        number,
        "logistics",
        lambda version: update_order(
            number=number,
            actor=_actor(request),
            expected_version=version,
            shipping_method=request.POST.get("shipping_method") or None,
        ),
        ("logistics", "cart"),
    )


@require_POST
@requires("orders.shipments")
def order_shipment_add(request: HttpRequest, number: int) -> HttpResponse:
    """A carrier from the list, or (carrier 'other') a custom name, and the tracking code."""
    carrier = request.POST.get("carrier", "")
    return _apply(
        request,
        number,
        "logistics",
        lambda version: add_shipment(
            number=number,
            actor=_actor(request),
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
    return _apply(
        request,
        number,
        "logistics",
        lambda version: update_shipment_tracking(
            number=number,
            shipment_id=shipment_id,
            tracking_code=request.POST.get("tracking_code", ""),
            actor=_actor(request),
            expected_version=version,
        ),
        ("logistics",),
    )


# --------------------------------------------------------------------------- status


@require_POST
@requires("orders.status")
def order_status(request: HttpRequest, number: int) -> HttpResponse:
    data = request.POST
    return _apply(
        request,
        number,
        "status",
        lambda version: set_order_status(
            number=number,
            status=data.get("status", ""),
            actor=_actor(request),
            adjust_stock=parse_bool(data, "adjust_stock"),
            notify_customer=parse_bool(data, "notify_customer"),
            notify_admins=parse_bool(data, "notify_admins"),
            comment=data.get("comment", "").strip(),
            expected_version=version,
        ),
        ("status", "cart", "payment", "logistics"),
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

    return _apply(
        request,
        number,
        "status",
        lambda version: place_order(
            number=number,
            actor=_actor(request),
            status=data.get("status") or OrderStatus.PENDING,
            adjust_stock=parse_bool(data, "adjust_stock"),
            expected_version=version,
        ),
        (),
        respond=reload_page,
    )


# --------------------------------------------------------------------------- notes, tags


@require_POST
@requires("orders.notes")
def order_note(request: HttpRequest, number: int) -> HttpResponse:
    return _apply(
        request,
        number,
        "notes",
        lambda version: add_order_note(
            number=number,
            body=request.POST.get("body", ""),
            actor=_actor(request),
            expected_version=version,
        ),
        ("notes",),
    )


@require_POST
@requires("orders.edit")
def order_tags(request: HttpRequest, number: int) -> HttpResponse:
    add = [request.POST["add"]] if request.POST.get("add", "").strip() else []
    remove = [request.POST["remove"]] if request.POST.get("remove", "").strip() else []
    return _apply(
        request,
        number,
        "tags",
        lambda version: change_order_tags(
            number=number, actor=_actor(request), add=add, remove=remove, expected_version=version
        ),
        ("tags",),
    )
