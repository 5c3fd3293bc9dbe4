"""The CSV export of orders: the API (streamed), the CLI, the export job; both formats, both
layouts, both dialects; filters, formulas, permissions, and a bounded number of queries."""

import csv
import io
import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bestellwerk.core.row_cache import all_rows_by_id
from bestellwerk.customers.models import Customer
from bestellwerk.jobs.models import Job, JobKind, JobStatus
from bestellwerk.jobs.services import execute_job, start_job
from bestellwerk.orders.inputs import LineInput
from bestellwerk.orders.models import LeadSource, Order
from bestellwerk.orders.schemas import OrderListQuery
from bestellwerk.orders.selectors import OrderFilters
from bestellwerk.orders.services import (
    add_order_note,
    add_shipment,
    change_order_tags,
    create_order,
    set_order_status,
    update_order,
)
from bestellwerk.payments.models import PaymentMethod
from bestellwerk.payments.services import record_manual_payment, refund_order, void_payment
from bestellwerk.promotions.services import create_coupon
from bestellwerk.shipping.models import ShippingMethod
from bestellwerk.transfer.export_shopify import SHOPIFY_COLUMNS
from bestellwerk.transfer.native import LINE_KEYS, LINE_LAYOUT, ORDER_LAYOUT
from bestellwerk.transfer.schemas import OrderExportQuery
from bestellwerk.transfer.selectors import export_chunks, select_export_orders

EXPORT = "/api/v1/exports/orders.csv"
# A Shopify export's header, as the import's sample file has it.
SHOPIFY_SAMPLE = Path(__file__).parent / "files" / "shopify_orders.csv"


def read_csv(data: bytes, delimiter: str = ",") -> list[dict[str, str]]:
    text = data.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def header_of(data: bytes, delimiter: str = ",") -> list[str]:
    return next(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=delimiter))


def export(client, **params) -> bytes:
    response = client.get(EXPORT, params)
    assert response.status_code == 200, response.content
    assert response.streaming
    return b"".join(response.streaming_content)


@pytest.fixture
def paid_order(actor, order):
    """The order paid in two parts, a mistaken third payment voided, 5.00 refunded."""
    record_manual_payment(
        number=order.number, actor=actor, amount="50.00", method="prepayment", reference="BANK-1"
    )
    mistake = record_manual_payment(number=order.number, actor=actor, amount="9.99")
    void_payment(number=order.number, payment_id=mistake.pk, reason="typo", actor=actor)
    record_manual_payment(number=order.number, actor=actor, amount="4.60", reference="BANK-2")
    refund_order(number=order.number, actor=actor, amount="5.00", reason="Kulanz")
    order.refresh_from_db()
    return order


# ------------------------------------------------------------------------- the API


@pytest.mark.parametrize(
    ("params", "header", "filename"),
    [
        ({}, list(ORDER_LAYOUT), "bestellwerk-orders-"),
        ({"layout": "line"}, list(LINE_LAYOUT), "bestellwerk-orders-"),
        ({"format": "shopify"}, list(SHOPIFY_COLUMNS), "shopify-orders-"),
    ],
)
def test_api_streams_each_format_with_its_header(admin_api, order, params, header, filename):
    # when
    response = admin_api.get(EXPORT, params)
    # then
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="{filename}')
    assert disposition.endswith('.csv"')
    data = b"".join(response.streaming_content)
    assert header_of(data) == header
    assert data.endswith(b"\r\n")
    assert not data.startswith(b"\xef\xbb\xbf")


def test_shopify_header_is_shopifys_own():
    with SHOPIFY_SAMPLE.open(encoding="utf-8") as handle:
        assert list(SHOPIFY_COLUMNS) == next(csv.reader(handle))
    assert len(SHOPIFY_COLUMNS) == 79


