"""Who the order is for and who handles it: the customer (chosen or created inline),
the billing and shipping addresses, the assignee and the lead source."""

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from bestellwerk.core.errors import ServiceError
from bestellwerk.customers.services import create_customer
from bestellwerk.orders.forms import (
    ADDRESS_FIELDS,
    BILLING_FIELDS,
    NewCustomerForm,
    parse_address,
    parse_bool,
)
from bestellwerk.orders.services import update_order
from bestellwerk.orders.views.page import apply, render_error, request_actor, requires


@require_POST
@requires("orders.edit")
def order_customer(request: HttpRequest, number: int) -> HttpResponse:
    if "customer_id" not in request.POST:
        # Enter pressed in the search box: nothing was chosen, nothing changes.
        return HttpResponse(status=204)
    raw = request.POST["customer_id"]
    customer_id = int(raw) if raw.isdigit() else None
    return apply(
        request,
        number,
        "customer",
        lambda version: update_order(
            number=number,
            actor=request_actor(request),
            expected_version=version,
            customer_id=customer_id,
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
        return render_error(request, number, "customer", error)

    def create_and_assign(version: int) -> None:
        with transaction.atomic():
            customer = create_customer(email=form.cleaned_data["email"], **form.customer_fields())
            update_order(
                number=number,
                actor=request_actor(request),
                expected_version=version,
                customer_id=customer.pk,
            )

    return apply(request, number, "customer", create_and_assign, ("customer", "addresses"))


@require_POST
@requires("orders.edit")
def order_assignment(request: HttpRequest, number: int) -> HttpResponse:
    return apply(
        request,
        number,
        "assignment",
        lambda version: update_order(
            number=number,
            actor=request_actor(request),
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
    return apply(
        request,
        number,
        "addresses",
        lambda version: update_order(
            number=number, actor=request_actor(request), expected_version=version, **changes
        ),
        ("addresses", "customer"),
    )
