from django.db import migrations, models

from bestellwerk.core.migration_ops import trigram_index
from bestellwerk.core.search import search_document


def fill_documents(apps, schema_editor):
    Product = apps.get_model("catalog", "Product")
    products = list(Product.objects.only("sku", "name"))
    for product in products:
        product.search_document = search_document([product.sku, product.name])
    Product.objects.bulk_update(products, ["search_document"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_initial")]

    operations = [
        migrations.AddField(
            model_name="product",
            name="search_document",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill_documents, migrations.RunPython.noop),
        trigram_index("catalog_product"),
    ]
