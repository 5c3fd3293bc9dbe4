"""Orders counted per status by triggers (`OrderStatusCount`), for the list's tabs."""

from django.db import migrations, models

SHARDS = 64
COUNTS = "orders_orderstatuscount"
UPSERT = (
    f"ON CONFLICT (status, shard) DO UPDATE SET count = {COUNTS}.count + excluded.count"
)

TRIGGERS = {
    # Statement triggers read the inserted or deleted rows once (a bulk load of a million
    # rows is one upsert per status); a status change is a row trigger. Each backend writes
    # its own shard; the two rows of a change are locked in status order (no deadlock).
    "postgresql": [
        f"""CREATE FUNCTION orders_count_inserted() RETURNS trigger AS $$ BEGIN
            INSERT INTO {COUNTS} (status, shard, count)
            SELECT status, mod(pg_backend_pid(), {SHARDS}), COUNT(*) FROM new_rows
            GROUP BY status ORDER BY status {UPSERT};
            RETURN NULL; END $$ LANGUAGE plpgsql""",
        f"""CREATE FUNCTION orders_count_deleted() RETURNS trigger AS $$ BEGIN
            INSERT INTO {COUNTS} (status, shard, count)
            SELECT status, mod(pg_backend_pid(), {SHARDS}), -COUNT(*) FROM old_rows
            GROUP BY status ORDER BY status {UPSERT};
            RETURN NULL; END $$ LANGUAGE plpgsql""",
        f"""CREATE FUNCTION orders_count_status_changed() RETURNS trigger AS $$ BEGIN
            INSERT INTO {COUNTS} (status, shard, count)
            SELECT change.status, mod(pg_backend_pid(), {SHARDS}), change.delta
            FROM (VALUES (OLD.status, -1), (NEW.status, 1)) AS change (status, delta)
            ORDER BY change.status {UPSERT};
            RETURN NULL; END $$ LANGUAGE plpgsql""",
        "CREATE TRIGGER orders_count_insert AFTER INSERT ON orders_order "
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION orders_count_inserted()",
        "CREATE TRIGGER orders_count_delete AFTER DELETE ON orders_order "
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION orders_count_deleted()",
        "CREATE TRIGGER orders_count_status AFTER UPDATE OF status ON orders_order "
        "FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) "
        "EXECUTE FUNCTION orders_count_status_changed()",
    ],
    # One shard. A decrement only updates an existing row: Django's flush on SQLite deletes
    # the tables in any order, and a count emptied first must stay empty.
    "sqlite": [
        f"""CREATE TRIGGER orders_count_insert AFTER INSERT ON orders_order BEGIN
            INSERT INTO {COUNTS} (status, shard, count) VALUES (NEW.status, 0, 1) {UPSERT};
            END""",
        f"""CREATE TRIGGER orders_count_delete AFTER DELETE ON orders_order BEGIN
            UPDATE {COUNTS} SET count = count - 1 WHERE status = OLD.status AND shard = 0;
            END""",
        f"""CREATE TRIGGER orders_count_status AFTER UPDATE OF status ON orders_order
            WHEN OLD.status IS NOT NEW.status BEGIN
            UPDATE {COUNTS} SET count = count - 1 WHERE status = OLD.status AND shard = 0;
            INSERT INTO {COUNTS} (status, shard, count) VALUES (NEW.status, 0, 1) {UPSERT};
            END""",
    ],
}
DROP = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS orders_count_insert ON orders_order",
        "DROP TRIGGER IF EXISTS orders_count_delete ON orders_order",
        "DROP TRIGGER IF EXISTS orders_count_status ON orders_order",
        "DROP FUNCTION IF EXISTS orders_count_inserted()",
        "DROP FUNCTION IF EXISTS orders_count_deleted()",
        "DROP FUNCTION IF EXISTS orders_count_status_changed()",
    ],
    "sqlite": [
        "DROP TRIGGER IF EXISTS orders_count_insert",
        "DROP TRIGGER IF EXISTS orders_count_delete",
        "DROP TRIGGER IF EXISTS orders_count_status",
    ],
}


def create_triggers(apps, schema_editor):
    schema_editor.execute(
        f"INSERT INTO {COUNTS} (status, shard, count) "
        "SELECT status, 0, COUNT(*) FROM orders_order GROUP BY status"
    )
    for statement in TRIGGERS.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    for statement in DROP.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)
    schema_editor.execute(f"DELETE FROM {COUNTS}")


class Migration(migrations.Migration):
    dependencies = [("orders", "0009_search_documents_folded")]

    operations = [
        migrations.CreateModel(
            name="OrderStatusCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("pending", "Pending"),
                            ("processing", "Processing"),
                            ("on_hold", "On hold"),
                            ("shipped", "Shipped"),
                            ("completed", "Completed"),
                            ("cancelled", "Cancelled"),
                            ("refunded", "Refunded"),
                        ],
                        max_length=20,
                    ),
                ),
                ("shard", models.PositiveSmallIntegerField()),
                ("count", models.BigIntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("status", "shard"), name="order_status_count_unique"
                    )
                ]
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
