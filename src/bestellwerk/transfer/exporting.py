"""CSV export of orders (to be written)."""

from typing import Any

from bestellwerk.jobs.models import Job
from bestellwerk.jobs.services import Progress


def run_export_job(job: Job, progress: Progress) -> dict[str, Any]:
    raise NotImplementedError
