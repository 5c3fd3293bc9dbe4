"""What each role may do. Every staff page and API call checks one of these."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from bestellwerk.accounts.models import Role, User
from bestellwerk.core.actors import Actor
from bestellwerk.core.errors import ServiceError

ViewFunction = Callable[..., HttpResponse]

# Capabilities, each granted to a set of roles.
PERMISSIONS: dict[str, frozenset[str]] = {
    "orders.view": frozenset({Role.ADMIN, Role.SALES, Role.WAREHOUSE}),
    "orders.edit": frozenset({Role.ADMIN, Role.SALES}),
    # Forward through fulfilment (processing, on hold, shipped, completed).
    "orders.status": frozenset({Role.ADMIN, Role.SALES, Role.WAREHOUSE}),
    # Every other move: cancel, reopen, back to pending.
    "orders.cancel": frozenset({Role.ADMIN, Role.SALES}),
    "orders.shipments": frozenset({Role.ADMIN, Role.SALES, Role.WAREHOUSE}),
    "orders.notes": frozenset({Role.ADMIN, Role.SALES, Role.WAREHOUSE}),
    "orders.payments": frozenset({Role.ADMIN, Role.SALES}),
    # Importing writes orders, customers and perhaps stock in bulk: the owner's decision.
    "orders.import": frozenset({Role.ADMIN}),
    "orders.export": frozenset({Role.ADMIN, Role.SALES}),
    "customers.view": frozenset({Role.ADMIN, Role.SALES}),
    "customers.edit": frozenset({Role.ADMIN, Role.SALES}),
    "coupons.view": frozenset({Role.ADMIN, Role.SALES}),
    "coupons.edit": frozenset({Role.ADMIN, Role.SALES}),
    "products.view": frozenset({Role.ADMIN, Role.SALES, Role.WAREHOUSE}),
    "products.edit": frozenset({Role.ADMIN}),
    "stock.adjust": frozenset({Role.ADMIN, Role.WAREHOUSE}),
    "settings.view": frozenset({Role.ADMIN, Role.SALES, Role.WAREHOUSE}),
    "settings.edit": frozenset({Role.ADMIN}),
}


def has_permission(user: User, permission: str) -> bool:
    if not user.is_active:
        return False
    return user.effective_role in PERMISSIONS[permission]


def require_capability(actor: Actor, capability: str) -> None:
    """Services check the role of the person or token behind a change, as the API and the
    staff UI do before calling them; the system and automations act for the shop."""
    if actor.user is not None and not has_permission(actor.user, capability):
        raise ServiceError(
            "permission_denied",
            _("Your role may not do this."),
            fields={"capability": capability},
        )


def permission_required_for(capability: str) -> Callable[[ViewFunction], ViewFunction]:
    """Decorate a function view: anonymous users go to the login page, signed-in users
    without `capability` get 403."""

    def decorator(view: ViewFunction) -> ViewFunction:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_permission(request.user, capability):
                raise PermissionDenied(capability)
            return view(request, *args, **kwargs)

        return login_required(guarded)

    return decorator
