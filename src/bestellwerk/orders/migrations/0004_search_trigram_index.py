"""On PostgreSQL, a trigram index makes the search box's substring match fast."""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS order_search_document_trgm "
        "ON orders_order USING gin (search_document gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS order_search_document_trgm")


class Migration(migrations.Migration):
    dependencies = [("orders", "0003_seed_settings")]

    operations = [migrations.RunPython(create_index, drop_index)]
