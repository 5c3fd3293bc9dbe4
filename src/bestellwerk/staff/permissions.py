"""Guards for staff pages: every view names the capability it needs (accounts.permissions)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from bestellwerk.accounts.permissions import has_permission

ViewFunction = Callable[..., HttpResponse]


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


class CapabilityRequiredMixin(LoginRequiredMixin):
    """The same guard for class-based views: set `capability` on the class."""

    capability: str = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not self.capability or not has_permission(request.user, self.capability):
            raise PermissionDenied(self.capability)
        return super().dispatch(request, *args, **kwargs)
