"""Bearer tokens and the permission check every endpoint makes first."""

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from bestellwerk.accounts.models import ApiToken
from bestellwerk.accounts.permissions import has_permission
from bestellwerk.accounts.services import authenticate_token
from bestellwerk.core.actors import Actor
from bestellwerk.core.errors import ServiceError

# Real tokens are about 46 characters; anything far longer is not worth hashing.
MAX_TOKEN_LENGTH = 200


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; the token's user must be active and it unrevoked.

    Guessing is slowed down: after API_TOKEN_FAILURE_LIMIT wrong tokens from one address
    within API_TOKEN_FAILURE_WINDOW seconds, that address gets 429 with Retry-After until
    the window has passed (counted in the cache, shared by every process on Redis)."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        failures_key = f"api-token-failures:{get_client_ip_address(request)}"
        window = settings.API_TOKEN_FAILURE_WINDOW
        if cache.get(failures_key, 0) >= settings.API_TOKEN_FAILURE_LIMIT:
            raise ServiceError(
                "too_many_attempts",
                _("Too many wrong API tokens from your address. Try again later."),
                fields={"retry_after": window},
            )
        api_token = None
        if token and len(token) <= MAX_TOKEN_LENGTH:
            api_token = authenticate_token(raw=token)
        # add() starts the window with the first failure; incr() never extends it.
        if api_token is None and not cache.add(failures_key, 1, timeout=window):
            cache.incr(failures_key)
        return api_token


def authorize(request: HttpRequest, permission: str) -> Actor:
    """The actor behind the request's token, if its user's role grants `permission`."""
    # ninja sets `request.auth` to what BearerTokenAuth returned before the handler runs.
    token: ApiToken = request.auth
    if not has_permission(token.user, permission):
        raise ServiceError(
            "permission_denied",
            _("Your role may not do this."),
            fields={"permission": permission},
        )
    return Actor.for_token(token)
