"""The import over REST: upload, follow the job, read the rejected rows."""

import csv
import io

import pytest

from bestellwerk.jobs.models import Job
from bestellwerk.jobs.services import execute_job
from bestellwerk.orders.models import Order
from tests.transfer.conftest import FILES

pytestmark = pytest.mark.django_db


def post_import(api, name: str = "shopify_orders.csv", **fields):
    upload = io.BytesIO((FILES / name).read_bytes())
    upload.name = name
    return api.post("/api/v1/imports", {"file": upload, **fields})


def test_upload_answers_a_job_that_imports_in_the_background(admin_api, shop_products):
    # When a file is posted
    response = post_import(admin_api, dry_run="false")

    # Then the answer is a queued job, at once
    assert response.status_code == 202
    job = response.json()
    assert (job["status"], job["dry_run"], job["source_name"]) == (
        "queued",
        False,
        "shopify_orders.csv",
    )
    assert job["imported"] == 0 and job["progress"]["done"] == 0

    # When the worker ran it, the job tells the summary
    execute_job(job["id"])
    done = admin_api.get(f"/api/v1/imports/{job['id']}").json()
    assert done["status"] == "finished"
    assert (done["format"], done["imported"], done["skipped"], done["rejected"]) == (
        "shopify",
        4,
        0,
        1,
    )
    assert done["progress"]["percent"] == 100
    assert done["errors"] == [
        {
            "row": 6,
            "order": "#1004",
            "column": "Lineitem quantity",
            "message": "„zwei“ ist keine Menge",
        }
    ]
    assert Order.objects.count() == 4

    # and the rejected rows come as CSV
    report = admin_api.get(f"/api/v1/imports/{job['id']}/errors.csv")
    assert report.status_code == 200 and report["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode())))
    assert rows[1] == ["6", "#1004", "Lineitem quantity", "„zwei“ ist keine Menge"]


def test_a_dry_run_over_the_api_writes_nothing(admin_api, shop_products):
    job = post_import(admin_api, dry_run="true").json()
    execute_job(job["id"])
    done = admin_api.get(f"/api/v1/imports/{job['id']}").json()
    assert (done["dry_run"], done["imported"], done["rejected"]) == (True, 4, 1)
    assert not Order.objects.exists()


def test_a_job_without_errors_has_an_empty_report(admin_api):
    job = post_import(admin_api, "woocommerce_orders.csv", format="shopify").json()
    execute_job(job["id"])
    done = admin_api.get(f"/api/v1/imports/{job['id']}").json()
    assert done["status"] == "failed" and "Name" in done["failure"]
    report = admin_api.get(f"/api/v1/imports/{job['id']}/errors.csv")
    assert report.content.decode() == "row,order,column,message\r\n"


@pytest.mark.parametrize(
    "fields",
    [
        {"dry_run": "yes"},
        {"format": "excel"},
        {"on_duplicate": "replace"},
        {"delete_everything": "true"},
    ],
)
def test_bad_options_are_refused_before_anything_is_queued(admin_api, fields):
    response = post_import(admin_api, **fields)
    assert response.status_code in (400, 422)
    assert "error" in response.json()
    assert not Job.objects.exists()


def test_a_missing_file_is_refused(admin_api):
    response = admin_api.post("/api/v1/imports", {"dry_run": "true"})
    assert response.status_code in (400, 422) and not Job.objects.exists()


def test_only_admins_import_over_the_api(sales_api, warehouse_api, admin_api):
    for api in (sales_api, warehouse_api):
        assert post_import(api).status_code == 403
    assert not Job.objects.exists()
    job = post_import(admin_api).json()
    assert sales_api.get(f"/api/v1/imports/{job['id']}").status_code == 403
    assert admin_api.get("/api/v1/imports/7d8a1e0e-0000-4000-8000-000000000000").status_code == 404
    assert admin_api.get("/api/v1/imports/not-a-uuid").status_code in (400, 404, 422)


def test_cancel_a_queued_import(admin_api):
    job = post_import(admin_api).json()
    cancelled = admin_api.post(f"/api/v1/imports/{job['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = admin_api.post(f"/api/v1/imports/{job['id']}/cancel")
    assert again.status_code in (409, 422) and again.json()["error"]["code"] == "job_finished"
