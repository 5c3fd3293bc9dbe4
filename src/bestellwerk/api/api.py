"""The NinjaAPI instance; each app adds its router from its own api.py."""

from typing import Any

from django.http import HttpRequest
from django.urls import URLPattern, URLResolver, re_path
from ninja import NinjaAPI
from ninja.params.models import ParamModel
from pydantic_core import ValidationError as PydanticValidationError

from bestellwerk.api.auth import BearerTokenAuth
from bestellwerk.api.errors import (
    StrictJsonParser,
    install_error_handlers,
    unknown_route,
    with_json_method_not_allowed,
)
from bestellwerk.catalog.api import router as catalog_router
from bestellwerk.customers.api import router as customers_router
from bestellwerk.orders.api import router as orders_router
from bestellwerk.payments.api import router as payments_router
from bestellwerk.payments.api_payments import router as payment_actions_router
from bestellwerk.promotions.api import router as promotions_router
from bestellwerk.shipping.api import router as shipping_router
from bestellwerk.transfer.api import router as transfer_router


class BestellwerkAPI(NinjaAPI):
    """NinjaAPI whose every answer, even for an unknown path or method, has our error shape."""

    def _get_urls(self) -> list[URLPattern | URLResolver]:
        patterns = super()._get_urls()
        for pattern in patterns:
            if not isinstance(pattern, URLPattern):
                continue
            if pattern.name == "api-root":
                # ninja's root view raises a bare Http404 (an HTML page); the name must stay,
                # ninja reverses it to find where the API is mounted.
                pattern.callback = unknown_route
            else:
                pattern.callback = with_json_method_not_allowed(pattern.callback)
        return [*patterns, re_path(r"^.*$", unknown_route, name="unknown-route")]

    def refuse_unknown_query_parameters(self) -> None:
        """A misspelt filter (`?stauts=paid`) must not silently list every order: each
        operation's query model refuses the names it does not declare, as bodies do, and so
        does each form (multipart) model with the names of its form fields and files."""
        for _prefix, router in self._routers:
            for path_view in router.path_operations.values():
                for operation in path_view.operations:
                    files = {
                        name
                        for model in operation.models
                        if model.__ninja_param_source__ == "file"
                        for name in model.model_fields
                    }
                    for model in operation.models:
                        if model.__ninja_param_source__ in ("query", "form"):
                            model.resolve = _refusing_unknown_names(model, allowed=files)


def _refusing_unknown_names(model: type[ParamModel], *, allowed: set[str]) -> classmethod:
    known = frozenset(getattr(model, "__ninja_flatten_map__", None) or model.model_fields)
    known |= allowed
    resolve = model.resolve
    form = model.__ninja_param_source__ == "form"

    def resolve_known(cls: type[ParamModel], request: HttpRequest, *args: Any) -> ParamModel:
        given = set(request.POST) | set(request.FILES) if form else set(request.GET)
        unknown = sorted(given - known)
        if unknown:
            raise PydanticValidationError.from_exception_data(
                cls.__name__,
                [{"type": "extra_forbidden", "loc": (name[:50],), "input": ""} for name in unknown],
            )
        return resolve(request, *args)

    return classmethod(resolve_known)


api = BestellwerkAPI(
    title="Bestellwerk API",
    version="1",
    urls_namespace="api",
    auth=BearerTokenAuth(),
    parser=StrictJsonParser(),
    description=(
        "Orders, products, coupons and customers of the Bestellwerk back office. "
        "Send `Authorization: Bearer <token>` (`bestellwerk create-api-token USERNAME`). "
        'Errors: `{"error": {"code", "message", "fields"}}`. Amounts are strings with two '
        "decimals. Lists page with `next_cursor`."
    ),
)
install_error_handlers(api)


api.add_router("", orders_router)
api.add_router("", catalog_router)
api.add_router("", promotions_router)
api.add_router("", customers_router)
api.add_router("", payments_router)
api.add_router("", payment_actions_router)
api.add_router("", shipping_router)
api.add_router("", transfer_router)
api.refuse_unknown_query_parameters()
