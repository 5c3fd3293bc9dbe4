"""Starting, running, cancelling background jobs; the runner of each kind does the work.

A runner is `runner(job, progress) -> summary`. It calls `progress(done, total)` as it goes;
that call raises `JobCancelled` once staff asked to cancel, so the runner stops between two
units of work (an import keeps the orders of the chunks it committed, each order whole).
"""

import logging
import tempfile
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from bestellwerk.accounts.models import User
from bestellwerk.core.errors import ServiceError
from bestellwerk.jobs.models import Job, JobKind, JobStatus

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.5  # seconds between two progress writes

Runner = Callable[[Job, "Progress"], dict[str, Any]]
RUNNERS: dict[str, Runner] = {}
# The capability a staff user needs to see, cancel and download a job of each kind.
CAPABILITIES: dict[str, str] = {}


class JobCancelled(Exception):
    """Staff cancelled the job; the runner stops where it is."""


def register_runner(kind: JobKind, runner: Runner, *, capability: str) -> None:
    """The function that does the work of `kind`, and the capability that job's pages ask
    for (each app registers its own when ready). The job page shows the summary with the
    template `jobs/summary_<kind>.html`, which that app provides."""
    RUNNERS[kind] = runner
    CAPABILITIES[kind] = capability


class Progress:
    """How far a job got, written at most every PROGRESS_INTERVAL, and the cancel check."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.written_at = 0.0
        # What the runner got done so far, kept as the summary when the job is cancelled.
        self.summary: dict[str, Any] | None = None

    def __call__(self, done: int, total: int | None = None, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.written_at < PROGRESS_INTERVAL:
            return
        self.written_at = now
        changes: dict[str, Any] = {"progress_done": done}
        if self.summary is not None:
            changes["summary"] = self.summary  # the counts so far, for the job page and API
        if total is not None:
            changes["progress_total"] = total
            changes["progress_done"] = min(done, total)
        Job.objects.filter(pk=self.job.pk).update(**changes)
        if Job.objects.filter(pk=self.job.pk, cancel_requested=True).exists():
            raise JobCancelled


def start_job(
    *,
    kind: JobKind,
    user: User | None,
    options: dict[str, Any],
    source: File | None = None,
    source_name: str = "",
) -> Job:
    """Create a queued job (its uploaded `source` stored with it) and run it in the
    background once the transaction commits."""
    with transaction.atomic():
        job = Job(kind=kind, created_by=user, options=options, source_name=source_name[:255])
        if source is not None:
            job.source.save("source", source, save=False)
        job.save()
        transaction.on_commit(lambda: run_job.enqueue(str(job.pk)))
    return job


def request_job_cancel(*, job: Job) -> Job:
    """Ask a queued or running job to stop; a queued one is cancelled at once."""
    if job.is_final:
        raise ServiceError(
            "job_finished", _("The job has already ended."), fields={"status": job.status}
        )
    Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
        status=JobStatus.CANCELLED, cancel_requested=True, finished_at=timezone.now()
    )
    Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(cancel_requested=True)
    job.refresh_from_db()
    return job


def save_job_result(job: Job, *, name: str, content_type: str, chunks: Iterable[bytes]) -> None:
    """Store what the job produced for download; the chunks go through a temporary file, so
    a big export never sits in memory."""
    with tempfile.TemporaryFile() as spool:
        for chunk in chunks:
            spool.write(chunk)
        spool.seek(0)
        job.result.save("result", File(spool), save=False)
    job.result_name = name
    job.result_content_type = content_type
    Job.objects.filter(pk=job.pk).update(
        result=job.result.name, result_name=name, result_content_type=content_type
    )


@task()
def run_job(job_id: str) -> str:
    """The background task: run the job once (a second delivery finds it taken)."""
    return execute_job(job_id).status


def execute_job(job_id: str) -> Job:
    """Claim the queued job, run its kind's runner, and record how it ended."""
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now()
    )
    job = Job.objects.get(pk=job_id)
    if not claimed:
        return job
    progress = Progress(job)
    try:
        summary = RUNNERS[job.kind](job, progress)
    except JobCancelled:
        _end(job, JobStatus.CANCELLED, summary=progress.summary)
    except Exception as error:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        _end(
            job,
            JobStatus.FAILED,
            summary=progress.summary,  # what was done before it failed stays done
            error=str(error)[:2000] or error.__class__.__name__,
        )
    else:
        _end(job, JobStatus.FINISHED, summary=summary)
    job.refresh_from_db()
    return job


def _end(
    job: Job, status: JobStatus, *, summary: dict[str, Any] | None = None, error: str = ""
) -> None:
    changes: dict[str, Any] = {"status": status, "finished_at": timezone.now(), "error": error}
    if summary is not None:
        changes["summary"] = summary
    Job.objects.filter(pk=job.pk).update(**changes)