def test_own_format_writes_every_field_of_the_order(admin_api, actor, order, paid_order):
    # given: tags, notes (oldest first), a parcel, an assignee and a lead source
    change_order_tags(number=order.number, actor=actor, add=["vip", "Abholung"])
    add_order_note(number=order.number, body="Kunde ruft an", actor=actor)
    add_order_note(number=order.number, body="Zweite Notiz", actor=actor)
    add_shipment(number=order.number, carrier="dhl", tracking_code="00340434", actor=actor)
    update_order(
        number=order.number,
        actor=actor,
        assignee="anna",
        lead_source="google",
        shipping_address={"first_name": "Max", "last_name": "Muster", "city": "Köln"},
        shipping_same_as_billing=False,
    )
    Customer.objects.filter(pk=order.customer_id).update(language="en")
    order.refresh_from_db()
    # when
    (row,) = read_csv(export(admin_api))
    # then
    assert row["number"] == str(order.number)
    assert row["external_source"] == row["external_id"] == row["external_number"] == ""
    created = datetime.fromisoformat(row["created_at"])
    assert created == order.created_at
    assert created.utcoffset() is not None and row["created_at"][-6:] in ("+01:00", "+02:00")
    assert datetime.fromisoformat(row["placed_at"]) == order.placed_at
    assert (row["status"], row["payment_status"], row["channel"]) == (
        "pending",
        "partially_refunded",
        "manual",
    )
    assert row["email"] == "erika@example.de"
    assert (row["billing_first_name"], row["billing_last_name"]) == ("Erika", "Mustermann")
    assert row["billing_line1"] == "Hauptstraße 1"
    assert row["billing_company"] == row["billing_vat_id"] == ""
    assert (row["shipping_first_name"], row["shipping_city"]) == ("Max", "Köln")
    assert row["shipping_line1"] == row["shipping_phone"] == ""
    assert (row["assignee"], row["lead_source"], row["language"]) == ("anna", "google", "en")
    assert (row["currency"], row["coupon_code"]) == ("EUR", "")
    assert (row["payment_method"], row["shipping_method"]) == ("invoice", "standard")
    assert row["subtotal"] == "49.70"
    assert row["shipping_total"] == "4.90"
    assert row["total"] == "54.60"
    assert row["paid_total"] == "54.60"
    assert row["refunded_total"] == "5.00"
    assert row["balance"] == str(order.balance)
    assert row["tags"] == "Abholung, vip"
    assert json.loads(row["notes"]) == ["Kunde ruft an", "Zweite Notiz"]
    assert json.loads(row["shipments"]) == [{"carrier": "DHL", "tracking_code": "00340434"}]
    lines = json.loads(row["lines"])
    assert [list(line) for line in lines] == [list(LINE_KEYS)] * 2
    assert lines[0] == {
        "sku": "KAF-1",
        "name": "Kaffee Crema 1 kg",
        "quantity": 2,
        "unit_price": "19.90",
        "vat_rate": "7.00",
        "discount": "0.00",
        "total": "39.80",
        "tax": "2.60",
    }
    assert '"Hauptstraße' not in row["lines"]  # JSON cells keep umlauts, compact
    assert ", " not in row["lines"] and "\\u" not in row["lines"]


def test_payments_and_refunds_are_the_ledger_as_it_stands(admin_api, paid_order):
    # when
    (row,) = read_csv(export(admin_api))
    # then: the voided payment and its void are left out
    payments = json.loads(row["payments"])
    assert [(p["amount"], p["reference"], p["method"]) for p in payments] == [
        ("50.00", "BANK-1", "prepayment"),
        ("4.60", "BANK-2", "invoice"),  # the order's method
    ]
    assert all(datetime.fromisoformat(p["paid_at"]).utcoffset() is not None for p in payments)
    (refund,) = json.loads(row["refunds"])
    assert (refund["amount"], refund["reason"]) == ("5.00", "Kulanz")
    assert refund["credited"] == "5.00"
    assert datetime.fromisoformat(refund["refunded_at"]).utcoffset() is not None


