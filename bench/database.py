"""The bench database: where it is, ids, numbers, upkeep (bulk writing: `core.bulk`)."""

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

# Secondary indexes of these tables are dropped for a big load on PostgreSQL and built again
# afterwards (much faster than keeping a trigram index up to date row by row).
BULK_TABLES = (
    "customers_customer",
    "orders_order",
    "orders_orderline",
    "orders_orderevent",
    "orders_order_tags",
    "payments_payment",
    "shipping_shipment",
)
SAVED_INDEXES = "bench_dropped_index"


def database_url(url: str) -> str:
    """The URL given, or the bench's own SQLite file (never the one `make run` uses)."""
    if url:
        return url
    Path("var").mkdir(exist_ok=True)
    return f"sqlite:///{Path('var/bench.sqlite3').resolve()}"


def prepare_database(url: str) -> str:
    """Point Django at the bench database (created on PostgreSQL when missing); its URL."""
    url = database_url(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bestellwerk.settings")
    parsed = urlparse(url)
    if parsed.scheme.startswith("postgres"):
        import psycopg

        name = parsed.path.lstrip("/")
        admin_url = parsed._replace(path="/postgres").geturl()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    return url


def is_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def reserve_order_numbers(count: int) -> list[int]:
    """Reserve `count` order numbers the way the services hand them out; ascending."""
    from bestellwerk.orders.services import allocate_order_numbers

    return sorted(allocate_order_numbers(count))


def next_id(model: Any) -> int:
    """The first free primary key of `model` (ids are given explicitly in a bulk load)."""
    from django.db.models import Max

    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def sync_sequences(models: Iterable[Any]) -> None:
    """Move PostgreSQL's id sequences past the ids the load gave explicitly."""
    if not is_postgres():
        return  # SQLite's AUTOINCREMENT follows the largest id by itself
    from django.db import connection

    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"GREATEST((SELECT MAX(id) FROM {table}), 1))"
            )


def drop_secondary_indexes() -> int:
    """Before a big load on PostgreSQL: save and drop the plain indexes of the bulk tables
    (not primary keys, unique ones or those behind constraints); how many. A run killed
    before `restore_indexes` leaves them saved, and the next run builds them again."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {SAVED_INDEXES} (name text PRIMARY KEY, definition text)"
        )
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "JOIN pg_class c ON c.relname = i.indexname "
            "JOIN pg_index x ON x.indexrelid = c.oid "
            "WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s) "
            "AND NOT x.indisunique AND NOT x.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid)",
            [list(BULK_TABLES)],
        )
        found = cursor.fetchall()
        for name, definition in found:
            cursor.execute(
                f"INSERT INTO {SAVED_INDEXES} VALUES (%s, %s) ON CONFLICT DO NOTHING",
                [name, definition],
            )
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    return len(found)


def restore_indexes(report: Callable[[str], None] = print) -> None:
    """Build the indexes `drop_secondary_indexes` saved (PostgreSQL; nothing when none)."""
    if not is_postgres():
        return
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [SAVED_INDEXES])
        if cursor.fetchone()[0] is None:
            return
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute(f"SELECT name, definition FROM {SAVED_INDEXES} ORDER BY name")
        for name, definition in cursor.fetchall():
            cursor.execute(definition.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
            cursor.execute(f"DELETE FROM {SAVED_INDEXES} WHERE name = %s", [name])
            report(f"  index {name} built")
        cursor.execute(f"DROP TABLE {SAVED_INDEXES}")


def vacuum_analyze() -> None:
    """Fresh planner statistics and visibility maps (the server here runs no autovacuum)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        connection.ensure_connection()
        raw = connection.connection
        previous = raw.autocommit
        raw.autocommit = True  # VACUUM refuses to run inside a transaction
        try:
            raw.execute("VACUUM ANALYZE")
        finally:
            raw.autocommit = previous
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
