"""Importing orders from Shopify, WooCommerce and Bestellwerk CSV files."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from bestellwerk.catalog.models import Product
from bestellwerk.core.actors import Actor
from bestellwerk.customers.models import Customer
from bestellwerk.orders.models import Order, OrderEvent, OrderLine, OrderNote
from bestellwerk.orders.selectors import OrderFilters, filter_orders
from bestellwerk.payments.models import Payment, Refund
from bestellwerk.transfer.preparing import ImportOptions
from bestellwerk.transfer.records import FileError
from bestellwerk.transfer.services import import_orders
from tests.transfer.conftest import (
    FILES,
    csv_bytes,
    shopify_columns,
    shopify_order,
    woocommerce_columns,
)

pytestmark = pytest.mark.django_db


def by_external(number: str) -> Order:
    return Order.objects.get(external_number=number)


def test_a_shopify_export_becomes_orders_with_their_history(run_import, shop_products):
    # Given Shopify's export of five orders, one with an unreadable quantity
    # When it is imported
    summary = run_import("shopify_orders.csv")

    # Then four orders are there and the bad one is named by row, column and reason
    assert (summary.format, summary.imported, summary.skipped, summary.rejected) == (
        "shopify",
        4,
        0,
        1,
    )
    assert [e.as_json() for e in summary.errors] == [
        {
            "row": 6,
            "order": "#1004",
            "column": "Lineitem quantity",
            "message": "„zwei“ ist keine Menge",
        }
    ]
    first = by_external("#1001")
    assert (first.status, first.payment_status, first.total) == (
        "completed",
        "paid",
        Decimal("49.60"),
    )
    assert first.channel == "web"
    lines = first.lines.all()
    assert [(line.sku, line.quantity, line.unit_price, line.product_id) for line in lines] == [
        ("KAF-ESP-1000", 2, Decimal("19.90"), shop_products["KAF-ESP-1000"].pk),
        ("ZUB-MK-1", 1, Decimal("4.90"), shop_products["ZUB-MK-1"].pk),
    ]
    assert first.billing_address["postal_code"] == "04109"  # the leading ' is Shopify's
    assert first.billing_address["first_name"] == "Petra"
    assert sorted(first.tags.values_list("name", flat=True)) == ["Messe", "Stammkunde"]
    assert list(first.notes.values_list("body", flat=True)) == [
        "Bitte beim Nachbarn abgeben.\nDanke!"
    ]
    assert first.tax_breakdown == [{"rate": "19.00", "net": "41.68", "tax": "7.92"}]

    # A partial refund is a partially refunded order with its refund in the ledger
    refunded = by_external("#1002")
    assert refunded.payment_status == "partially_refunded"
    assert (refunded.paid_total, refunded.refunded_total, refunded.balance) == (
        Decimal("27.00"),
        Decimal("9.00"),
        Decimal("0.00"),
    )
    assert list(Refund.objects.filter(order=refunded).values_list("amount", "status")) == [
        (Decimal("9.00"), "succeeded")
    ]
    assert refunded.billing_address["country"] == "AT"  # "Österreich"
    assert refunded.channel == "pos"
    line = refunded.lines.get()
    assert (line.vat_rate, line.discount, line.total) == (
        Decimal("7.00"),
        Decimal("3.00"),
        Decimal("27.00"),
    )

    pending = by_external("#1003")
    assert (pending.status, pending.payment_status, pending.balance) == (
        "pending",
        "unpaid",
        Decimal("24.80"),
    )
    assert pending.billing_address["country"] == "SE"
    cancelled = by_external("#1005")
    assert (cancelled.status, cancelled.payment_status) == ("cancelled", "refunded")
    assert cancelled.lines.get().vat_rate == Decimal("0.00")  # "Lineitem taxable" false

    # The same customer (e-mail in another case) is one customer
    assert Customer.objects.filter(email__iexact="petra.mueller@example.de").count() == 1
    assert first.customer_id == cancelled.customer_id
    # Each order's timeline says it was imported; no e-mail, no automation is waiting
    assert set(OrderEvent.objects.values_list("type", flat=True)) == {"imported"}
    assert not OrderEvent.objects.filter(dispatched_at__isnull=True).exists()


def test_imported_orders_are_found_by_their_old_number_and_their_customer(
    run_import, shop_products
):
    run_import("shopify_orders.csv")
    for query, expected in (("#1002", ["#1002"]), ("zoe agren", ["#1003"]), ("04109", ["#1001"])):
        found = filter_orders(OrderFilters(q=query))
        assert list(found.values_list("external_number", flat=True)) == expected, query


def test_importing_the_same_file_twice_adds_nothing(run_import, shop_products):
    run_import("shopify_orders.csv")
    counts = (Order.objects.count(), Payment.objects.count(), Customer.objects.count())

    summary = run_import("shopify_orders.csv")

    assert (summary.imported, summary.skipped, summary.rejected) == (0, 4, 1)
    assert (Order.objects.count(), Payment.objects.count(), Customer.objects.count()) == counts


def test_a_dry_run_reports_the_same_counts_and_writes_nothing(run_import, shop_products):
    dry = run_import("shopify_orders.csv", dry_run=True)

    assert not Order.objects.exists() and not Customer.objects.exists()
    assert len(dry.preview) == 3
    assert dry.preview[0]["order"]["external_number"] == "#1001"
    assert dry.preview[0]["rows"][0]["row"] == 2
    assert dry.preview[0]["rows"][0]["cells"]["Lineitem sku"] == "KAF-ESP-1000"
    real = run_import("shopify_orders.csv")
    assert (dry.imported, dry.skipped, dry.rejected) == (
        real.imported,
        real.skipped,
        real.rejected,
    )


def test_a_woocommerce_export_in_windows_1252_with_semicolons(run_import, shop_products):
    summary = run_import("woocommerce_orders.csv")

    assert (summary.format, summary.imported, summary.rejected) == ("woocommerce", 3, 1)
    assert "„checkout-draft“ ist kein Bestellstatus" in summary.errors[0].message
    assert summary.errors[0].row == 5
    completed = by_external("701")
    assert (completed.status, completed.payment_status, completed.total) == (
        "completed",
        "paid",
        Decimal("54.70"),
    )
    assert completed.billing_address["city"] == "München"
    lines = completed.lines.all()
    assert [(line.sku, line.unit_price, line.vat_rate, line.total) for line in lines] == [
        ("KAF-ESP-1000", Decimal("19.90"), Decimal("19.00"), Decimal("39.80")),
        ("TEE-ASSAM", Decimal("10.00"), Decimal("7.00"), Decimal("10.00")),
    ]
    assert completed.shipping_total == Decimal("4.90")
    assert list(completed.notes.values_list("body", flat=True)) == [
        "Kundenhinweis: Bitte klingeln",
        "Zahlung eingegangen",
        "Versendet mit DHL",
    ]
    assert summary.difference_count == 0
    on_hold = by_external("702")
    assert (on_hold.status, on_hold.payment_status) == ("on_hold", "unpaid")
    assert on_hold.payment_method_name == "Überweisung" or on_hold.payment_method is not None
    refunded = by_external("703")
    assert (refunded.status, refunded.payment_status, refunded.balance) == (
        "refunded",
        "refunded",
        Decimal("0.00"),
    )
    assert Refund.objects.get(order=refunded).reason == "Ware beschädigt"


def test_woocommerce_rows_per_item_and_statuses_without_prefix(run_import):
    columns = woocommerce_columns()
    rows = [
        {
            "order_id": "9",
            "order_date": "2024-03-01 12:00:00",
            "status": "processing",
            "order_total": "29.80",
            "customer_email": "x@example.org",
            "line_item_1": "name:Tasse|sku:T-1|quantity:2|total:16.72|sub_total:16.72|tax:3.18",
        },
        {
            "order_id": "9",
            "order_date": "2024-03-01 12:00:00",
            "status": "processing",
            "order_total": "29.80",
            "line_item_1": "name:Teller|sku:T-2|quantity:1|total:8.40|sub_total:8.40|tax:1.60",
        },
    ]
    summary = run_import(csv_bytes(columns, rows))

    assert (summary.imported, summary.rejected) == (1, 0)
    order = by_external("9")
    assert (order.status, order.payment_status) == ("processing", "paid")
    assert [(line.name, line.quantity, line.unit_price) for line in order.lines.all()] == [
        ("Tasse", 2, Decimal("9.95")),
        ("Teller", 1, Decimal("10.00")),
    ]
    assert order.total == Decimal("29.80") and summary.difference_count == 1


def test_the_files_total_is_kept_and_a_difference_reported(run_import):
    rows = [shopify_order("#7", Total="10.50", Subtotal="10.00", Shipping="0.00")]
    summary = run_import(csv_bytes(shopify_columns(), rows))

    order = by_external("#7")
    assert order.total == Decimal("10.50") and order.balance == Decimal("0.00")
    assert [d.as_json() for d in summary.differences] == [
        {"row": 2, "order": "#7", "kind": "total", "file_total": "10.50", "computed_total": "10.00"}
    ]


def test_a_bad_row_rejects_its_order_only_and_names_the_row_across_line_breaks(run_import):
    # Given a note spanning three lines before the bad order: rows count records, not lines
    rows = [
        shopify_order("#1", Notes="eins\nzwei\ndrei"),
        shopify_order("#2", **{"Lineitem price": "zehn"}),
        {"Name": "#2", "Lineitem quantity": "1", "Lineitem name": "Teller", "Lineitem price": "5"},
        shopify_order("#3", **{"Created at": "gestern"}),
        shopify_order("#4"),
    ]
    summary = run_import(csv_bytes(shopify_columns(), rows))

    assert summary.imported == 2 and summary.rejected == 2
    assert [(e.row, e.order, e.column) for e in summary.errors] == [
        (3, "#2", "Lineitem price"),
        (5, "#3", "Created at"),
    ]
    assert sorted(Order.objects.values_list("external_number", flat=True)) == ["#1", "#4"]
    assert not OrderLine.objects.filter(name="Teller").exists()


def test_rejections_a_platform_would_not_write(run_import):
    rows = [
        shopify_order("#1", **{"Financial Status": "pending", "Refunded Amount": "5.00"}),
        shopify_order("#2", **{"Financial Status": "paid", "Refunded Amount": "50.00"}),
        shopify_order("#3", **{"Financial Status": "spendiert"}),
        shopify_order("#4", Total="-1.00"),
        shopify_order("#5", **{"Lineitem quantity": "0"}),
        shopify_order("#6", **{"Billing Country": "Atlantis"}),
        shopify_order("#7", Total="99999999.00"),
    ]
    summary = run_import(csv_bytes(shopify_columns(), rows))

    assert summary.imported == 0 and summary.rejected == 7
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Die Datei ist leer"),
        (b"\x00\x01\x02garbage\xff\xfe", "keine Kopfzeile"),
        (b"Name,Email\n#1,a@example.org\n", "Format der Datei ist unbekannt"),
        (b"order_id;status;order_total\n1;completed;5.00\n", "order_date"),
    ],
)
def test_a_file_that_cannot_be_read_is_one_clear_error(run_import, content, message):
    with pytest.raises(FileError, match=message):
        run_import(content)
    assert not Order.objects.exists()


def test_utf8_with_bom_and_tabs(run_import):
    data = csv_bytes(shopify_columns(), [shopify_order("#1", **{"Billing Name": "Jörg Groß"})])
    data = b"\xef\xbb\xbf" + data.decode().replace(",", "\t").encode()

    summary = run_import(data)

    assert summary.imported == 1
    assert by_external("#1").billing_address["last_name"] == "Groß"


def test_update_brings_an_imported_order_up_to_the_file(run_import):
    run_import(
        csv_bytes(shopify_columns(), [shopify_order("#1", **{"Financial Status": "pending"})])
    )
    order = by_external("#1")
    assert order.payment_status == "unpaid"

    changed = shopify_order("#1", **{"Financial Status": "paid", "Billing City": "Köln"})
    summary = run_import(csv_bytes(shopify_columns(), [changed]), on_duplicate="update")

    assert (summary.imported, summary.updated) == (0, 1)
    order.refresh_from_db()
    assert (order.payment_status, order.billing_address["city"]) == ("paid", "Köln")
    assert order.version == 2
    assert Payment.objects.filter(order=order).count() == 1  # appended, not rewritten


def test_stock_moves_only_when_asked(run_import, shop_products):
    run_import("shopify_orders.csv")
    assert Product.objects.get(sku="KAF-ESP-1000").stock_quantity == 50

    data = (FILES / "shopify_orders.csv").read_bytes().replace(b"#100", b"#200")
    data = data.replace(b",55500", b",66600")
    run_import(data, adjust_stock=True)

    # #2001 (completed: 2 units) and #2002 (completed, tea) hold stock; pending #2003 does not
    assert Product.objects.get(sku="KAF-ESP-1000").stock_quantity == 48
    assert by_external("#2001").stock_held and not by_external("#2003").stock_held


def test_automations_and_emails_only_when_asked(run_import):
    run_import(csv_bytes(shopify_columns(), [shopify_order("#1")]), notify=True)

    created = OrderEvent.objects.get(type="created")
    assert created.dispatched_at is None
    assert created.data["notify_customer"] is True and created.data["run_automations"] is False


def test_formula_cells_are_kept_as_text(run_import):
    rows = [shopify_order("#1", Notes='=HYPERLINK("http://x")', **{"Billing Name": "@Bob Evil"})]
    run_import(csv_bytes(shopify_columns(), rows))

    order = by_external("#1")
    assert OrderNote.objects.get(order=order).body == '=HYPERLINK("http://x")'
    assert order.billing_address["last_name"] == "Evil"


def test_cells_an_export_protected_read_back_as_they_were(run_import):
    rows = [shopify_order("#1", **{"Billing Name": "'=Max '+Muster", "Billing City": "'@Köln"})]
    run_import(csv_bytes(shopify_columns(), rows))

    billing = by_external("#1").billing_address
    assert (billing["first_name"], billing["last_name"], billing["city"]) == (
        "=Max",
        "'+Muster",
        "@Köln",
    )


def test_the_cli_prints_json_on_the_last_line_and_exits_with_the_outcome(tmp_path, shop_products):
    path = FILES / "shopify_orders.csv"

    with pytest.raises(SystemExit) as rejected:
        call_command("import_orders", str(path), "--json")
    assert rejected.value.code == 2

    out = tmp_path / "out.txt"
    report = tmp_path / "errors.csv"
    with out.open("w") as stdout, pytest.raises(SystemExit):
        call_command("import_orders", str(path), "--json", "--errors", str(report), stdout=stdout)
    assert report.read_text().splitlines() == [
        "row,order,column,message",
        "6,#1004,Lineitem quantity,„zwei“ ist keine Menge",
    ]
    summary = json.loads(out.read_text().strip().splitlines()[-1])
    assert set(summary) == {"format", "imported", "updated", "skipped", "rejected", "errors"}
    assert (summary["imported"], summary["skipped"], summary["rejected"]) == (0, 4, 1)
    assert summary["errors"][0] == {
        "row": 6,
        "order": "#1004",
        "column": "Lineitem quantity",
        "message": "„zwei“ ist keine Menge",
    }


def test_the_cli_exit_status_for_a_file_it_cannot_read(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_bytes(b"order_id;status\n1;completed\n")

    with pytest.raises(CommandError, match="Format der Datei ist unbekannt") as unreadable:
        call_command("import_orders", str(path))
    assert unreadable.value.returncode == 1

    with pytest.raises(CommandError, match="No such file") as missing:
        call_command("import_orders", str(tmp_path / "nothing.csv"))
    assert missing.value.returncode == 1


@pytest.mark.django_db(transaction=True)
def test_orders_across_chunks_and_customers_found_again(admin_user):
    # Given a file whose orders span many chunks, one order's rows apart (in the next chunk)
    # and customers returning across chunks
    rows = [shopify_order(f"#{n}", Email=f"kunde{n % 3}@example.org") for n in range(1, 12)]
    rows.insert(3, shopify_order("#2", Email="kunde2@example.org"))
    data = csv_bytes(shopify_columns(), rows)

    summary = import_orders(
        stream=io.BytesIO(data),
        options=ImportOptions(),
        actor=Actor.for_user(admin_user),
        chunk_size=2,
    )

    assert (summary.imported, summary.skipped, summary.rejected) == (11, 0, 1)
    assert "stehen nicht beieinander: sie begann in Zeile 3" in summary.errors[0].message
    assert Order.objects.count() == 11
    assert Customer.objects.count() == 3
    assert sorted(OrderEvent.objects.values_list("type", flat=True)) == ["imported"] * 11


def test_an_order_whose_rows_are_apart_is_rejected_whole(run_import):
    rows = [
        shopify_order("#1"),
        shopify_order("#2"),
        {"Name": "#1", "Lineitem quantity": "1", "Lineitem name": "Teller", "Lineitem price": "5"},
        shopify_order("#3"),
    ]
    summary = run_import(csv_bytes(shopify_columns(), rows))

    assert (summary.imported, summary.rejected) == (2, 2)
    assert sorted((e.row, e.order) for e in summary.errors) == [(2, "#1"), (4, "#1")]
    assert sorted(Order.objects.values_list("external_number", flat=True)) == ["#2", "#3"]


def test_vat_follows_the_file_and_a_differing_vat_is_reported(run_import):
    rows = [
        # a sale without VAT: Taxes 0 and no tax named
        shopify_order("#1", Taxes="0.00", **{"Tax 1 Name": "", "Tax 1 Value": ""}),
        # two rates named, no product known: the highest; the file's 2.60 is reported
        shopify_order(
            "#2", Subtotal="22.60", Total="22.60", Taxes="2.60",
            **{"Lineitem price": "10.70", "Lineitem sku": "", "Tax 1 Name": "MwSt 7%",
               "Tax 1 Value": "0.70", "Tax 2 Name": "MwSt 19%", "Tax 2 Value": "1.90"},
        ),
        {"Name": "#2", "Lineitem quantity": "1", "Lineitem name": "Tasse",
         "Lineitem price": "11.90"},
    ]  # fmt: skip
    summary = run_import(csv_bytes(shopify_columns(), rows))

    assert by_external("#1").tax_total == Decimal("0.00")
    assert by_external("#2").tax_total == Decimal("3.61")
    assert [(d.order, d.kind, d.file_total) for d in summary.differences] == [
        ("#2", "tax", Decimal("2.60"))
    ]


def test_negative_amounts_are_refused(run_import):
    rows = [
        shopify_order("#1", Shipping="-3.00"),
        shopify_order("#2", **{"Lineitem discount": "-5.00"}),
        shopify_order("#3", **{"Lineitem price": "-1.00"}),
    ]
    summary = run_import(csv_bytes(shopify_columns(), rows))
    assert (summary.imported, summary.rejected) == (0, 3)


def test_woocommerce_names_with_separators_negative_fees_and_small_lines(run_import):
    columns = woocommerce_columns()
    rows = [
        {
            "order_id": "5",
            "order_date": "2024-03-01 12:00:00",
            "status": "completed",
            "order_total": "19.11",
            "customer_email": "x@example.org",
            "line_item_1": "name:Kaffee | 500 g; gemahlen|sku:K-1|quantity:1|total:16.81"
            "|sub_total:16.81|tax:3.19",
            "line_item_2": "name:Zucker|quantity:1|total:0.10|sub_total:0.10|tax:0.01",
            "fee_items": "name:Skonto|total:-0.84|tax:-0.16",
        }
    ]
    summary = run_import(csv_bytes(columns, rows))

    assert (summary.imported, summary.rejected) == (1, 0)
    lines = list(by_external("5").lines.all())
    assert [(line.name, line.vat_rate) for line in lines] == [
        ("Kaffee | 500 g; gemahlen", Decimal("19.00")),
        ("Zucker", Decimal("7.00")),
    ]
    assert sum(line.discount for line in lines) == Decimal("1.00")
    assert by_external("5").total == Decimal("19.11") and summary.difference_count == 0


@pytest.mark.parametrize(
    "cells",
    [
        {"payments": '["x"]'},
        {"lines": '["x"]'},
        {"payments": '[{"amount": "5.00", "paid_at": 5}]'},
        {"lines": "[" * 100_000},
        {"created_at": "0001-01-01T00:00:00+01:00"},
        {"total": "-5.00"},
    ],
)
def test_a_bad_cell_of_the_own_format_rejects_its_order_only(run_import, cells):
    good = {
        "number": "1", "external_source": "", "status": "pending", "payment_status": "unpaid",
        "created_at": "2024-01-05T10:00:00+01:00", "total": "5.00",
        "lines": '[{"sku": "", "name": "Tasse", "quantity": 1, "unit_price": "5.00",'
        ' "vat_rate": "19.00"}]',
    }  # fmt: skip
    columns = [*good, "payments"]
    summary = run_import(csv_bytes(columns, [good, {**good, "number": "2", **cells}]))

    assert (summary.imported, summary.rejected) == (1, 1)
    assert summary.errors[0].order == "2"


def test_update_never_takes_money_back_and_moves_stock_when_asked(run_import, shop_products):
    paid = shopify_order("#1", **{"Lineitem sku": "KAF-ESP-1000"})
    run_import(csv_bytes(shopify_columns(), [paid]))

    pending = shopify_order("#1", **{"Financial Status": "pending"})
    summary = run_import(csv_bytes(shopify_columns(), [pending]), on_duplicate="update")
    assert (summary.updated, summary.rejected) == (0, 1)
    assert by_external("#1").payment_status == "paid"

    fulfilled = shopify_order(
        "#1", **{"Lineitem sku": "KAF-ESP-1000", "Fulfillment Status": "fulfilled"}
    )
    summary = run_import(
        csv_bytes(shopify_columns(), [fulfilled]), on_duplicate="update", adjust_stock=True
    )
    assert summary.updated == 1
    assert by_external("#1").stock_held
    assert Product.objects.get(sku="KAF-ESP-1000").stock_quantity == 49
    # the movement is on the timeline, and nothing waits to be sent for it
    assert not OrderEvent.objects.filter(dispatched_at__isnull=True).exists()


def test_the_error_report_runs_no_formula(tmp_path):
    rows = [shopify_order('=HYPERLINK("http://evil.example","x")', **{"Lineitem quantity": "x"})]
    path = tmp_path / "orders.csv"
    path.write_bytes(csv_bytes(shopify_columns(), rows))
    report = tmp_path / "errors.csv"

    with pytest.raises(SystemExit):
        call_command("import_orders", str(path), "--errors", str(report), stdout=io.StringIO())

    rejected = list(csv.reader(io.StringIO(report.read_text())))[1]
    assert rejected[:2] == ["2", '\'=HYPERLINK("http://evil.example","x")']


def test_a_file_broken_half_way_keeps_what_came_before_and_says_so(admin_user):
    good = csv_bytes(shopify_columns(), [shopify_order("#1"), shopify_order("#2")])
    broken = good + b'"#3,' + b"x" * (17 << 20) + b"\n"

    with pytest.raises(FileError) as stopped:
        import_orders(
            stream=io.BytesIO(broken),
            options=ImportOptions(),
            actor=Actor.for_user(admin_user),
            chunk_size=1,
        )

    # #2 is not imported: its rows might have gone on where the file broke
    assert stopped.value.summary.imported == 1
    assert list(Order.objects.values_list("external_number", flat=True)) == ["#1"]
