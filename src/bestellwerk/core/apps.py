from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "bestellwerk.core"
    label = "core"
    verbose_name = "Bestellwerk"
