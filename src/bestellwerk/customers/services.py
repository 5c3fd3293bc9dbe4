from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bestellwerk.core.errors import ServiceError
from bestellwerk.core.tags import get_or_create_tags
from bestellwerk.customers.models import Customer

# The fields a billing address carries over to the customer record.
CUSTOMER_ADDRESS_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "phone",
    "vat_id",
    "line1",
    "line2",
    "postal_code",
    "city",
    "region",
    "country",
)


def find_customer_by_email(email: str) -> Customer | None:
    if not email:
        return None
    return Customer.objects.filter(email__iexact=email.strip()).first()


@transaction.atomic(savepoint=False)
def upsert_customer_from_billing(*, billing: dict[str, Any]) -> Customer | None:
    """The customer with the billing e-mail, created or updated from the billing data."""
    email = (billing.get("email") or "").strip()
    if not email:
        return None
    values = {f: billing[f] for f in CUSTOMER_ADDRESS_FIELDS if billing.get(f)}
    customer = Customer.objects.select_for_update().filter(email__iexact=email).first()
    if customer is None:
        try:
            with transaction.atomic():
                return Customer.objects.create(email=email.lower(), **values)
        except IntegrityError:
            # A concurrent order created this customer first: update theirs instead.
            customer = Customer.objects.select_for_update().get(email__iexact=email)
    changed = [f for f, v in values.items() if getattr(customer, f) != v]
    for f in changed:
        setattr(customer, f, values[f])
    if changed:
        customer.save(update_fields=[*changed, "updated_at"])
    return customer


@transaction.atomic
def create_customer(*, email: str = "", **fields: Any) -> Customer:
    allowed = {*CUSTOMER_ADDRESS_FIELDS, "language"}
    unknown = set(fields) - allowed
    if unknown:
        raise ServiceError(
            "invalid_field", _("Unknown customer fields."), fields={f: "unknown" for f in unknown}
        )
    email = email.strip().lower()
    if email and find_customer_by_email(email):
        raise ServiceError(
            "customer_exists", _("A customer with this e-mail exists."), fields={"email": email}
        )
    return Customer.objects.create(email=email or None, **fields)


def add_customer_tags(*, customer: Customer, names: Iterable[str]) -> list[str]:
    """Add tags to a customer; returns the names that were new to them."""
    tags = get_or_create_tags(names)
    if not tags:
        return []
    existing = set(customer.tags.values_list("pk", flat=True))
    new = [t for t in tags if t.pk not in existing]
    if new:
        customer.tags.add(*new)
    return [t.name for t in new]
