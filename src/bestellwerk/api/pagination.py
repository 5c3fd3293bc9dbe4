"""Keyset pagination for the smaller lists (products, coupons, customers, events).

The order list has its own keyset over several sort keys in `orders.selectors`; these lists
page over one unique column, so the cursor is that column's last value.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from bestellwerk.core.errors import ServiceError

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_CURSOR_LENGTH = 500

M = TypeVar("M", bound=Model)


@dataclass
class KeysetPage(Generic[M]):
    items: list[M]
    next_cursor: str | None


def encode_cursor(value: str | int) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, value_type: type) -> Any:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error) as exc:
        raise _invalid_cursor(cursor) from exc
    if type(value) is not value_type:
        raise _invalid_cursor(cursor)
    return value


def _invalid_cursor(cursor: str) -> ServiceError:
    return ServiceError(
        "invalid_cursor", _("The cursor is not valid."), fields={"cursor": cursor[:50]}
    )


def keyset_page(
    queryset: QuerySet[M],
    *,
    key: str,
    key_type: type,
    limit: int,
    cursor: str | None,
    descending: bool = False,
) -> KeysetPage[M]:
    """One page of `queryset` ordered by the unique column `key`, after `cursor`."""
    if cursor:
        after = decode_cursor(cursor, key_type)
        lookup = "lt" if descending else "gt"
        queryset = queryset.filter(**{f"{key}__{lookup}": after})
    queryset = queryset.order_by(f"-{key}" if descending else key)
    items = list(queryset[: limit + 1])
    if len(items) <= limit:
        return KeysetPage(items=items, next_cursor=None)
    items = items[:limit]
    return KeysetPage(items=items, next_cursor=encode_cursor(getattr(items[-1], key)))
