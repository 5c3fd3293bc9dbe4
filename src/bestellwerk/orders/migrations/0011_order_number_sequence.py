"""On PostgreSQL, order numbers come from a sequence (`allocate_order_numbers`), continuing
after the counter row and every number already used."""

from django.db import migrations
from django.db.models import Max

SEQUENCE = "orders_order_number_seq"
COUNTER = "order_number"
FIRST_ORDER_NUMBER = 10001


def create_sequence(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Counter = apps.get_model("core", "Counter")
    Order = apps.get_model("orders", "Order")
    counter = Counter.objects.filter(name=COUNTER).values_list("value", flat=True).first() or 0
    used = Order.objects.aggregate(last=Max("number"))["last"] or 0
    start = max(counter, used, FIRST_ORDER_NUMBER - 1) + 1
    schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE} START WITH {int(start)}")


def drop_sequence(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Counter = apps.get_model("core", "Counter")
    Order = apps.get_model("orders", "Order")
    used = Order.objects.aggregate(last=Max("number"))["last"] or FIRST_ORDER_NUMBER - 1
    Counter.objects.update_or_create(name=COUNTER, defaults={"value": used})
    schema_editor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = [("orders", "0010_status_counts"), ("core", "0001_initial")]

    operations = [migrations.RunPython(create_sequence, drop_sequence)]
