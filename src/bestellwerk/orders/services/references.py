"""Turning the references a caller sends (codes, usernames, ids) into rows, or a clear error."""

from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bestellwerk.accounts.models import User
from bestellwerk.core.errors import ServiceError
from bestellwerk.core.row_cache import cached_row
from bestellwerk.customers.models import Customer

# One sentence per kind of code, so each translates as a whole.
UNKNOWN_CODE_MESSAGES = {
    "carrier": gettext_lazy("Unknown carrier %(code)r."),
    "lead_source": gettext_lazy("Unknown lead source %(code)r."),
    "payment_method": gettext_lazy("Unknown payment method %(code)r."),
    "shipping_method": gettext_lazy("Unknown shipping method %(code)r."),
}


def resolve_code(model: type[Model], code: str | None, field: str) -> Any:
    if code in (None, ""):
        return None
    # Methods, lead sources and carriers are few and rarely change: read once per process.
    obj = cached_row(model, code, lambda: model.objects.filter(code=code).first())
    if obj is None:
        raise ServiceError(
            f"unknown_{field}", UNKNOWN_CODE_MESSAGES[field] % {"code": code}, fields={field: code}
        )
    return obj


def resolve_assignee(username: str | None) -> User | None:
    if username in (None, ""):
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ServiceError(
            "unknown_assignee",
            _("No active staff user %(username)r.") % {"username": username},
            fields={"assignee": username},
        )
    return user


def resolve_customer(customer_id: int | None) -> Customer | None:
    if customer_id is None:
        return None
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise ServiceError(
            "unknown_customer",
            _("Customer %(id)s does not exist.") % {"id": customer_id},
            fields={"customer_id": customer_id},
        )
    return customer