def test_line_layout_has_a_row_per_line_and_one_for_an_order_without_lines(
    admin_api, actor, order, billing
):
    # given: a draft without lines
    draft = create_order(actor=actor, status="draft", billing_address=billing)
    # when
    rows = read_csv(export(admin_api, layout="line", status=["pending", "draft"]))
    # then
    assert [(r["number"], r["line_position"], r["line_sku"]) for r in rows] == [
        (str(order.number), "1", "KAF-1"),
        (str(order.number), "2", "TAS-1"),
        (str(draft.number), "", ""),
    ]
    first, second, _empty = rows
    assert first["total"] == second["total"] == "54.60"
    assert (second["line_quantity"], second["line_unit_price"], second["line_vat_rate"]) == (
        "1",
        "9.90",
        "19.00",
    )
    assert second["line_total"] == "9.90" and second["line_tax"] == "1.58"


def test_filters_of_the_order_list_apply(admin_api, actor, order, coffee, billing):
    # given: a second order, processing, of someone else
    other = create_order(
        actor=actor,
        status="processing",
        billing_address={**billing, "last_name": "Zimmermann", "email": "z@example.de"},
        lines=[LineInput(quantity=1, sku=coffee.sku)],
    )

    def numbers(**params) -> list[str]:
        return [row["number"] for row in read_csv(export(admin_api, **params))]

    # then
    assert numbers() == [str(order.number), str(other.number)]
    assert numbers(status="processing") == [str(other.number)]
    assert numbers(status=["pending", "processing"]) == [str(order.number), str(other.number)]
    assert numbers(q="Zimmermann") == [str(other.number)]
    assert numbers(number=[other.number]) == [str(other.number)]
    assert numbers(number=[order.number, other.number], status="pending") == [str(order.number)]
    assert numbers(status="draft") == []


def test_excel_de_uses_semicolons_a_bom_and_decimal_commas(admin_api, order):
    # when
    data = export(admin_api, dialect="excel-de", layout="line")
    # then
    assert data.startswith(b"\xef\xbb\xbf")
    assert header_of(data, ";") == list(LINE_LAYOUT)
    rows = read_csv(data.removeprefix(b"\xef\xbb\xbf"), ";")
    assert rows[0]["total"] == "54,60"
    assert rows[0]["shipping_total"] == "4,90"
    assert rows[0]["line_unit_price"] == "19,90"
    assert rows[0]["line_vat_rate"] == "7,00"
    assert rows[0]["billing_line1"] == "Hauptstraße 1"
    assert json.loads(rows[0]["payments"]) == []


def test_excel_de_keeps_json_amounts_with_a_point(admin_api, order):
    (row,) = read_csv(export(admin_api, dialect="excel-de").removeprefix(b"\xef\xbb\xbf"), ";")
    assert row["total"] == "54,60"
    assert json.loads(row["lines"])[0]["unit_price"] == "19.90"


def test_cells_that_a_spreadsheet_would_run_as_formulas_get_a_quote(
    admin_api, actor, coffee, billing
):
    # given
    order = create_order(
        actor=actor,
        billing_address={**billing, "first_name": '=HYPERLINK("http://x.example","klick")'},
        lines=[LineInput(quantity=1, sku=coffee.sku)],
    )
    add_order_note(number=order.number, body="=1+1", actor=actor)
    # when
    (row,) = read_csv(export(admin_api))
    shopify = read_csv(export(admin_api, format="shopify"))[0]
    # then
    assert row["billing_first_name"] == '\'=HYPERLINK("http://x.example","klick")'
    assert row["billing_phone"] == "'+49 30 123456"
    assert json.loads(row["notes"]) == ["=1+1"]  # inside JSON: the cell starts with [
    assert shopify["Billing Name"] == '\'=HYPERLINK("http://x.example","klick") Mustermann'
    assert shopify["Notes"] == "'=1+1"


# ------------------------------------------------------------------------- Shopify


