"""Bearer tokens and the permission check every endpoint makes first."""

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
    """`Authorization: Bearer <token>`; the token's user must be active and it unrevoked."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        return authenticate_token(raw=token)


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
