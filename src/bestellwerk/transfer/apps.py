from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransferConfig(AppConfig):
    name = "bestellwerk.transfer"
    label = "transfer"
    verbose_name = _("Import and export")

    def ready(self) -> None:
        from bestellwerk.jobs.models import JobKind
        from bestellwerk.jobs.services import register_runner
        from bestellwerk.orders.models import OrderEventType
        from bestellwerk.orders.templatetags.order_page import register_event_describer
        from bestellwerk.transfer.exporting import run_export_job
        from bestellwerk.transfer.services import run_import_job
        from bestellwerk.transfer.timeline import describe_imported

        register_runner(JobKind.IMPORT, run_import_job, capability="orders.import")
        register_runner(JobKind.EXPORT, run_export_job, capability="orders.export")
        register_event_describer(OrderEventType.IMPORTED, describe_imported)
