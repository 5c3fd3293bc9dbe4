"""Headers every page of ours gets (static files are answered before this, by WhiteNoise)."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class PrivatePagesMiddleware:
    """Staff pages, the API and the customer's payment page hold personal and business
    data: no cache (browser, proxy) keeps a copy (`Cache-Control: no-store`), and features
    the back office never uses are switched off (`Permissions-Policy`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
