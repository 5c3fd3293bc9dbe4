"""Seed the settings lists every shop starts with; all are editable in the admin."""

from decimal import Decimal

from django.db import migrations

PAYMENT_METHODS = [
    ("invoice", "Rechnung", "Invoice", "manual"),
    ("prepayment", "Vorkasse", "Prepayment", "manual"),
    ("cash", "Barzahlung", "Cash", "manual"),
    ("card", "Kreditkarte", "Card", "stripe"),
    ("paypal", "PayPal", "PayPal", "manual"),
]
SHIPPING_METHODS = [
    ("standard", "Standardversand", "Standard shipping", Decimal("4.90")),
    ("express", "Expressversand", "Express shipping", Decimal("12.90")),
    ("pickup", "Abholung", "Pickup", Decimal("0.00")),
]
CARRIERS = [
    ("dhl", "DHL", "DHL", "https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?piececode={tracking}"),
    ("deutsche_post", "Deutsche Post", "Deutsche Post", "https://www.deutschepost.de/de/s/sendungsverfolgung.html?piececode={tracking}"),
    ("dpd", "DPD", "DPD", "https://tracking.dpd.de/status/de_DE/parcel/{tracking}"),
    ("hermes", "Hermes", "Hermes", "https://www.myhermes.de/empfangen/sendungsverfolgung/sendungsinformation/#{tracking}"),
    ("gls", "GLS", "GLS", "https://gls-group.com/DE/de/paketverfolgung?match={tracking}"),
    ("ups", "UPS", "UPS", "https://www.ups.com/track?loc=de_DE&tracknum={tracking}"),
    ("fedex", "FedEx", "FedEx", "https://www.fedex.com/fedextrack/?trknbr={tracking}"),
]
LEAD_SOURCES = [
    ("direct", "Direkt", "Direct"),
    ("google", "Google", "Google"),
    ("social", "Facebook / Instagram", "Facebook / Instagram"),
    ("newsletter", "Newsletter", "Newsletter"),
    ("referral", "Empfehlung", "Referral"),
    ("trade_fair", "Messe", "Trade fair"),
]


def seed(apps, schema_editor):
    PaymentMethod = apps.get_model("payments", "PaymentMethod")
    ShippingMethod = apps.get_model("shipping", "ShippingMethod")
    Carrier = apps.get_model("shipping", "Carrier")
    LeadSource = apps.get_model("orders", "LeadSource")
    Counter = apps.get_model("core", "Counter")
    ShopSettings = apps.get_model("core", "ShopSettings")
    for position, (code, name, name_en, provider) in enumerate(PAYMENT_METHODS):
        PaymentMethod.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "provider": provider, "position": position}
        )
    for position, (code, name, name_en, price) in enumerate(SHIPPING_METHODS):
        ShippingMethod.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "price": price, "position": position}
        )
    for position, (code, name, name_en, template) in enumerate(CARRIERS):
        Carrier.objects.get_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "tracking_url_template": template, "position": position},
        )
    for position, (code, name, name_en) in enumerate(LEAD_SOURCES):
        LeadSource.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "position": position}
        )
    Counter.objects.get_or_create(name="order_number", defaults={"value": 10000})
    ShopSettings.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0002_initial"),
        ("payments", "0001_initial"),
        ("shipping", "0001_initial"),
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
