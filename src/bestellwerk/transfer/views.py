"""Staff pages for importing orders: upload, dry run with preview, then the import job."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from bestellwerk.accounts.permissions import permission_required_for
from bestellwerk.core.errors import ServiceError
from bestellwerk.jobs.models import Job, JobKind
from bestellwerk.jobs.selectors import recent_jobs
from bestellwerk.jobs.services import start_job
from bestellwerk.transfer.forms import ImportForm
from bestellwerk.transfer.services import start_import_after_dry_run


@permission_required_for("orders.import")
def import_orders_page(request: HttpRequest) -> HttpResponse:
    """Upload a file: it is first read in a dry run, whose preview offers the import."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = start_job(
            kind=JobKind.IMPORT,
            user=request.user,
            options=form.options(dry_run=True),
            source=upload,
            source_name=upload.name,
        )
        return redirect("jobs:detail", job_id=job.pk)
    context = {
        "form": form,
        "nav_section": "orders",
        "jobs": recent_jobs(kind=JobKind.IMPORT),
    }
    return render(request, "transfer/import.html", context, status=400 if form.errors else 200)


@permission_required_for("orders.import")
@require_POST
def start_import_after_preview(request: HttpRequest, job_id: str) -> HttpResponse:
    """Import the file a finished dry run read, with the same options."""
    preview = Job.objects.filter(pk=job_id, kind=JobKind.IMPORT).first()
    if preview is None or not preview.source:
        raise Http404
    try:
        job = start_import_after_dry_run(preview=preview, user=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("jobs:detail", job_id=preview.pk)
    return redirect("jobs:detail", job_id=job.pk)
