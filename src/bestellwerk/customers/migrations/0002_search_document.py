from django.db import migrations, models

from bestellwerk.core.migration_ops import trigram_index
from bestellwerk.core.search import search_document

FIELDS = ("first_name", "last_name", "company", "email", "line1", "postal_code", "city")


def fill_documents(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    batch = []
    for customer in Customer.objects.only("phone", *FIELDS).iterator(chunk_size=2000):
        customer.search_document = search_document(
            [getattr(customer, name) for name in FIELDS], phones=[customer.phone]
        )
        batch.append(customer)
        if len(batch) == 2000:
            Customer.objects.bulk_update(batch, ["search_document"])
            batch = []
    Customer.objects.bulk_update(batch, ["search_document"])


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="search_document",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill_documents, migrations.RunPython.noop),
        trigram_index("customers_customer"),
    ]
