from django.db import transaction
from django.utils import timezone

from bestellwerk.accounts.models import ApiToken, User, hash_token


@transaction.atomic
def create_api_token(*, user: User, name: str = "default") -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the row and the raw value (shown only now)."""
    raw = ApiToken.generate_raw()
    token = ApiToken.objects.create(
        user=user, name=name[:100], key_hash=hash_token(raw), prefix=raw[:10]
    )
    return token, raw


def authenticate_token(*, raw: str) -> ApiToken | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
