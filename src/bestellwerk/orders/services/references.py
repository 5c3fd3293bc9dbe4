"""Turning the references a caller sends (codes, usernames, ids) into rows, or a clear error."""

from typing import Any

from django.db.models import Model

from bestellwerk.accounts.models import User
from bestellwerk.core.errors import ServiceError
from bestellwerk.customers.models import Customer


def resolve_code(model: type[Model], code: str | None, field: str) -> Any:
    if code in (None, ""):
        return None
    obj = model.objects.filter(code=code).first()
    if obj is None:
        raise ServiceError(
            f"unknown_{field}", f"Unknown {field.replace('_', ' ')} {code!r}.", fields={field: code}
        )
    return obj


def resolve_assignee(username: str | None) -> User | None:
    if username in (None, ""):
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ServiceError(
            "unknown_assignee", f"No active staff user {username!r}.", fields={"assignee": username}
        )
    return user


def resolve_customer(customer_id: int | None) -> Customer | None:
    if customer_id is None:
        return None
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise ServiceError(
            "unknown_customer",
            f"Customer {customer_id} does not exist.",
            fields={"customer_id": customer_id},
        )
    return customer
