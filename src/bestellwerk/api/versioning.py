"""Optimistic locking over HTTP: the version a client saw, from the body or `If-Match`."""

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from bestellwerk.core.errors import ServiceError

MAX_VERSION_DIGITS = 18


def _version_from_if_match(header: str) -> int | None:
    value = header.strip()
    if value == "*":
        return None
    value = value.removeprefix("W/").strip('"')
    # isdigit alone takes '²' and Arabic-Indic digits, which int() then refuses or reads.
    if not (value.isascii() and value.isdigit()) or len(value) > MAX_VERSION_DIGITS:
        raise ServiceError(
            "invalid_if_match",
            _('If-Match names the order version, e.g. If-Match: "3".'),
            fields={"If-Match": header[:50]},
        )
    return int(value)


def expected_version(request: HttpRequest, body_version: int | None) -> int | None:
    """The version the client last saw; the service answers 409 when it is stale."""
    header = request.headers.get("If-Match")
    header_version = _version_from_if_match(header) if header is not None else None
    if header_version is None:
        return body_version
    if body_version is not None and body_version != header_version:
        raise ServiceError(
            "version_conflict",
            _("The body's version and If-Match disagree; at least one of them is stale."),
            fields={"version": body_version, "If-Match": header_version},
        )
    return header_version


def set_etag(response: HttpResponse, version: int) -> None:
    """Lets a client send the version back as `If-Match`."""
    response["ETag"] = f'"{version}"'
