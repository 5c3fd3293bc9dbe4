"""Who the order is for and who handles it: customer, addresses, assignee and the
order's details (lead source, channel, payment and shipping method)."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from bestellwerk.accounts.permissions import require_capability
from bestellwerk.core.actors import Actor
from bestellwerk.core.errors import ServiceError
from bestellwerk.customers.models import Customer
from bestellwerk.customers.services import (
    find_customer_by_email,
    upsert_customer_from_billing,
)
from bestellwerk.orders.events import record_order_event
from bestellwerk.orders.inputs import (
    UNSET,
    clean_address,
)
from bestellwerk.orders.models import (
    Channel,
    LeadSource,
    Order,
    OrderEventType,
    OrderLine,
)
from bestellwerk.orders.services.annotations import replace_tags
from bestellwerk.orders.services.cart import apply_totals, check_editable, current_lines
from bestellwerk.orders.services.persistence import lock_order, save_order_change
from bestellwerk.orders.services.references import resolve_assignee, resolve_code, resolve_customer
from bestellwerk.payments.models import PaymentMethod
from bestellwerk.shipping.models import ShippingMethod


def customer_from_billing(order: Order, *, email_changed: bool) -> Customer | None:
    """The order's customer after its billing data was set: the customer with the billing
    e-mail, created or updated from the billing data once the order is placed (a draft only
    looks them up). A customer chosen explicitly under another e-mail stays, untouched,
    unless the billing e-mail itself was just changed."""
    email = order.billing_address.get("email", "")
    current = order.customer
    if not email:
        return current
    owns_email = current is not None and (current.email or "").lower() == email.lower()
    if current is not None and not owns_email and not email_changed:
        return current
    if order.is_draft:
        return find_customer_by_email(email)
    return upsert_customer_from_billing(billing=order.billing_address)


def set_addresses(
    order: Order,
    *,
    billing_address: dict[str, Any] | None,
    shipping_address: dict[str, Any] | None,
    shipping_same_as_billing: bool | None,
) -> bool:
    """Returns whether anything changed."""
    before = (order.billing_address, order.shipping_address, order.shipping_same_as_billing)
    if shipping_same_as_billing is None:
        shipping_same_as_billing = UNSET  # None is "not said", as the API passes it
    if billing_address is not UNSET:
        order.billing_address = clean_address(
            billing_address, billing=True, field="billing_address"
        )
    if shipping_same_as_billing is not UNSET:
        order.shipping_same_as_billing = shipping_same_as_billing
    if shipping_address is not UNSET:
        order.shipping_address = clean_address(
            shipping_address, billing=False, field="shipping_address"
        )
        if shipping_address and shipping_same_as_billing is UNSET:
            order.shipping_same_as_billing = False
    if order.shipping_same_as_billing:
        order.shipping_address = {
            k: v for k, v in order.billing_address.items() if k not in ("email", "vat_id")
        }
    return before != (order.billing_address, order.shipping_address, order.shipping_same_as_billing)


def billing_from_customer(customer: Customer) -> dict[str, str]:
    fields = (
        "first_name",
        "last_name",
        "company",
        "line1",
        "line2",
        "postal_code",
        "city",
        "region",
        "country",
        "phone",
        "vat_id",
    )
    billing = {f: getattr(customer, f) for f in fields if getattr(customer, f)}
    if customer.email:
        billing["email"] = customer.email
    return billing


@transaction.atomic
def update_order(
    *,
    number: int,
    actor: Actor,
    expected_version: int | None = None,
    billing_address: dict[str, Any] | None = UNSET,
    shipping_address: dict[str, Any] | None = UNSET,
    shipping_same_as_billing: bool | None = UNSET,
    customer_id: int | None = UNSET,
    assignee: str | None = UNSET,
    lead_source: str | None = UNSET,
    channel: str = UNSET,
    payment_method: str | None = UNSET,
    shipping_method: str | None = UNSET,
    tags: list[str] = UNSET,
) -> Order:
    """Change the order's details; only the arguments given are touched."""
    require_capability(actor, "orders.edit")
    order = lock_order(number, expected_version)
    changed = False

    previous_email = order.billing_address.get("email", "")
    if set_addresses(
        order,
        billing_address=billing_address,
        shipping_address=shipping_address,
        shipping_same_as_billing=shipping_same_as_billing,
    ):
        changed = True
        record_order_event(
            order=order,
            type=OrderEventType.ADDRESS_CHANGED,
            actor=actor,
            data={
                "billing_address": order.billing_address,
                "shipping_address": order.shipping_address,
            },
        )
        if billing_address is not UNSET and customer_id is UNSET:
            previous = order.customer
            email_changed = order.billing_address.get("email", "").lower() != (
                previous_email.lower()
            )
            order.customer = customer_from_billing(order, email_changed=email_changed)
            if order.customer != previous:
                record_order_event(
                    order=order,
                    type=OrderEventType.CUSTOMER_CHANGED,
                    actor=actor,
                    data={
                        "from": getattr(previous, "pk", None),
                        "to": getattr(order.customer, "pk", None),
                    },
                )

    if customer_id is not UNSET:
        customer = resolve_customer(customer_id)
        if customer != order.customer:
            previous = order.customer
            order.customer = customer
            if customer is not None and billing_address is UNSET and not order.billing_address:
                order.billing_address = billing_from_customer(customer)
                set_addresses(
                    order,
                    billing_address=UNSET,
                    shipping_address=UNSET,
                    shipping_same_as_billing=UNSET,
                )
            changed = True
            record_order_event(
                order=order,
                type=OrderEventType.CUSTOMER_CHANGED,
                actor=actor,
                data={"from": getattr(previous, "pk", None), "to": getattr(customer, "pk", None)},
            )

    if assignee is not UNSET:
        user = resolve_assignee(assignee)
        if user != order.assignee:
            previous_name = order.assignee.username if order.assignee else None
            order.assignee = user
            changed = True
            record_order_event(
                order=order,
                type=OrderEventType.ASSIGNEE_CHANGED,
                actor=actor,
                data={"from": previous_name, "to": user.username if user else None},
            )

    details: dict[str, dict[str, Any]] = {}
    for field, model, value in (
        ("lead_source", LeadSource, lead_source),
        ("payment_method", PaymentMethod, payment_method),
        ("shipping_method", ShippingMethod, shipping_method),
    ):
        if value is UNSET:
            continue
        obj = resolve_code(model, value, field)
        current = getattr(order, field)
        if obj != current:
            details[field] = {
                "from": getattr(current, "code", None),
                "to": getattr(obj, "code", None),
            }
            setattr(order, field, obj)
    if channel is not UNSET and channel != order.channel:
        if channel not in Channel.values:
            raise ServiceError(
                "unknown_channel",
                _("Unknown channel %(channel)r.") % {"channel": channel},
                fields={"channel": channel},
            )
        details["channel"] = {"from": order.channel, "to": channel}
        order.channel = channel
    if details:
        changed = True
        record_order_event(
            order=order, type=OrderEventType.DETAILS_CHANGED, actor=actor, data=details
        )
        if "shipping_method" in details:
            # Shipping is money: it is locked with the cart once the order is shipped.
            check_editable(order)
            lines = current_lines(order)
            apply_totals(order, lines)
            OrderLine.objects.bulk_update(lines, ["subtotal", "discount", "total", "tax"])

    if tags is not UNSET:
        changed |= replace_tags(order, tags, actor)

    if not changed:
        return order
    return save_order_change(order, actor=actor)
