"""The task worker: the queue's own worker plus the outbox sweep beside it."""

import logging
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.module_loading import import_string

from bestellwerk.orders.outbox import sweep_outbox

logger = logging.getLogger(__name__)


def run_sweeper(stop: threading.Event, interval: int) -> None:
    while not stop.wait(interval):
        try:
            close_old_connections()
            if swept := sweep_outbox():
                logger.info("Outbox sweep dispatched %s event(s).", swept)
        except Exception:
            logger.exception("Outbox sweep failed; it runs again in %s s.", interval)
        finally:
            close_old_connections()
        run_extra_sweeps()


def run_extra_sweeps() -> None:
    """The sweeps other apps list in WORKER_SWEEPS (lost e-mail, webhook and step tasks)."""
    for path in getattr(settings, "WORKER_SWEEPS", []):
        try:
            if swept := import_string(path)():
                logger.info("%s re-enqueued %s task(s).", path, swept)
        except Exception:
            logger.exception("Sweep %s failed; it runs again next round.", path)
        finally:
            close_old_connections()


class Command(BaseCommand):
    help = (
        "Run the task worker (database queue, or Redis when REDIS_URL is set) and the outbox sweep."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--no-sweep", action="store_true", help="Do not sweep the outbox.")
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Sweep the outbox once, run every queued task, then exit (cron, tests).",
        )

    def handle(self, *args, no_sweep: bool, batch: bool, **options) -> None:
        if batch:
            self.run_batch(sweep=not no_sweep)
            return
        stop = threading.Event()
        if not no_sweep:
            threading.Thread(
                target=run_sweeper, args=(stop, settings.OUTBOX_SWEEP_INTERVAL), daemon=True
            ).start()
        try:
            if settings.REDIS_URL:
                call_command(
                    "rqworker",
                    "default",
                    with_scheduler=True,
                    job_class="django_tasks_rq.backend.Job",
                )
            else:
                call_command("db_worker", interval=0.5)
        finally:
            stop.set()

    def run_batch(self, *, sweep: bool) -> None:
        if sweep and (swept := sweep_outbox()):
            logger.info("Outbox sweep dispatched %s event(s).", swept)
        if sweep:
            run_extra_sweeps()
        if settings.REDIS_URL:
            call_command("rqworker", "default", burst=True, job_class="django_tasks_rq.backend.Job")
        else:
            call_command("db_worker", batch=True, startup_delay=False)