def test_shopify_rows_carry_the_order_on_the_first_line_only(admin_api, actor, paid_order):
    # given
    order = paid_order
    add_shipment(number=order.number, carrier="dhl", tracking_code="00340434", actor=actor)
    set_order_status(number=order.number, status="processing", actor=actor)
    set_order_status(number=order.number, status="shipped", actor=actor)
    order.refresh_from_db()
    # when
    first, second = read_csv(export(admin_api, format="shopify"))
    # then
    assert first["Name"] == second["Name"] == f"#{order.number}"
    assert first["Email"] == second["Email"] == "erika@example.de"
    assert first["Financial Status"] == "partially_refunded"
    assert first["Fulfillment Status"] == "fulfilled"
    assert first["Paid at"].endswith(("+0100", "+0200")) and first["Fulfilled at"]
    assert first["Payment Reference"] == "BANK-1"
    created = datetime.strptime(first["Created at"], "%Y-%m-%d %H:%M:%S %z")
    assert created == order.created_at.replace(microsecond=0)
    assert (first["Subtotal"], first["Shipping"], first["Total"]) == ("49.70", "4.90", "54.60")
    assert first["Taxes"] == str(order.tax_total)
    assert first["Refunded Amount"] == "5.00"
    assert first["Shipping Method"] == "Standardversand"
    assert first["Payment Method"] == "Rechnung"
    assert (first["Billing Name"], first["Billing Street"]) == (
        "Erika Mustermann",
        "Hauptstraße 1",
    )
    assert (first["Billing Zip"], first["Billing Country"]) == ("10115", "DE")
    assert first["Id"] == str(order.pk)
    assert first["Source"] == "shopify_draft_order"  # Shopify's name for an order typed in
    assert [first[f"Tax {n} Name"] for n in (1, 2, 3)] == ["MwSt 19%", "MwSt 7%", ""]
    taxes = {t["rate"]: t["tax"] for t in order.tax_breakdown}
    assert first["Tax 1 Value"] == taxes["19.00"]
    assert (first["Lineitem sku"], first["Lineitem quantity"], first["Lineitem price"]) == (
        "KAF-1",
        "2",
        "19.90",
    )
    assert (second["Lineitem sku"], second["Lineitem name"]) == ("TAS-1", "Tasse Steingut")
    # later rows: the line item, not the order
    assert second["Total"] == second["Financial Status"] == second["Billing Name"] == ""
    assert second["Tax 1 Name"] == ""


def test_shopify_marks_cancelled_unpaid_orders_voided(admin_api, actor, order, billing):
    # given: a cancelled order, a zip with a leading zero
    set_order_status(number=order.number, status="cancelled", actor=actor)
    # when
    first = read_csv(export(admin_api, format="shopify", dialect="excel-de")[3:], ";")[0]
    # then
    assert first["Financial Status"] == "voided"
    assert first["Cancelled at"]
    assert first["Total"] == "54,60"


def test_shopify_writes_a_zip_with_a_leading_zero_as_shopify_does(admin_api, actor, coffee):
    create_order(
        actor=actor,
        billing_address={"first_name": "Ulf", "last_name": "Ost", "postal_code": "01067"},
        lines=[LineInput(quantity=1, sku=coffee.sku)],
    )
    first = read_csv(export(admin_api, format="shopify"))[0]
    assert first["Billing Zip"] == "'01067"
    assert first["Financial Status"] == "pending"
    assert first["Fulfillment Status"] == "unfulfilled"


def test_a_coupon_is_its_code_and_its_discount_on_the_lines(admin_api, actor, coffee, mug):
    # given
    create_coupon(code="SOMMER10", kind="percent", value="10")
    create_order(
        actor=actor,
        lines=[LineInput(quantity=2, sku=coffee.sku), LineInput(quantity=1, sku=mug.sku)],
        coupon_code="SOMMER10",
    )
    # when
    (own,) = read_csv(export(admin_api))
    first, second = read_csv(export(admin_api, format="shopify"))
    # then
    assert (own["coupon_code"], own["discount_total"]) == ("SOMMER10", "4.97")
    discounts = [line["discount"] for line in json.loads(own["lines"])]
    assert sum(Decimal(d) for d in discounts) == Decimal("4.97")
    assert (first["Discount Code"], first["Discount Amount"]) == ("SOMMER10", "4.97")
    assert first["Subtotal"] == str(Decimal(own["subtotal"]) - Decimal("4.97"))
    assert [first["Lineitem discount"], second["Lineitem discount"]] == discounts


