"""Exporting from the order list: the ticked orders or all matching, at once or as a job."""

import csv
import io

import pytest
from django.urls import reverse

from bestellwerk.jobs.models import Job, JobStatus
from bestellwerk.jobs.services import execute_job
from bestellwerk.orders.inputs import LineInput
from bestellwerk.orders.services import create_order, set_order_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_orders(actor, coffee, billing, order):
    second = create_order(
        actor=actor, billing_address={**billing, "last_name": "=SUMME(A1)"},
        lines=[LineInput(quantity=1, sku=coffee.sku)],
    )  # fmt: skip
    third = create_order(
        actor=actor, billing_address=billing, lines=[LineInput(quantity=3, sku=coffee.sku)]
    )
    set_order_status(number=third.number, status="processing", actor=actor)
    return [order, second, third]


def rows_of(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    delimiter = ";" if content.splitlines()[0].count(";") > 3 else ","
    return list(csv.reader(io.StringIO(content), delimiter=delimiter))


def test_the_ticked_orders_come_as_german_excel_csv(client, sales_user, three_orders):
    client.force_login(sales_user)
    first, second, _third = three_orders

    response = client.post(
        reverse("staff:order_export"),
        {"preset": "excel-de", "orders": [first.number, second.number], "filters": ""},
    )

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="bestellwerk-orders-')
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    header, *data = rows
    assert [row[header.index("number")] for row in data] == [str(first.number), str(second.number)]
    assert data[0][header.index("total")] == f"{first.total:.2f}".replace(".", ",")
    assert data[1][header.index("billing_last_name")] == "'=SUMME(A1)"


def test_without_ticks_every_order_matching_the_filter(client, sales_user, three_orders):
    client.force_login(sales_user)
    response = client.post(
        reverse("staff:order_export"), {"preset": "shopify", "filters": "status=processing"}
    )
    header, *data = rows_of(response)
    assert header[0] == "Name"
    assert {row[0] for row in data} == {f"#{three_orders[2].number}"}


def test_many_orders_become_a_job_with_a_download(client, admin_user, three_orders, monkeypatch):
    monkeypatch.setattr("bestellwerk.staff.views.DIRECT_EXPORT_LIMIT", 2)
    client.force_login(admin_user)

    response = client.post(
        reverse("staff:order_export"), {"preset": "bestellwerk-lines", "filters": ""}
    )

    job = Job.objects.get()
    assert response.status_code == 302 and response.url == reverse("jobs:detail", args=[job.pk])
    assert job.options["layout"] == "line"
    execute_job(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.FINISHED and job.summary["orders"] == 3
    page = client.get(response.url).content.decode()
    assert "3 Bestellungen exportiert." in page
    download = client.get(reverse("jobs:result", args=[job.pk]))
    _header, *data = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode())))
    assert len(data) == 4  # 2 + 1 + 1 lines


def test_the_warehouse_does_not_export(client, warehouse_user, three_orders):
    client.force_login(warehouse_user)
    assert 'data-hook="export"' not in client.get(reverse("staff:order_list")).content.decode()
    response = client.post(reverse("staff:order_export"), {"preset": "shopify", "filters": ""})
    assert response.status_code == 403


def test_a_bad_export_request_goes_back_to_the_list(client, sales_user):
    client.force_login(sales_user)
    response = client.post(reverse("staff:order_export"), {"preset": "pdf", "filters": ""})
    assert response.status_code == 302 and not Job.objects.exists()


def test_numbers_beyond_the_database_are_a_form_error_not_a_crash(client, sales_user):
    client.force_login(sales_user)
    for data in (
        {"preset": "bestellwerk", "orders": ["99999999999999999999"], "filters": ""},
        {"preset": "bestellwerk", "filters": "customer=99999999999999999999"},
    ):
        assert client.post(reverse("staff:order_export"), data).status_code == 302
    assert client.get(reverse("staff:order_list"), {"customer": "9" * 20}).status_code == 200
