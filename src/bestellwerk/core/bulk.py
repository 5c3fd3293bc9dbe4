"""Rows written in bulk, for the paths that write many at once (imports, the bench data):
COPY on PostgreSQL, executemany on SQLite. The caller gives every column, ids included."""

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.db.models import BooleanField, Expression, F


class TableWriter:
    """Rows of one table, written in bulk: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, model: Any, attnames: Sequence[str]) -> None:
        from django.db import connection

        fields = {f.attname: f for f in model._meta.concrete_fields}
        self.table = model._meta.db_table
        self.columns = [fields[name].column for name in attnames]
        self.postgres = connection.vendor == "postgresql"
        kinds = [fields[name].get_internal_type() for name in attnames]
        self.convert: list[Callable[[Any], Any] | None] = [
            _converter(kind, self.postgres) for kind in kinds
        ]

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        from django.db import connection

        converters = list(enumerate(self.convert))
        active = [(i, c) for i, c in converters if c is not None]
        if active:
            rows = [_apply(row, active) for row in rows]
        columns = ", ".join(self.columns)
        if self.postgres:
            connection.ensure_connection()
            # The driver's own cursor: its errors become Django's (IntegrityError…) as on
            # any other path, so callers catch one kind.
            with (
                connection.wrap_database_errors,
                connection.connection.cursor() as cursor,
                cursor.copy(f"COPY {self.table} ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(self.columns))
            with connection.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {self.table} ({columns}) VALUES ({marks})", rows)


_JSON = json.JSONEncoder(ensure_ascii=False).encode


def _apply(row: tuple[Any, ...], active: list[tuple[int, Callable[[Any], Any]]]) -> tuple:
    values = list(row)
    for i, convert in active:
        if values[i] is not None:
            values[i] = convert(values[i])
    return tuple(values)


def _sqlite_datetime(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")


def _converter(kind: str, postgres: bool) -> Callable[[Any], Any] | None:
    if kind == "JSONField":
        return _JSON
    if postgres:
        return None
    if kind == "DateTimeField":
        return _sqlite_datetime
    if kind == "DecimalField":
        return lambda value: str(value) if isinstance(value, Decimal) else value
    if kind == "BooleanField":
        return int
    return None


def reserve_ids(model: Any, count: int) -> list[int]:
    """`count` fresh primary keys of `model`, for rows written with explicit ids (children
    point at their parents before anything is written). PostgreSQL draws them from the
    table's sequence, safe under concurrency; SQLite has one writer, which holds the write
    lock from the start of its transaction, so the next free ones are taken from the top."""
    from django.db import connection

    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return sorted(row[0] for row in cursor.fetchall())
        cursor.execute(
            f"SELECT MAX(top) FROM (SELECT MAX(id) AS top FROM {table} "
            "UNION ALL SELECT seq FROM sqlite_sequence WHERE name = %s)",
            [table],
        )
        first = (cursor.fetchone()[0] or 0) + 1
    return list(range(first, first + count))


class AnyOf(Expression):
    """`field IN values` for the thousands of values of a bulk path: on PostgreSQL
    `field = ANY(%s)` with the values as one array (no thousand placeholders to build, bind
    and parse; ids go as an array literal, which the driver passes without looking at each),
    elsewhere a plain IN."""

    output_field = BooleanField()

    def __init__(self, field: str, values: Sequence[int] | Sequence[str]) -> None:
        super().__init__()
        self.column: Any = F(field)
        self.values = list(values)

    def get_source_expressions(self) -> list[Any]:
        return [self.column]

    def set_source_expressions(self, exprs: list[Any]) -> None:
        (self.column,) = exprs

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        column, params = compiler.compile(self.column)
        if not self.values:
            return "1 = 0", []
        if connection.vendor == "postgresql":
            if all(isinstance(value, int) for value in self.values):
                literal = "{" + ",".join(str(int(value)) for value in self.values) + "}"
                return f"{column} = ANY(%s::bigint[])", [*params, literal]
            return f"{column} = ANY(%s::text[])", [*params, [str(v) for v in self.values]]
        return f"{column} IN ({', '.join(['%s'] * len(self.values))})", [*params, *self.values]