# ------------------------------------------------------------------------- refusals


def test_warehouse_may_not_export(warehouse_api, sales_api, order):
    response = warehouse_api.get(EXPORT)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert sales_api.get(EXPORT).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"stauts": "paid"},
        {"sort": "-created"},
        {"format": "xlsx"},
        {"layout": "lines"},
        {"dialect": "excel-fr"},
        {"status": "lost"},
        {"number": "abc"},
        {"created_from": "05.01.2024"},
    ],
)
def test_unknown_or_bad_query_parameters_are_refused(admin_api, order, params):
    response = admin_api.get(EXPORT, params)
    assert 400 <= response.status_code < 500
    assert "error" in response.json()


def test_without_a_token_nothing_is_exported(client, order):
    assert client.get(EXPORT).status_code == 401


def test_export_query_has_the_order_lists_filters():
    filters = set(OrderListQuery.model_fields) - {"sort", "limit", "cursor"}
    assert set(OrderExportQuery.model_fields) == filters | {"format", "layout", "dialect"}


def test_openapi_documents_the_csv_answer(anon_api_client):
    document = anon_api_client.get("/api/v1/openapi.json").json()
    operation = document["paths"][EXPORT]["get"]
    assert "text/csv" in operation["responses"]["200"]["content"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"status", "q", "number", "format", "layout", "dialect"} <= names


@pytest.fixture
def anon_api_client(db):
    from django.test import Client

    return Client()


# ------------------------------------------------------------------------- the CLI


def test_cli_writes_a_file(tmp_path, order, capsys):
    # given
    path = tmp_path / "orders.csv"
    # when
    call_command("export_orders", "--output", str(path), "--status", "pending")
    # then
    rows = read_csv(path.read_bytes())
    assert [row["number"] for row in rows] == [str(order.number)]
    assert "1 orders exported in" in capsys.readouterr().err


def test_cli_writes_to_stdout_in_the_format_asked_for(order):
    out = io.StringIO()
    call_command(
        "export_orders",
        "--format",
        "shopify",
        "--dialect",
        "excel-de",
        "--number",
        str(order.number),
        stdout=out,
        stderr=io.StringIO(),
    )
    text = out.getvalue()
    assert text.startswith("\ufeffName;Email;")
    assert f"#{order.number};" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--status", "lost"], "status"),
        (["--created-from", "2024-13-01"], "created_from"),
        (["--created-to", "1.1.2024"], "created_to"),
        (["--channel", "fax"], "channel"),
        (["--number", "x1"], "--number"),
    ],
)
def test_cli_refuses_bad_options_with_a_clear_message(db, tmp_path, args, message):
    path = tmp_path / "orders.csv"
    with pytest.raises(CommandError, match=message):
        call_command("export_orders", "--output", str(path), *args)
    assert not path.exists()


def test_cli_refuses_a_format_it_does_not_know(db):
    with pytest.raises(CommandError, match="format"):
        call_command("export_orders", "--format", "xlsx")


# ------------------------------------------------------------------------- the job


def test_export_job_stores_the_file_and_a_summary(settings, tmp_path, admin_user, order):
    # given
    settings.MEDIA_ROOT = tmp_path
    job = start_job(
        kind=JobKind.EXPORT,
        user=admin_user,
        options={"status": ["pending"], "layout": "line", "dialect": "excel-de"},
    )
    # when
    job = execute_job(str(job.pk))
    # then
    assert job.status == JobStatus.FINISHED, job.error
    assert job.summary == {"orders": 1, "rows": 2}
    assert (job.progress_done, job.progress_total) == (1, 1)
    assert job.result_name.startswith("bestellwerk-orders-") and job.result_name.endswith(".csv")
    assert job.result_content_type == "text/csv; charset=utf-8"
    with job.result.open("rb") as handle:
        data = handle.read()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = read_csv(data[3:], ";")
    assert [(row["number"], row["line_sku"]) for row in rows] == [
        (str(order.number), "KAF-1"),
        (str(order.number), "TAS-1"),
    ]


