"""The demo shop's tables: what it sells, who buys there, and how often each thing happens."""

from decimal import Decimal

from bestellwerk.orders.models import Channel, OrderStatus

KAFFEE = "Kaffeeliebhaber"
TEE = "Teetrinker"
BUCH = "Leseratte"
# SKU, name, gross price, VAT rate
CATALOG: list[tuple[str, str, str, str]] = [
    ("KAF-001", "Espresso Napoli, Bohnen 1 kg", "22.90", "7"),
    ("KAF-002", "Caffè Crema, Bohnen 1 kg", "19.90", "7"),
    ("KAF-003", "Filterkaffee Hochland, gemahlen 500 g", "9.90", "7"),
    ("KAF-004", "Äthiopien Yirgacheffe 250 g", "11.50", "7"),
    ("KAF-005", "Kolumbien Supremo 500 g", "13.90", "7"),
    ("KAF-006", "Schwarzwald Entkoffeiniert 500 g", "12.90", "7"),
    ("KAF-007", "Guatemala Antigua 250 g", "10.90", "7"),
    ("KAF-008", "Espresso Decaf 250 g", "8.90", "7"),
    ("KAF-009", "Kaffeekapseln Lungo, 20 Stück", "5.49", "7"),
    ("KAF-010", "Kaffee-Probierset 4 × 125 g", "24.90", "7"),
    ("TEE-001", "Darjeeling First Flush 100 g", "12.50", "7"),
    ("TEE-002", "Assam Breakfast 250 g", "8.90", "7"),
    ("TEE-003", "Grüner Tee Sencha 100 g", "7.90", "7"),
    ("TEE-004", "Pfefferminztee lose 100 g", "4.50", "7"),
    ("TEE-005", "Rooibos Vanille 150 g", "6.20", "7"),
    ("TEE-006", "Earl Grey Bio 100 g", "6.90", "7"),
    ("TEE-007", "Kamillenblüten 80 g", "3.90", "7"),
    ("TEE-008", "Chai Gewürztee 200 g", "9.50", "7"),
    ("TEE-009", "Matcha Zeremonie 30 g", "24.00", "7"),
    ("TEE-010", "Früchtetee Waldbeere 200 g", "5.90", "7"),
    ("GEW-001", "Pfeffer schwarz, ganz 100 g", "4.90", "7"),
    ("GEW-002", "Paprika edelsüß 80 g", "3.50", "7"),
    ("GEW-003", "Ceylon-Zimt gemahlen 50 g", "4.20", "7"),
    ("GEW-004", "Kurkuma Bio 100 g", "3.90", "7"),
    ("GEW-005", "Muskatnüsse ganz, 6 Stück", "3.20", "7"),
    ("GEW-006", "Bourbon-Vanilleschoten, 3 Stück", "9.90", "7"),
    ("GEW-007", "Curry Madras 80 g", "3.80", "7"),
    ("GEW-008", "Kümmel ganz 100 g", "2.90", "7"),
    ("GEW-009", "Fleur de Sel 125 g", "6.50", "7"),
    ("GEW-010", "Lebkuchengewürz 40 g", "3.40", "7"),
    ("SUE-001", "Zartbitterschokolade 70 % 100 g", "2.99", "7"),
    ("SUE-002", "Lübecker Marzipanbrot 200 g", "5.49", "7"),
    ("SUE-003", "Nürnberger Elisenlebkuchen, 6 Stück", "8.90", "7"),
    ("SUE-004", "Lindenblütenhonig 500 g", "7.50", "7"),
    ("BUC-001", "Das Kaffeebuch (gebunden)", "29.90", "7"),
    ("BUC-002", "Tee – Geschichte und Genuss", "24.00", "7"),
    ("BUC-003", "Gewürze der Welt: Das Kochbuch", "34.00", "7"),
    ("BUC-004", "Backen wie bei Oma (Taschenbuch)", "14.99", "7"),
    ("BUC-005", "Das Barista-Handbuch", "19.95", "7"),
    ("BUC-006", "Norddeutsche Küche", "22.00", "7"),
    ("GES-001", "Kaffeetasse Steingut 250 ml", "9.90", "19"),
    ("GES-002", "Espressotassen-Set, 4-teilig", "24.90", "19"),
    ("GES-003", "Teekanne Porzellan 1,2 l", "39.90", "19"),
    ("GES-004", "Teeglas mit Halter", "12.50", "19"),
    ("GES-005", "Frühstücksteller 21 cm", "7.90", "19"),
    ("GES-006", "Müslischale Steingut", "8.50", "19"),
    ("GES-007", "Milchkännchen 0,2 l", "11.90", "19"),
    ("GES-008", "Becher „Moin“", "12.90", "19"),
    ("ZUB-001", "Handfilter Porzellan, Größe 4", "16.90", "19"),
    ("ZUB-002", "Filtertüten Größe 4, 100 Stück", "2.49", "19"),
    ("ZUB-003", "French Press 1 l", "34.90", "19"),
    ("ZUB-004", "Kaffeemühle, manuell", "49.00", "19"),
    ("ZUB-005", "Milchaufschäumer", "29.90", "19"),
    ("ZUB-006", "Teesieb Edelstahl", "6.90", "19"),
    ("ZUB-007", "Gewürzmühle Buchenholz", "19.90", "19"),
    ("ZUB-008", "Espressokocher, 6 Tassen", "32.00", "19"),
    ("ZUB-009", "Teedose Weißblech 150 g", "8.90", "19"),
    ("ZUB-010", "Geschenkbox Kaffeegenuss", "39.00", "19"),
    ("ZUB-011", "Geschenkgutschein 25 €", "25.00", "0"),
    ("ZUB-012", "Barista-Kurs (Samstag, 3 Stunden)", "89.00", "19"),
]
# Vouchers and course seats are not goods on a shelf.
UNTRACKED_SKUS = frozenset({"ZUB-011", "ZUB-012", "KAF-010"})
# Books and big items are ordered from the supplier when sold out.
BACKORDER_SKUS = frozenset({"BUC-001", "BUC-003", "ZUB-004", "GES-003"})
# A few products end the demo nearly sold out, so low stock shows somewhere.
LOW_STOCK_SKUS = frozenset({"TEE-009", "GEW-006", "GES-002"})
CUSTOMER_TAGS_BY_PREFIX = {"KAF": [KAFFEE], "TEE": [TEE], "BUC": [BUCH]}
CUSTOMER_TAGS_BY_SKU = {"ZUB-012": ["Barista-Kurs"], "ZUB-004": [KAFFEE]}

