import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


# Contexts keep these apart from the same English words elsewhere ("Cancelled" orders are
# "Storniert", a cancelled job is "Abgebrochen").
class JobKind(models.TextChoices):
    IMPORT = "import", pgettext_lazy("job kind", "Import")
    EXPORT = "export", pgettext_lazy("job kind", "Export")
    DOCUMENTS = "documents", pgettext_lazy("job kind", "Documents")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", pgettext_lazy("job status", "Cancelled")


FINAL_STATUSES = (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.CANCELLED)


def job_file_path(job: "Job", filename: str) -> str:
    return f"jobs/{job.pk}/{filename}"


class Job(models.Model):
    """Long work done in the background for a staff user: an import, an export, a bulk PDF.

    The id is a UUID: it appears in URLs and must not be guessable. Its runner (by `kind`,
    see `jobs.runners`) reads `options` and `source`, reports progress, and leaves a
    `summary` and maybe a `result` file to download.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=JobKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    options = models.JSONField(default=dict, blank=True)
    source = models.FileField(upload_to=job_file_path, max_length=255, blank=True)
    source_name = models.CharField(max_length=255, blank=True)
    progress_done = models.PositiveBigIntegerField(default=0)
    progress_total = models.PositiveBigIntegerField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    result = models.FileField(upload_to=job_file_path, max_length=255, blank=True)
    result_name = models.CharField(max_length=255, blank=True)
    result_content_type = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    cancel_requested = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["kind", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress_total__isnull=True)
                | Q(progress_done__lte=models.F("progress_total")),
                name="job_progress_within_total",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} ({self.status})"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def percent(self) -> int | None:
        if not self.progress_total:
            return 100 if self.status == JobStatus.FINISHED else None
        return min(100, self.progress_done * 100 // self.progress_total)
