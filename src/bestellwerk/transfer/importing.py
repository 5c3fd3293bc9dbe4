"""CSV import of orders (being written)."""

from typing import Any

from bestellwerk.jobs.models import Job
from bestellwerk.jobs.services import Progress


def run_import_job(job: Job, progress: Progress) -> dict[str, Any]:
    raise NotImplementedError