FIRST_NAMES = [
    "Anna", "Lena", "Marie", "Sophie", "Laura", "Julia", "Hannah", "Lea", "Katharina", "Sarah",
    "Johanna", "Clara", "Emma", "Mia", "Charlotte", "Greta", "Ida", "Frieda", "Ursula", "Monika",
    "Petra", "Sabine", "Claudia", "Andrea", "Birgit", "Heike", "Anja", "Maximilian", "Paul", "Leon",
    "Lukas", "Jonas", "Felix", "Elias", "Noah", "Ben", "Finn", "Jan", "Tim", "Tobias", "Florian",
    "Sebastian", "Michael", "Thomas", "Andreas", "Stefan", "Markus", "Christian", "Jürgen", "Klaus",
    "Wolfgang", "Uwe", "Dieter", "Matthias", "Björn", "Jörg", "Günther", "Hans", "Karl", "Özlem",
    "Mehmet", "Ayşe", "Dimitri", "Katarzyna", "Luca", "Giulia",
]  # fmt: skip
LAST_NAMES = [
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
    "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
    "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner",
    "Schmitz", "Krause", "Meier", "Lehmann", "Schmid", "Schulze", "Maier", "Köhler", "Herrmann",
    "König", "Walter", "Mayer", "Huber", "Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Möller",
    "Weiß", "Jung", "Hahn", "Schubert", "Vogel", "Friedrich", "Keller", "Günther", "Frank",
    "Berger", "Winkler", "Roth", "Beck", "Lorenz", "Baumann", "Franke", "Albrecht", "Schuster",
    "Simon", "Ludwig", "Böhm", "Winter", "Kraus", "Martin", "Schumacher", "Krämer", "Vogt", "Stein",
    "Jäger", "Otto", "Sommer", "Groß", "Seidel", "Heinrich", "Brandt", "Haas", "Schreiber", "Graf",
    "Dietrich", "Ziegler", "Kuhn", "Yılmaz", "Nowak", "Kowalski", "Rossi",
]  # fmt: skip
STREETS = [
    "Hauptstraße", "Schulstraße", "Gartenstraße", "Bahnhofstraße", "Dorfstraße", "Bergstraße",
    "Birkenweg", "Lindenstraße", "Kirchstraße", "Waldstraße", "Ringstraße", "Schillerstraße",
    "Goethestraße", "Mühlenweg", "Am Markt", "Rosenweg", "Blumenstraße", "Feldstraße",
    "Mozartstraße", "Eichendorffweg",
]  # fmt: skip
# city, postal code prefix, area code, country
CITIES: list[tuple[str, str, str, str]] = [
    ("Berlin", "10", "30", "DE"),
    ("Hamburg", "20", "40", "DE"),
    ("München", "80", "89", "DE"),
    ("Köln", "50", "221", "DE"),
    ("Frankfurt am Main", "60", "69", "DE"),
    ("Stuttgart", "70", "711", "DE"),
    ("Düsseldorf", "40", "211", "DE"),
    ("Leipzig", "04", "341", "DE"),
    ("Dresden", "01", "351", "DE"),
    ("Hannover", "30", "511", "DE"),
    ("Nürnberg", "90", "911", "DE"),
    ("Bremen", "28", "421", "DE"),
    ("Freiburg im Breisgau", "79", "761", "DE"),
    ("Münster", "48", "251", "DE"),
    ("Kiel", "24", "431", "DE"),
    ("Rostock", "18", "381", "DE"),
    ("Erfurt", "99", "361", "DE"),
    ("Heidelberg", "69", "6221", "DE"),
    ("Lüneburg", "21", "4131", "DE"),
    ("Wien", "1", "1", "AT"),
    ("Graz", "8", "316", "AT"),
    ("Zürich", "8", "44", "CH"),
]
CALLING_CODES = {"DE": 49, "AT": 43, "CH": 41}
COMPANY_FORMS = ["GmbH", "KG", "e. K.", "GmbH & Co. KG", "UG (haftungsbeschränkt)"]
COMPANY_KINDS = ["Café", "Rösterei", "Bäckerei", "Hotel", "Feinkost", "Büroservice", "Kanzlei"]

