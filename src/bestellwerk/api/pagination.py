"""Keyset pagination for the smaller lists (products, coupons, customers, events).

The order list has its own keyset over several sort keys in `orders.selectors`; these lists
page over one unique column, so the cursor is that column's last value (signed:
`core.cursors`).
"""

from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from django.db.models import Model, QuerySet
from pydantic import StringConstraints

from bestellwerk.core.cursors import decode_cursor, encode_cursor

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_CURSOR_LENGTH = 500
# The `next_cursor` of the page before (Django's signing: URL-safe base64, `.`, `:`, `=`);
# the first page is asked for without one.
CursorIn = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9_.:=-]+$", max_length=MAX_CURSOR_LENGTH),
]

M = TypeVar("M", bound=Model)


@dataclass
class KeysetPage(Generic[M]):
    items: list[M]
    next_cursor: str | None


def keyset_page(
    queryset: QuerySet[M],
    *,
    key: str,
    limit: int,
    cursor: str | None,
    descending: bool = False,
) -> KeysetPage[M]:
    """One page of `queryset` ordered by the unique column `key`, after `cursor`."""
    if cursor:
        (after,) = decode_cursor(cursor, _scope(queryset, key, descending))
        lookup = "lt" if descending else "gt"
        queryset = queryset.filter(**{f"{key}__{lookup}": after})
    queryset = queryset.order_by(f"-{key}" if descending else key)
    items = list(queryset[: limit + 1])
    if len(items) <= limit:
        return KeysetPage(items=items, next_cursor=None)
    items = items[:limit]
    next_cursor = encode_cursor(_scope(queryset, key, descending), [getattr(items[-1], key)])
    return KeysetPage(items=items, next_cursor=next_cursor)


def _scope(queryset: QuerySet[M], key: str, descending: bool) -> str:
    return f"{queryset.model._meta.label_lower}:{'-' if descending else ''}{key}"
