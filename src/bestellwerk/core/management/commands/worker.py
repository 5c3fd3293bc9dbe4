"""The task worker: the queue's own worker plus the sweeps (WORKER_SWEEPS) beside it."""

import logging
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


def run_sweeper(stop: threading.Event, interval: int) -> None:
    while not stop.wait(interval):
        run_sweeps()


def run_sweeps() -> None:
    """The sweeps listed in WORKER_SWEEPS: the order event outbox first, then lost e-mail,
    webhook, automation step and refund tasks. One failing sweep does not stop the others."""
    for path in settings.WORKER_SWEEPS:
        try:
            close_old_connections()
            if swept := import_string(path)():
                logger.info("%s handled %s item(s).", path, swept)
        except Exception:
            logger.exception("Sweep %s failed; it runs again next round.", path)
        finally:
            close_old_connections()


class Command(BaseCommand):
    help = "Run the task worker (database queue, or Redis when REDIS_URL is set) and the sweeps."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--no-sweep", action="store_true", help="Run no sweeps (outbox, lost tasks)."
        )
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
        if sweep:
            run_sweeps()
        if settings.REDIS_URL:
            call_command("rqworker", "default", burst=True, job_class="django_tasks_rq.backend.Job")
        else:
            call_command("db_worker", batch=True, startup_delay=False)
