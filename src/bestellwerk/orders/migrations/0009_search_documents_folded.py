"""Order search documents in `core.search`'s folded form, with streets and product names."""

from django.db import migrations

from bestellwerk.orders.services.persistence import order_search_document

CHUNK = 1000


def rebuild_documents(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    Shipment = apps.get_model("shipping", "Shipment")
    last_pk = 0
    while True:
        orders = list(
            Order.objects.filter(pk__gt=last_pk)
            .select_related("customer")
            .prefetch_related("lines")
            .order_by("pk")[:CHUNK]
        )
        if not orders:
            return
        tracking: dict[int, list[str]] = {}
        for order_id, code in (
            Shipment.objects.filter(order__in=orders)
            .exclude(tracking_code="")
            .values_list("order_id", "tracking_code")
        ):
            tracking.setdefault(order_id, []).append(code)
        for order in orders:
            order.search_document = order_search_document(
                order, lines=order.lines.all(), tracking_codes=tracking.get(order.pk, [])
            )
        Order.objects.bulk_update(orders, ["search_document"])
        last_pk = orders[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0008_credited_total"),
        ("shipping", "0001_initial"),
        ("customers", "0002_search_document"),
    ]

    operations = [migrations.RunPython(rebuild_documents, migrations.RunPython.noop)]
