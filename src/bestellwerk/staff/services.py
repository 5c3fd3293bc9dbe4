"""Writes the staff UI makes that belong to no other app's service."""

from django.db import transaction

from bestellwerk.accounts.models import User
from bestellwerk.core.errors import ServiceError

UI_LANGUAGES = frozenset({"de", "en"})


@transaction.atomic
def set_user_language(*, user: User, language: str) -> User:
    """Store the language the staff user sees the UI in (the middleware activates it)."""
    if language not in UI_LANGUAGES:
        raise ServiceError(
            "invalid_language", "Choose de or en.", fields={"language": language[:10]}
        )
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user
