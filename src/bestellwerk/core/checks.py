"""A deployment must not run with the development SECRET_KEY (`check --deploy` fails)."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error
from django.core.exceptions import ImproperlyConfigured


def check_secret_key(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.SECRET_KEY != settings.DEVELOPMENT_SECRET_KEY:
        return []
    return [
        Error(
            "SECRET_KEY is the public development key.",
            hint="Set SECRET_KEY in the environment to a long random value "
            '(python3 -c "import secrets; print(secrets.token_urlsafe(50))").',
            id="bestellwerk.E001",
        )
    ]


def refuse_development_key_in_production() -> None:
    """Called where the WSGI application starts: with DEBUG off, no development key."""
    if not settings.DEBUG and settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
        raise ImproperlyConfigured(
            "DEBUG is off and SECRET_KEY is the public development key: set SECRET_KEY "
            "(see README, Production)."
        )