ORDER_TAGS = ["VIP", "Geschenk", "Großkunde", "Eilig", "Reklamation", "Stammkunde", "Messe"]
NOTES = [
    "Kunde wünscht Abstellung bei den Nachbarn (Hausnummer 12).",
    "Rechnung bitte an die Buchhaltung, nicht an den Besteller.",
    "Geschenkverpackung gewünscht, Preise nicht auf den Lieferschein.",
    "Telefonisch bestellt; Rückruf wegen Liefertermin vereinbart.",
    "Zahlungserinnerung per E-Mail verschickt.",
    "Kundin fragt nach Mengenrabatt für die nächste Bestellung.",
    "Lieferadresse ist eine Packstation.",
    "Ware war kurz nicht lieferbar, Kunde ist informiert.",
    "Bitte vor Versand kurz anrufen.",
    "Reklamation: eine Tasse kam zerbrochen an, Ersatz mitgeschickt.",
]
ON_HOLD_NOTES = [
    "Zurückgestellt: Zahlung noch nicht eingegangen.",
    "Zurückgestellt: Adresse unvollständig, Kunde angeschrieben.",
    "Zurückgestellt: wartet auf Nachlieferung vom Großhändler.",
]
CANCEL_COMMENTS = ["Kunde hat storniert.", "Doppelte Bestellung.", "Zahlung nicht eingegangen."]
REFUND_COMMENTS = ["Widerruf innerhalb der Frist.", "Ware beschädigt angekommen.", "Retoure"]

# Final status of an order, by how old it is (younger orders are still in progress).
STATUS_WEIGHTS_RECENT = {
    OrderStatus.DRAFT: 6,
    OrderStatus.PENDING: 30,
    OrderStatus.PROCESSING: 30,
    OrderStatus.ON_HOLD: 8,
    OrderStatus.SHIPPED: 20,
    OrderStatus.COMPLETED: 2,
    OrderStatus.CANCELLED: 4,
}
STATUS_WEIGHTS_OLD = {
    OrderStatus.DRAFT: 1,
    OrderStatus.PENDING: 1,
    OrderStatus.PROCESSING: 1,
    OrderStatus.ON_HOLD: 1,
    OrderStatus.SHIPPED: 3,
    OrderStatus.COMPLETED: 80,
    OrderStatus.CANCELLED: 8,
    OrderStatus.REFUNDED: 5,
}
CHANNEL_WEIGHTS = {
    Channel.WEB: 55,
    Channel.MANUAL: 18,
    Channel.POS: 12,
    Channel.IMPORT: 5,
    Channel.API: 10,
}
PAYMENT_BY_CHANNEL = {
    Channel.WEB: {"paypal": 40, "card": 30, "prepayment": 15, "invoice": 15},
    Channel.MANUAL: {"invoice": 60, "prepayment": 30, "paypal": 10},
    Channel.POS: {"cash": 60, "card": 40},
    Channel.IMPORT: {"paypal": 50, "card": 30, "invoice": 20},
    Channel.API: {"invoice": 50, "card": 25, "paypal": 25},
}
LEAD_SOURCES = {
    None: 20,
    "direct": 20,
    "google": 25,
    "social": 15,
    "newsletter": 10,
    "referral": 7,
    "trade_fair": 3,
}
CARRIERS = {"dhl": 45, "dpd": 15, "hermes": 15, "gls": 10, "deutsche_post": 10, "ups": 5}
COUPON_MINIMUMS = {"VERSANDFREI": Decimal(50), "5EURO": Decimal(25)}
PAID_AT_ORDER = frozenset({"card", "paypal", "cash"})