def test_export_job_of_the_selected_orders(settings, tmp_path, admin_user, actor, order, coffee):
    # given
    settings.MEDIA_ROOT = tmp_path
    create_order(actor=actor, lines=[LineInput(quantity=1, sku=coffee.sku)])
    job = start_job(
        kind=JobKind.EXPORT,
        user=admin_user,
        options={"numbers": [order.number], "format": "shopify"},
    )
    # when
    job = execute_job(str(job.pk))
    # then
    assert job.status == JobStatus.FINISHED, job.error
    assert job.summary == {"orders": 1, "rows": 2}
    with job.result.open("rb") as handle:
        rows = read_csv(handle.read())
    assert {row["Name"] for row in rows} == {f"#{order.number}"}


def test_export_job_with_bad_options_fails_with_the_reason(settings, tmp_path, admin_user):
    settings.MEDIA_ROOT = tmp_path
    job = start_job(kind=JobKind.EXPORT, user=admin_user, options={"stauts": ["pending"]})
    job = execute_job(str(job.pk))
    assert job.status == JobStatus.FAILED
    assert "stauts" in job.error
    assert not job.result


def test_a_cancelled_export_job_stops_without_a_file(settings, tmp_path, admin_user, order):
    # given: staff asked to cancel before the runner reported any progress
    settings.MEDIA_ROOT = tmp_path
    job = start_job(kind=JobKind.EXPORT, user=admin_user, options={})
    Job.objects.filter(pk=job.pk).update(cancel_requested=True)
    # when
    job = execute_job(str(job.pk))
    # then
    assert job.status == JobStatus.CANCELLED
    assert job.summary == {"orders": 0, "rows": 0}
    assert not job.result


# ------------------------------------------------------------------------- reading


def test_chunks_are_read_by_number_each_order_once(actor, coffee):
    # given
    numbers = [
        create_order(actor=actor, lines=[LineInput(quantity=1, sku=coffee.sku)]).number
        for _ in range(5)
    ]
    # when
    chunks = list(export_chunks(select_export_orders(OrderFilters()), chunk_size=2))
    # then
    assert [len(chunk.orders) for chunk in chunks] == [2, 2, 1]
    assert [row.number for chunk in chunks for row in chunk.orders] == numbers
    assert all(len(chunk.lines[row.id]) == 1 for chunk in chunks for row in chunk.orders)


def _busy_orders(actor, coffee, mug, billing, count: int) -> None:
    """Orders with everything the export reads: lines, tags, a note, a parcel, payments
    (one voided), a refund."""
    lead = LeadSource.objects.get(code="google")
    for index in range(count):
        order = create_order(
            actor=actor,
            billing_address=billing,
            lines=[LineInput(quantity=1, sku=coffee.sku), LineInput(quantity=1, sku=mug.sku)],
            payment_method="invoice",
            shipping_method="standard",
            lead_source=lead.code,
            assignee="anna",
            tags=[f"tag-{index % 3}", "stamm"],
        )
        add_order_note(number=order.number, body=f"Notiz {index}", actor=actor)
        add_shipment(number=order.number, carrier="dhl", tracking_code=f"T{index}", actor=actor)
        payment = record_manual_payment(number=order.number, actor=actor, amount="1.00")
        void_payment(number=order.number, payment_id=payment.pk, reason="typo", actor=actor)
        record_manual_payment(number=order.number, actor=actor, amount=str(order.total))
        refund_order(number=order.number, actor=actor, amount="1.00")
        set_order_status(number=order.number, status="cancelled", actor=actor)


