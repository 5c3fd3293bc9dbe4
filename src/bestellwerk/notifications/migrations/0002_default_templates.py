"""The German and English default e-mail templates (editable in the admin afterwards)."""

from django.db import migrations

# code: (name de, name en, subject de, subject en, intro de, intro en)
DEFAULTS = {
    "order_confirmation": (
        "Bestellbestätigung",
        "Order confirmation",
        "Ihre Bestellung {{ order_number }} bei {{ shop_name }}",
        "Your order {{ order_number }} at {{ shop_name }}",
        "vielen Dank für Ihre Bestellung! Wir haben sie erhalten und melden uns, sobald sie "
        "unterwegs ist.",
        "thank you for your order! We have received it and will let you know as soon as it is "
        "on its way.",
    ),
    "status_pending": (
        "Status: Ausstehend",
        "Status: pending",
        "Bestellung {{ order_number }}: ausstehend",
        "Order {{ order_number }}: pending",
        "Ihre Bestellung ist eingegangen und wartet auf die Bearbeitung.",
        "your order has been received and is waiting to be processed.",
    ),
    "status_processing": (
        "Status: In Bearbeitung",
        "Status: processing",
        "Bestellung {{ order_number }} wird bearbeitet",
        "Order {{ order_number }} is being processed",
        "wir bearbeiten Ihre Bestellung gerade.",
        "we are processing your order now.",
    ),
    "status_on_hold": (
        "Status: Zurückgestellt",
        "Status: on hold",
        "Bestellung {{ order_number }} ist zurückgestellt",
        "Order {{ order_number }} is on hold",
        "Ihre Bestellung ist vorübergehend zurückgestellt. Wir melden uns bei Ihnen.",
        "your order is on hold for the moment. We will be in touch.",
    ),
    "status_shipped": (
        "Status: Versandt",
        "Status: shipped",
        "Bestellung {{ order_number }} ist unterwegs",
        "Order {{ order_number }} is on its way",
        "Ihre Bestellung wurde versandt.",
        "your order has been shipped.",
    ),
    "status_completed": (
        "Status: Abgeschlossen",
        "Status: completed",
        "Bestellung {{ order_number }} ist abgeschlossen",
        "Order {{ order_number }} is completed",
        "Ihre Bestellung ist abgeschlossen. Vielen Dank für Ihren Einkauf!",
        "your order is completed. Thank you for shopping with us!",
    ),
    "status_cancelled": (
        "Status: Storniert",
        "Status: cancelled",
        "Bestellung {{ order_number }} wurde storniert",
        "Order {{ order_number }} has been cancelled",
        "Ihre Bestellung wurde storniert.",
        "your order has been cancelled.",
    ),
    "status_refunded": (
        "Status: Erstattet",
        "Status: refunded",
        "Bestellung {{ order_number }} wurde erstattet",
        "Order {{ order_number }} has been refunded",
        "der Betrag Ihrer Bestellung wurde erstattet.",
        "the amount of your order has been refunded.",
    ),
    "shipment": (
        "Versand mit Sendungsverfolgung",
        "Shipment with tracking",
        "Ihr Paket zu Bestellung {{ order_number }} ist unterwegs",
        "Your parcel for order {{ order_number }} is on its way",
        "ein Paket Ihrer Bestellung ist mit {{ carrier }} unterwegs."
        "{% if tracking_code %} Sendungsnummer: {{ tracking_code }}.{% endif %}",
        "a parcel of your order is on its way with {{ carrier }}."
        "{% if tracking_code %} Tracking number: {{ tracking_code }}.{% endif %}",
    ),
    "payment_link": (
        "Zahlungslink",
        "Payment link",
        "Bitte bezahlen Sie Bestellung {{ order_number }}",
        "Please pay for order {{ order_number }}",
        "bitte bezahlen Sie {{ payment_link_amount }} für Ihre Bestellung über diesen Link"
        "{% if payment_link_expires_at %} (gültig bis {{ payment_link_expires_at }}){% endif %}:",
        "please pay {{ payment_link_amount }} for your order with this link"
        "{% if payment_link_expires_at %} (valid until {{ payment_link_expires_at }}){% endif %}:",
    ),
    "refund": (
        "Erstattung",
        "Refund",
        "Erstattung zu Bestellung {{ order_number }}",
        "Refund for order {{ order_number }}",
        "wir haben Ihnen {{ refund_amount }} erstattet. Je nach Zahlungsart kann es einige Tage "
        "dauern, bis der Betrag gutgeschrieben ist.",
        "we have refunded {{ refund_amount }} to you. Depending on the payment method it may "
        "take a few days to arrive.",
    ),
}

