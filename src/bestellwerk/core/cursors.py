"""Opaque, signed keyset cursors: a list page hands out the position after its last row.

A cursor is signed with the SECRET_KEY, so a client can only send back one the server made:
no forged primary keys, no dates out of range, no `NaN` totals ever reach a query. The
signed payload names the list and sort it was made for; a cursor replayed on another sort
is refused like a forged one.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core import signing
from django.utils.translation import gettext as _

from bestellwerk.core.errors import ServiceError

_SALT = "bestellwerk.cursor"


def encode_cursor(scope: str, values: list[Any]) -> str:
    """`values` are the sort key(s) of the last row: str, int, Decimal or datetime."""
    plain = [str(v) if isinstance(v, Decimal | datetime) else v for v in values]
    return signing.dumps([scope, plain], salt=_SALT, compress=True)


def decode_cursor(cursor: str, scope: str) -> list[Any]:
    """The values a cursor made by `encode_cursor(scope, …)` holds; `invalid_cursor` else."""
    try:
        made_for, values = signing.loads(cursor, salt=_SALT)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise invalid_cursor(cursor) from exc
    if made_for != scope:
        raise invalid_cursor(cursor)
    return values


def invalid_cursor(cursor: str) -> ServiceError:
    return ServiceError(
        "invalid_cursor", _("The cursor is not valid."), fields={"cursor": cursor[:50]}
    )
