"""On PostgreSQL, each order carries the ids of its tags in `tag_ids` (bigint[], GIN index),
kept by statement triggers on `orders_order_tags` in the same transaction as every tag
added or removed. A tag filter then is one index condition that PostgreSQL can AND with
the other filters' indexes (`orders.selectors.TagIdsContain`), instead of a semi-join per
tag. The column is not a model field: Django never writes it. SQLite has no arrays and
keeps filtering by semi-joins."""

from django.db import migrations

STATEMENTS = [
    "ALTER TABLE orders_order ADD COLUMN tag_ids bigint[] NOT NULL DEFAULT '{}'",
    """UPDATE orders_order o SET tag_ids = t.ids FROM (
        SELECT order_id, array_agg(DISTINCT tag_id ORDER BY tag_id) AS ids
        FROM orders_order_tags GROUP BY order_id
    ) t WHERE t.order_id = o.id""",
    "CREATE INDEX order_tag_ids_gin ON orders_order USING gin (tag_ids)",
    """CREATE FUNCTION orders_tags_added() RETURNS trigger AS $$ BEGIN
        UPDATE orders_order o SET tag_ids = ARRAY(
            SELECT DISTINCT t FROM unnest(o.tag_ids || added.ids) AS t ORDER BY t
        ) FROM (
            SELECT order_id, array_agg(tag_id) AS ids FROM new_rows GROUP BY order_id
        ) added WHERE o.id = added.order_id;
        RETURN NULL; END $$ LANGUAGE plpgsql""",
    """CREATE FUNCTION orders_tags_removed() RETURNS trigger AS $$ BEGIN
        UPDATE orders_order o SET tag_ids = ARRAY(
            SELECT t FROM unnest(o.tag_ids) AS t WHERE t <> ALL (removed.ids) ORDER BY t
        ) FROM (
            SELECT order_id, array_agg(tag_id) AS ids FROM old_rows GROUP BY order_id
        ) removed WHERE o.id = removed.order_id;
        RETURN NULL; END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER orders_tags_insert AFTER INSERT ON orders_order_tags "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION orders_tags_added()",
    "CREATE TRIGGER orders_tags_delete AFTER DELETE ON orders_order_tags "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION orders_tags_removed()",
]
DROP = [
    "DROP TRIGGER IF EXISTS orders_tags_insert ON orders_order_tags",
    "DROP TRIGGER IF EXISTS orders_tags_delete ON orders_order_tags",
    "DROP FUNCTION IF EXISTS orders_tags_added()",
    "DROP FUNCTION IF EXISTS orders_tags_removed()",
    "DROP INDEX IF EXISTS order_tag_ids_gin",
    "ALTER TABLE orders_order DROP COLUMN IF EXISTS tag_ids",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("orders", "0012_list_sort_indexes")]

    operations = [migrations.RunPython(run(STATEMENTS), run(DROP))]
