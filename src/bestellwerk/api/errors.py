"""Every error of the API in one shape: {"error": {"code", "message", "fields"}}.

Business rules raise ServiceError; here the framework's own errors (bad JSON, failed
validation, missing token, unknown route, wrong method, oversized body) get the same shape,
and an unexpected exception becomes a plain 500 without a traceback.
"""

import json
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.parser import Parser

from bestellwerk.core.errors import ServiceError

logger = logging.getLogger("bestellwerk.api")

# Where a request value came from; dropped from the field path of a validation error.
_VALIDATION_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


class UnsupportedMediaType(Exception):
    """A body that does not say it is JSON (`text/plain` passes no CORS preflight)."""


class DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class StrictJsonParser(Parser):
    """Bodies are JSON by their Content-Type, and an object names each key once: with two,
    which one counts would depend on the parser."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        if request.content_type != "application/json":
            raise UnsupportedMediaType(request.content_type)
        return json.loads(request.body, object_pairs_hook=_refuse_duplicate_keys)


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise DuplicateKey(key[:50])
        result[key] = value
    return result


def error_response(
    status: int, code: str, message: str, fields: dict[str, Any] | None = None
) -> HttpResponse:
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    return HttpResponse(
        json.dumps(body, default=str),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def field_path(loc: tuple | list, *, body_param_names: set[str]) -> str:
    """`("body", "payload", "lines", 0, "quantity")` → `"lines.0.quantity"`."""
    parts = list(loc)
    if parts and parts[0] in _VALIDATION_SOURCES:
        source = parts.pop(0)
        if source == "body" and parts and parts[0] in body_param_names:
            parts.pop(0)
    return ".".join(str(part) for part in parts) if parts else "body"


def _validation_fields(errors: list[dict[str, Any]]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for error in errors:
        path = field_path(error.get("loc", ()), body_param_names={"payload"})
        message = str(error.get("msg", "invalid"))
        # Pydantic prefixes the messages of our own validators with "Value error, ".
        message = message.removeprefix("Value error, ")
        fields[path] = f"{fields[path]}; {message}" if path in fields else message
    return fields


def handle_service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    response = error_response(exc.http_status, exc.code, exc.message, exc.fields)
    if exc.http_status == 429:
        response["Retry-After"] = str(exc.fields["retry_after"])
    return response


def handle_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return error_response(
        422, "invalid_input", _("Some values are invalid."), _validation_fields(exc.errors)
    )


def handle_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error_response(
        401,
        "unauthorized",
        _("Send a valid API token: Authorization: Bearer <token>."),
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


def handle_authorization_error(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
    return error_response(403, "permission_denied", _("Your role may not do this."))


def handle_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, UnsupportedMediaType):
        return error_response(
            415,
            "unsupported_media_type",
            _("Send the request body as JSON (Content-Type: application/json)."),
        )
    if isinstance(exc.__cause__, DuplicateKey):
        return error_response(
            400,
            "invalid_json",
            _("The request body names %(key)s twice.") % {"key": exc.__cause__.key},
        )
    if exc.status_code == 400 and exc.__cause__ is not None:
        # ninja turns a body it cannot parse into HttpError(400) raised from the parse error.
        return error_response(400, "invalid_json", _("The request body is not valid JSON."))
    return error_response(exc.status_code, "http_error", str(exc))


def handle_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(404, "not_found", _("Not found."))


def handle_body_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(
        413, "body_too_large", _("The request body is too large (at most 1 MiB).")
    )


def handle_suspicious_request(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    # Django's own request limits, e.g. more than DATA_UPLOAD_MAX_NUMBER_FIELDS parameters.
    logger.warning("Refused request %s %s: %s", request.method, request.path, exc)
    return error_response(400, "bad_request", _("The request exceeds the limits of this API."))


def handle_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Called by ninja outside its `except` block: hand the exception over explicitly.
    logger.error("Unexpected error in %s %s", request.method, request.path, exc_info=exc)
    return error_response(500, "server_error", _("Something went wrong on our side."))


def install_error_handlers(api: NinjaAPI) -> None:
    # Order does not matter: ninja picks the handler of the most specific class.
    api.add_exception_handler(ServiceError, handle_service_error)
    api.add_exception_handler(ValidationError, handle_validation_error)
    api.add_exception_handler(AuthenticationError, handle_authentication_error)
    api.add_exception_handler(AuthorizationError, handle_authorization_error)
    api.add_exception_handler(HttpError, handle_http_error)
    api.add_exception_handler(Http404, handle_not_found)
    api.add_exception_handler(RequestDataTooBig, handle_body_too_big)
    api.add_exception_handler(SuspiciousOperation, handle_suspicious_request)
    api.add_exception_handler(Exception, handle_unexpected)


@csrf_exempt
def unknown_route(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any path under the API that no endpoint serves (with any method: it writes nothing,
    so no CSRF check stands between a POST and its 404)."""
    return error_response(404, "not_found", _("There is no such API endpoint."))


def with_json_method_not_allowed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """ninja answers a wrong method with a plain-text 405; give it the error shape."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = error_response(
                405,
                "method_not_allowed",
                _("This endpoint does not take %(method)s.") % {"method": request.method},
                {"allowed": [m.strip() for m in allowed.split(",") if m.strip()]},
            )
            response["Allow"] = allowed
        return response

    return wrapped
