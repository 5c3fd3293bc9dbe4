"""The API never answers HTML: whatever refused or broke a request under the API (a CSRF
check, a redirect, Django's own 404 or 500 page), the client gets the API's error shape."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from bestellwerk.api.errors import error_response

API_PREFIX = "/api/"
# Swagger UI is the one HTML page under the API.
HTML_PAGES = ("/api/v1/docs",)

_CODES = {
    400: ("bad_request", _("The request is not valid.")),
    403: ("permission_denied", _("This request is not allowed.")),
    404: ("not_found", _("There is no such API endpoint.")),
    405: ("method_not_allowed", _("This endpoint does not take this method.")),
}
_SERVER_ERROR = ("server_error", _("Something went wrong on our side."))


class ApiErrorsAsJsonMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or request.path.startswith(HTML_PAGES):
            return response
        if response.status_code < 400 or response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return response
        code, message = _CODES.get(response.status_code, _SERVER_ERROR)
        return error_response(response.status_code, code, str(message))