WORDS = {
    "de": {
        "hello": "Hallo {{ customer_name|default:'liebe Kundin, lieber Kunde' }},",
        "order": "Bestellung",
        "qty": "Menge",
        "item": "Artikel",
        "price": "Preis",
        "subtotal": "Zwischensumme",
        "discount": "Rabatt",
        "shipping": "Versand",
        "tax": "enthaltene MwSt.",
        "total": "Gesamt",
        "track": "Sendung verfolgen",
        "pay": "Jetzt bezahlen",
        "note": "Hinweis",
        "bye": "Viele Grüße\n{{ shop_name }}",
    },
    "en": {
        "hello": "Hello {{ customer_name|default:'dear customer' }},",
        "order": "Order",
        "qty": "Qty",
        "item": "Item",
        "price": "Price",
        "subtotal": "Subtotal",
        "discount": "Discount",
        "shipping": "Shipping",
        "tax": "VAT included",
        "total": "Total",
        "track": "Track your parcel",
        "pay": "Pay now",
        "note": "Note",
        "bye": "Kind regards\n{{ shop_name }}",
    },
}


def text_body(code: str, intro: str, w: dict[str, str]) -> str:
    parts = [w["hello"], "", intro]
    if code == "payment_link":
        parts += ["{{ payment_link_url }}"]
    if code == "shipment":
        parts += ["{% if tracking_url %}" + w["track"] + ": {{ tracking_url }}{% endif %}"]
    parts += [
        "{% if comment %}",
        w["note"] + ": {{ comment }}",
        "{% endif %}",
        w["order"] + " {{ order_number }} ({{ order_date }})",
        "{% for line in lines %}- {{ line.quantity }} × {{ line.name }}"
        "{% if line.sku %} ({{ line.sku }}){% endif %}: {{ line.total }}",
        "{% endfor %}",
        w["subtotal"] + ": {{ subtotal }}",
        "{% if discount_total %}" + w["discount"] + ": -{{ discount_total }}",
        "{% endif %}" + w["shipping"] + ": {{ shipping_total }}",
        w["total"] + ": {{ total }} (" + w["tax"] + " {{ tax_total }})",
        "",
        w["bye"],
        "",
    ]
    return "\n".join(parts)


def html_body(code: str, intro: str, w: dict[str, str]) -> str:
    button = ""
    if code == "payment_link":
        button = (
            '<p><a href="{{ payment_link_url }}" style="background:#0d6efd;color:#fff;'
            'padding:10px 16px;text-decoration:none;border-radius:4px">' + w["pay"] + "</a></p>"
        )
    if code == "shipment":
        button = '{% if tracking_url %}<p><a href="{{ tracking_url }}">' + w["track"] + (
            "</a></p>{% endif %}"
        )
    return (
        '<div style="font-family:Arial,Helvetica,sans-serif;max-width:600px">\n'
        f"<p>{w['hello']}</p>\n<p>{intro}</p>\n{button}\n"
        "{% if comment %}<p><strong>" + w["note"] + ":</strong> {{ comment }}</p>{% endif %}\n"
        "<h3>" + w["order"] + " {{ order_number }}</h3>\n"
        '<table style="width:100%;border-collapse:collapse">\n'
        f"<tr><th align=\"left\">{w['qty']}</th><th align=\"left\">{w['item']}</th>"
        f"<th align=\"right\">{w['price']}</th></tr>\n"
        "{% for line in lines %}<tr><td>{{ line.quantity }} ×</td><td>{{ line.name }}</td>"
        '<td align="right">{{ line.total }}</td></tr>\n{% endfor %}'
        f"<tr><td></td><td>{w['subtotal']}</td><td align=\"right\">{{{{ subtotal }}}}</td></tr>\n"
        "{% if discount_total %}<tr><td></td><td>" + w["discount"] + "</td>"
        '<td align="right">-{{ discount_total }}</td></tr>{% endif %}\n'
        f"<tr><td></td><td>{w['shipping']}</td>"
        '<td align="right">{{ shipping_total }}</td></tr>\n'
        f"<tr><td></td><td><strong>{w['total']}</strong></td>"
        '<td align="right"><strong>{{ total }}</strong></td></tr>\n'
        f"<tr><td></td><td>{w['tax']}</td><td align=\"right\">{{{{ tax_total }}}}</td></tr>\n"
        "</table>\n"
        "<p>" + w["bye"].replace("\n", "<br>") + "</p>\n</div>\n"
    )


def create_defaults(apps, schema_editor):
    EmailTemplate = apps.get_model("notifications", "EmailTemplate")
    for code, (name_de, name_en, subject_de, subject_en, intro_de, intro_en) in DEFAULTS.items():
        for language, name, subject, intro in (
            ("de", name_de, subject_de, intro_de),
            ("en", name_en, subject_en, intro_en),
        ):
            w = WORDS[language]
            EmailTemplate.objects.get_or_create(
                code=code,
                language=language,
                defaults={
                    "name": name,
                    "subject": subject,
                    "body_text": text_body(code, intro, w),
                    "body_html": html_body(code, intro, w),
                },
            )


def remove_defaults(apps, schema_editor):
    EmailTemplate = apps.get_model("notifications", "EmailTemplate")
    EmailTemplate.objects.filter(code__in=list(DEFAULTS)).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, remove_defaults)]
