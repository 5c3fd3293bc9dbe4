from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "bestellwerk.core"
    label = "core"
    verbose_name = "Bestellwerk"

    def ready(self) -> None:
        from django.core.checks import Tags, register

        from bestellwerk.core.checks import check_secret_key

        register(check_secret_key, Tags.security, deploy=True)
