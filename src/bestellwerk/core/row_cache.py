"""Rows every order reads and staff change a few times a year (shop settings, payment and
shipping methods, lead sources), kept in each process for a few seconds.

A save or delete through the ORM forgets the model's rows in that process at once; other
processes (web workers, the task worker) see the change within TTL_SECONDS. Callers get a
copy: changing it never changes what the next caller reads.
"""

import copy
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model
from django.db.models.signals import post_delete, post_save

TTL_SECONDS = 10.0

RowT = TypeVar("RowT", bound=Model)
_rows: dict[tuple[str, Any], tuple[float, Any]] = {}


def _fresh(model: type[Model], key: Any, load: Callable[[], Any]) -> Any:
    """What `load` gives for (`model`, `key`), read again once TTL_SECONDS have passed."""
    entry_key = (model._meta.label, key)
    now = time.monotonic()
    entry = _rows.get(entry_key)
    if entry is None or now - entry[0] > TTL_SECONDS:
        entry = (now, load())
        _rows[entry_key] = entry
    return entry[1]


def cached_row(model: type[RowT], key: Any, load: Callable[[], RowT | None]) -> RowT | None:
    """The row of `model` that `load` reads for `key`, from the cache when fresh."""
    return copy.copy(_fresh(model, key, load))


def all_rows_by_id(model: type[RowT]) -> dict[int, RowT]:
    """Every row of a small `model` by id, cached like `cached_row`. Shared, not copied:
    for display only."""
    return _fresh(model, "*", lambda: {row.pk: row for row in model.objects.all()})


def attach_cached(items: list[Model], field: str, model: type[Model]) -> None:
    """Set the foreign key `field` of each item from the cached rows of `model` (instead of
    a join per list): a list shows methods and sources, which are few."""
    rows = all_rows_by_id(model)
    descriptor = getattr(type(items[0]), field) if items else None
    for item in items:
        row_id = getattr(item, f"{field}_id")
        descriptor.field.set_cached_value(item, rows.get(row_id) if row_id is not None else None)


def forget_rows(sender: type[Model], **kwargs: Any) -> None:
    """Drop every cached row of `sender` (a signal receiver; also for tests)."""
    label = sender._meta.label
    for entry_key in [k for k in _rows if k[0] == label]:
        _rows.pop(entry_key, None)


def forget_all_rows() -> None:
    _rows.clear()


def cache_rows_of(*models: type[Model]) -> None:
    """Forget a model's cached rows whenever one of them is saved or deleted."""
    for model in models:
        post_save.connect(forget_rows, sender=model, dispatch_uid=f"row_cache:{model}")
        post_delete.connect(forget_rows, sender=model, dispatch_uid=f"row_cache:{model}:d")
