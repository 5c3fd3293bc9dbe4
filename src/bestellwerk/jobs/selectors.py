"""Reading jobs: one by id, within the kinds the caller may see."""

import uuid

from django.utils.translation import gettext as _

from bestellwerk.core.errors import ServiceError
from bestellwerk.jobs.models import Job, JobKind


def get_job(*, job_id: uuid.UUID | str, kind: JobKind) -> Job:
    try:
        return Job.objects.select_related("created_by").get(pk=job_id, kind=kind)
    except (Job.DoesNotExist, ValueError):
        raise ServiceError(
            "not_found", _("There is no such job."), fields={"id": str(job_id)}
        ) from None


def recent_jobs(*, kind: JobKind, limit: int = 10) -> list[Job]:
    return list(Job.objects.filter(kind=kind).select_related("created_by")[:limit])
