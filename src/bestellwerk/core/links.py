"""Links that leave the request: in e-mails, to customers, to our own callbacks.

They are built from PUBLIC_BASE_URL only, never from the request's Host header, which the
client chooses (a crafted Host would send customers, or our own server-to-server calls,
elsewhere).
"""

from django.conf import settings


def public_url(path: str) -> str:
    """`path` (from `reverse`) under the shop's public address."""
    return settings.PUBLIC_BASE_URL + path