@pytest.mark.parametrize("options", [{}, {"layout": "line"}, {"format": "shopify"}])
def test_queries_do_not_grow_with_the_orders(
    admin_api, actor, coffee, mug, billing, django_assert_max_num_queries, options
):
    # given: the settings lists cached, as in a running process
    for model in (PaymentMethod, ShippingMethod, LeadSource):
        all_rows_by_id(model)
    _busy_orders(actor, coffee, mug, billing, 3)
    with CaptureQueriesContext(connection) as few:
        rows = read_csv(export(admin_api, **options))
    assert len({row.get("number") or row.get("Name") for row in rows}) == 3
    _busy_orders(actor, coffee, mug, billing, 27)
    # when / then
    with django_assert_max_num_queries(len(few.captured_queries)):
        rows = read_csv(export(admin_api, **options))
    assert len({row.get("number") or row.get("Name") for row in rows}) == 30


def test_amounts_are_never_written_as_exponents(admin_api, actor, coffee):
    create_order(
        actor=actor, lines=[LineInput(quantity=1, sku=coffee.sku)], shipping_method="pickup"
    )
    (row,) = read_csv(export(admin_api))
    assert row["shipping_total"] == "0.00"
    assert row["discount_total"] == "0.00"
    assert Decimal(row["total"]) == Decimal("19.90")


# ------------------------------------------------------------------------- read back


def _money_and_ledger(order: Order) -> dict:
    return {
        "lines": list(
            order.lines.order_by("position").values_list(
                "sku", "name", "quantity", "unit_price", "vat_rate", "discount", "total", "tax"
            )
        ),
        "totals": (order.subtotal, order.shipping_total, order.tax_total, order.total),
        "ledger": (order.paid_total, order.refunded_total, order.balance, order.payment_status),
        "billing": {k: v for k, v in order.billing_address.items() if v},
        "tags": sorted(order.tags.values_list("name", flat=True)),
        "notes": list(order.notes.order_by("id").values_list("body", flat=True)),
    }


@pytest.mark.parametrize(
    "params",
    [{}, {"layout": "line"}, {"dialect": "excel-de"}, {"layout": "line", "dialect": "excel-de"}],
)
def test_the_import_reads_the_own_format_back_as_it_was(
    admin_api, actor, paid_order, run_import, params
):
    # given
    original = paid_order
    change_order_tags(number=original.number, actor=actor, add=["vip"])
    add_order_note(number=original.number, body="=erst anrufen", actor=actor)
    data = export(admin_api, **params)
    # when
    summary = run_import(data)
    # then
    assert (summary.format, summary.imported, summary.rejected) == ("bestellwerk", 1, 0)
    copy = Order.objects.get(external_number=str(original.number))
    assert (copy.external_source, copy.external_id) == ("bestellwerk", str(original.number))
    assert _money_and_ledger(copy) == _money_and_ledger(Order.objects.get(pk=original.pk))
    assert copy.created_at == original.created_at
    assert (copy.status, copy.channel) == (original.status, original.channel)


def test_the_import_reads_the_shopify_export_back(admin_api, actor, paid_order, run_import):
    # given
    original = paid_order
    set_order_status(number=original.number, status="processing", actor=actor)
    data = export(admin_api, format="shopify")
    # when
    summary = run_import(data)
    # then
    assert (summary.format, summary.imported, summary.rejected) == ("shopify", 1, 0)
    assert summary.difference_count == 0
    copy = Order.objects.get(external_number=f"#{original.number}")
    assert copy.total == original.total
    assert copy.tax_total == original.tax_total
    assert copy.refunded_total == original.refunded_total
    assert copy.channel == "manual"
    assert list(copy.lines.order_by("position").values_list("sku", "quantity", "unit_price")) == [
        ("KAF-1", 2, Decimal("19.90")),
        ("TAS-1", 1, Decimal("9.90")),
    ]
