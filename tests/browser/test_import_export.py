"""Importing and exporting in Chromium: upload, the dry run's live page, the import."""

from pathlib import Path

import pytest

from bestellwerk.jobs.models import Job, JobStatus
from bestellwerk.jobs.services import execute_job
from bestellwerk.orders.models import Order
from tests.browser_support import screenshot
from tests.transfer.conftest import FILES

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run_queued_job() -> Job:
    """What the worker does: run the job the page just queued."""
    job = Job.objects.filter(status=JobStatus.QUEUED).get()
    return execute_job(str(job.pk))


def test_upload_preview_and_import_with_a_live_job_page(logged_in_page, live_server):
    page = logged_in_page
    page.goto(f"{live_server.url}/orders/")

    # when: staff open the import from the order list and upload Shopify's export
    page.get_by_role("link", name="Importieren").click()
    page.get_by_label("CSV-Datei").set_input_files(str(FILES / "shopify_orders.csv"))
    page.get_by_role("button", name="Hochladen und prüfen").click()

    # then: the dry run's page waits for the worker and updates itself when it is done
    page.get_by_test_id("job-cancel").wait_for()
    run_queued_job()
    page.get_by_test_id("import-summary").wait_for()
    assert page.get_by_test_id("import-format").inner_text() == "shopify"
    assert page.get_by_test_id("import-imported").inner_text() == "4"
    assert page.get_by_test_id("import-preview").count() == 3
    assert "zwei" in page.locator("#import-errors").inner_text()
    screenshot(page, "import-dry-run")
    assert not Order.objects.exists()

    # when: they start the import
    page.get_by_test_id("import-start").click()
    page.get_by_test_id("job-cancel").wait_for()
    run_queued_job()

    # then: the page shows the result and the error report to download
    page.get_by_test_id("job-download").wait_for()
    assert page.get_by_test_id("import-imported").inner_text() == "4"
    with page.expect_download() as download:
        page.get_by_test_id("job-download").click()
    assert download.value.suggested_filename == "errors.csv"
    assert Order.objects.count() == 4


def test_export_the_list_as_csv(logged_in_page, live_server, make_order):
    make_order()
    page = logged_in_page
    page.goto(f"{live_server.url}/orders/")

    page.get_by_role("button", name="Exportieren").click()
    with page.expect_download() as download:
        page.locator('[data-export="excel-de"]').click()

    assert download.value.suggested_filename.startswith("bestellwerk-orders-")
    content = Path(download.value.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf") and b";" in content.splitlines()[0]
