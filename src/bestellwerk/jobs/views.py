"""A job's page: progress while it runs (htmx polls it), cancel, summary and download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bestellwerk.accounts.permissions import has_permission
from bestellwerk.core.errors import ServiceError
from bestellwerk.jobs.models import Job
from bestellwerk.jobs.services import CAPABILITIES, request_job_cancel


def _job_for(request: HttpRequest, job_id: str) -> Job:
    job = Job.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None:
        raise Http404
    if not has_permission(request.user, CAPABILITIES.get(job.kind, "settings.edit")):
        raise PermissionDenied
    return job


@login_required
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    job = _job_for(request, job_id)
    context = {"job": job, "nav_section": "orders", "summary": job.summary}
    if request.htmx and request.GET.get("part") == "status":
        return render(request, "jobs/job_detail.html#job-status", context)
    return render(request, "jobs/job_detail.html", context)


@login_required
@require_POST
def job_cancel(request: HttpRequest, job_id: str) -> HttpResponse:
    job = _job_for(request, job_id)
    try:
        request_job_cancel(job=job)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.info(request, _("The job stops after the part it is working on."))
    return redirect("jobs:detail", job_id=job.pk)


@login_required
def job_result(request: HttpRequest, job_id: str) -> FileResponse:
    job = _job_for(request, job_id)
    if not job.result:
        raise Http404
    return FileResponse(
        job.result.open("rb"),
        as_attachment=True,
        filename=job.result_name or "result",
        content_type=job.result_content_type or "application/octet-stream",
    )
