"""Importing from the staff UI: upload, dry run with preview, import job, error report."""

import csv
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bestellwerk.jobs.models import Job, JobKind, JobStatus
from bestellwerk.jobs.services import (
    RUNNERS,
    JobCancelled,
    Progress,
    execute_job,
    register_runner,
    request_job_cancel,
    start_job,
)
from bestellwerk.orders.models import Order
from tests.transfer.conftest import FILES

pytestmark = pytest.mark.django_db


def upload(client, name: str = "shopify_orders.csv", **options):
    data = (FILES / name).read_bytes()
    return client.post(
        reverse("transfer:import"),
        {"file": SimpleUploadedFile(name, data, content_type="text/csv"), "format": "auto",
         "on_duplicate": "skip", **options},
    )  # fmt: skip


def test_upload_shows_a_dry_run_then_imports_on_request(client, admin_user, shop_products):
    client.force_login(admin_user)

    # When a file is uploaded, a dry run is queued and its page shows its progress
    response = upload(client)
    dry_run = Job.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("jobs:detail", args=[dry_run.pk])
    assert dry_run.options["dry_run"] is True and dry_run.source_name == "shopify_orders.csv"
    page = client.get(response.url)
    assert b'hx-trigger="every 1s"' in page.content and b"job-cancel" in page.content

    # When the worker has read it, the page shows the counts, errors and three orders
    execute_job(str(dry_run.pk))
    page = client.get(response.url).content.decode()
    assert not Order.objects.exists()
    assert 'data-testid="import-format">shopify' in page
    assert 'data-testid="import-imported">4' in page
    assert "zwei" in page and page.count('data-testid="import-preview"') == 3
    assert "KAF-ESP-1000" in page and "Goethestraße 91" in page

    # When staff start the import, a second job writes the orders
    response = client.post(reverse("transfer:start", args=[dry_run.pk]))
    job = Job.objects.exclude(pk=dry_run.pk).get()
    assert job.options["dry_run"] is False
    execute_job(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.FINISHED
    assert (job.summary["imported"], job.summary["rejected"]) == (4, 1)
    assert Order.objects.count() == 4

    # and the rejected rows download as a CSV report
    report = client.get(reverse("jobs:result", args=[job.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode())))
    assert rows == [
        ["row", "order", "column", "message"],
        ["6", "#1004", "Lineitem quantity", "„zwei“ ist keine Menge"],
    ]


def test_only_admins_import(client, sales_user, warehouse_user):
    for user in (sales_user, warehouse_user):
        client.force_login(user)
        assert client.get(reverse("transfer:import")).status_code == 403
        assert upload(client).status_code == 403
    assert not Job.objects.exists()


def test_a_bad_upload_is_a_form_error(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("transfer:import"), {"format": "auto", "on_duplicate": "skip"})
    assert response.status_code == 400 and not Job.objects.exists()
    response = client.post(
        reverse("transfer:import"),
        {"file": SimpleUploadedFile("a.csv", b"x"), "format": "excel", "on_duplicate": "skip"},
    )
    assert response.status_code == 400 and not Job.objects.exists()


def test_a_file_that_cannot_be_read_fails_the_job_with_the_reason(client, admin_user):
    job = start_job(
        kind=JobKind.IMPORT,
        user=admin_user,
        options={"dry_run": True},
        source=ContentFile(b"Name,Email\n#1,a@example.org\n"),
        source_name="wrong.csv",
    )
    execute_job(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "Format der Datei ist unbekannt" in job.error
    client.force_login(admin_user)
    assert (
        "Format der Datei ist unbekannt"
        in client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    )


def test_only_a_finished_dry_run_starts_an_import(client, admin_user):
    job = start_job(
        kind=JobKind.IMPORT, user=admin_user, options={"dry_run": True},
        source=ContentFile(b"x"), source_name="x.csv",
    )  # fmt: skip
    client.force_login(admin_user)
    client.post(reverse("transfer:start", args=[job.pk]))
    assert Job.objects.count() == 1


@pytest.fixture
def stoppable_runner():
    """A runner that reports progress until it is cancelled (for the documents kind, which
    has no runner of its own yet)."""
    previous = RUNNERS.get(JobKind.DOCUMENTS)

    def runner(job, progress):
        for done in range(1, 4):
            progress.summary = {"done": done}
            if done == 2:
                request_job_cancel(job=job)
            progress(done, 3, force=True)
        return {"done": 3}

    register_runner(JobKind.DOCUMENTS, runner, capability="orders.view")
    yield
    if previous is None:
        RUNNERS.pop(JobKind.DOCUMENTS, None)
    else:
        register_runner(JobKind.DOCUMENTS, previous, capability="orders.view")


def test_a_running_job_stops_when_cancelled_and_keeps_what_it_did(admin_user, stoppable_runner):
    job = start_job(kind=JobKind.DOCUMENTS, user=admin_user, options={})
    job = execute_job(str(job.pk))
    assert job.status == JobStatus.CANCELLED
    assert job.summary == {"done": 2} and job.progress_done == 2


def test_a_queued_job_is_cancelled_at_once_and_never_runs(admin_user, stoppable_runner):
    job = start_job(kind=JobKind.DOCUMENTS, user=admin_user, options={})
    request_job_cancel(job=job)
    assert execute_job(str(job.pk)).status == JobStatus.CANCELLED
    assert Job.objects.get().started_at is None


def test_progress_raises_once_cancel_is_asked(admin_user):
    job = start_job(kind=JobKind.DOCUMENTS, user=admin_user, options={})
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, cancel_requested=True)
    with pytest.raises(JobCancelled):
        Progress(job)(1, 10)


def test_a_job_page_is_for_those_who_may_do_that_kind_of_work(client, admin_user, sales_user):
    job = start_job(
        kind=JobKind.IMPORT, user=admin_user, options={"dry_run": True},
        source=ContentFile(b"x"), source_name="x.csv",
    )  # fmt: skip
    client.force_login(sales_user)
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 403
    assert client.post(reverse("jobs:cancel", args=[job.pk])).status_code == 403
    client.force_login(admin_user)
    assert client.get("/jobs/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_an_imported_order_shows_where_it_came_from(client, admin_user, run_import):
    run_import("woocommerce_orders.csv")
    order = Order.objects.get(external_number="702")
    client.force_login(admin_user)

    page = client.get(reverse("orders:page", args=[order.number])).content.decode()

    assert 'data-testid="external-number">woocommerce 702' in page
    assert "Importiert aus WooCommerce, Bestellung 702 (Summe 19.90)" in page
    assert 'data-testid="imported-payment-method">' in page and "Überweisung" in page
