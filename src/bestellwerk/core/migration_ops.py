"""Operations that several apps' migrations share."""

from django.db import migrations


def trigram_index(table: str) -> migrations.RunPython:
    """On PostgreSQL, a trigram index that makes `core.search`'s substring match on
    `table.search_document` fast (SQLite has none and scans, which is fine at its scale)."""
    name = f"{table}_search_trgm"

    def create(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
                "USING gin (search_document gin_trgm_ops)"
            )

    def drop(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")

    return migrations.RunPython(create, drop)
