import importlib

from django.db import migrations, models

# SQLite adds these columns by rebuilding orders_order, which drops the table's triggers:
# the status counters' triggers of 0010 are created again right after.
status_counts = importlib.import_module("bestellwerk.orders.migrations.0010_status_counts")


def recreate_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in status_counts.DROP["sqlite"] + status_counts.TRIGGERS["sqlite"]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0013_order_tag_ids'),
    ]

    operations = [
        migrations.AddField(
            model_name='order',
            name='coupon_code',
            field=models.CharField(blank=True, db_default='', default='', max_length=100),
        ),
        migrations.AddField(
            model_name='order',
            name='payment_method_name',
            field=models.CharField(blank=True, db_default='', default='', max_length=100),
        ),
        migrations.AddField(
            model_name='order',
            name='shipping_method_name',
            field=models.CharField(blank=True, db_default='', default='', max_length=100),
        ),
        migrations.RunPython(recreate_sqlite_triggers, migrations.RunPython.noop),
    ]
