"""The order list in Chromium: search and filter without reloads, bulk tagging, English."""

import re

import pytest

from bestellwerk.orders.models import Order, PaymentStatus
from tests.browser_support import screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def visible_numbers(page) -> set[int]:
    rows = page.locator("#order-table tbody tr[data-order]")
    return {int(n) for n in rows.evaluate_all("rows => rows.map(r => r.dataset.order)")}


@pytest.fixture
def three_orders(make_order, browser_user):
    return {
        "erika": make_order(),
        "max": make_order(
            email="max@example.de", last_name="Schmidt", payment_status=PaymentStatus.PAID
        ),
        "lena": make_order(email="lena@example.de", last_name="Weber", tags=["VIP"]),
    }


def test_search_and_filter_update_the_rows_and_the_url(logged_in_page, three_orders, live_server):
    page = logged_in_page
    page.goto(f"{live_server.url}/orders/")
    assert visible_numbers(page) == {o.number for o in three_orders.values()}
    page.evaluate("window.fullLoads = (window.fullLoads || 0) + 1")

    # when: typing in the search box
    page.get_by_label("Suchen", exact=True).fill("schmidt")

    # then: the table re-renders in place and the URL can be bookmarked
    page.wait_for_url(re.compile(r"q=schmidt"))
    page.locator(f'tr[data-order="{three_orders["erika"].number}"]').wait_for(state="detached")
    assert visible_numbers(page) == {three_orders["max"].number}
    assert page.evaluate("window.fullLoads") == 1  # no full page load happened

    # when: clearing the search and filtering by payment status instead
    page.get_by_label("Suchen", exact=True).fill("")
    page.wait_for_url(re.compile(r"q=(&|$)"))
    page.get_by_label("Zahlungsstatus").select_option("unpaid")

    # then
    page.wait_for_url(re.compile(r"payment_status=unpaid"))
    page.locator(f'tr[data-order="{three_orders["max"].number}"]').wait_for(state="detached")
    assert visible_numbers(page) == {three_orders["erika"].number, three_orders["lena"].number}

    # and the bookmarked URL shows the same rows on a fresh load
    page.reload()
    assert visible_numbers(page) == {three_orders["erika"].number, three_orders["lena"].number}
    screenshot(page, "order-list-filtered")


def test_status_tab_and_reset(logged_in_page, three_orders, live_server, make_order):
    processing = make_order(status="processing")
    page = logged_in_page
    page.goto(f"{live_server.url}/orders/?q=example")

    page.locator('a[data-tab-status="processing"]').click()

    page.wait_for_url(re.compile(r"status=processing"))
    page.locator(f'tr[data-order="{three_orders["erika"].number}"]').wait_for(state="detached")
    assert visible_numbers(page) == {processing.number}

    page.get_by_role("link", name="Filter zurücksetzen").click()
    page.wait_for_url(f"{live_server.url}/orders/")
    assert len(visible_numbers(page)) == 4


def test_bulk_tag_selected_orders(logged_in_page, three_orders, live_server):
    page = logged_in_page
    page.goto(f"{live_server.url}/orders/")
    erika, max_ = three_orders["erika"], three_orders["max"]

    # when: ticking two rows and adding a tag
    page.get_by_label(f"Bestellung {erika.number} auswählen").check()
    page.get_by_label(f"Bestellung {max_.number} auswählen").check()
    page.get_by_label("Sammelaktion", exact=True).select_option("add_tags")
    page.get_by_label("Tags (durch Kommas getrennt)").fill("Rückruf")
    page.get_by_role("button", name="Weiter…").click()

    # then: a summary first
    page.get_by_text("2 Bestellungen ausgewählt.").wait_for()
    page.get_by_role("button", name="Bestätigen").click()

    # and after confirming, back on the list with the tags shown
    page.get_by_text("2 Bestellungen geändert.").wait_for()
    row = page.locator(f'tr[data-order="{erika.number}"]')
    assert "Rückruf" in row.inner_text()
    assert (
        "Rückruf"
        not in page.locator(f'tr[data-order="{three_orders["lena"].number}"]').inner_text()
    )
    tagged = Order.objects.filter(tags__name="Rückruf").values_list("number", flat=True)
    assert set(tagged) == {erika.number, max_.number}


def test_bulk_status_shows_the_stock_summary(logged_in_page, three_orders, live_server):
    page = logged_in_page
    page.goto(f"{live_server.url}/orders/")

    page.get_by_label("Alle 3 Bestellungen, die zum Filter passen").check()
    page.get_by_label("Sammelaktion", exact=True).select_option("status")
    page.get_by_label("Neuer Status", exact=True).select_option("processing")
    page.get_by_role("button", name="Weiter…").click()

    summary = page.locator("#bulk-summary")
    summary.wait_for()
    assert "Lagerbestand wird abgebucht" in summary.inner_text()
    assert page.get_by_label(re.compile("Lagerbestand anpassen")).is_checked()
    page.get_by_role("button", name="Bestätigen").click()
    page.get_by_text("3 Bestellungen geändert.").wait_for()
    assert set(Order.objects.values_list("status", flat=True)) == {"processing"}


def test_the_list_in_english(logged_in_page, three_orders, live_server):
    page = logged_in_page
    page.get_by_role("button", name="English").click()

    page.get_by_role("button", name="New order").wait_for()
    assert page.get_by_role("columnheader", name="Payment method").is_visible()
    assert page.locator(f'tr[data-order="{three_orders["max"].number}"]').get_by_text("Paid")
    screenshot(page, "order-list-en")


def test_screenshot_of_the_list(logged_in_page, three_orders, live_server):
    page = logged_in_page
    page.goto(f"{live_server.url}/orders/")

    path = screenshot(page, "order-list")

    assert path.exists() and path.stat().st_size > 10_000


def test_select_the_whole_page_and_assign_with_the_keyboard(
    logged_in_page, three_orders, live_server, browser_user
):
    page = logged_in_page
    page.goto(f"{live_server.url}/orders/")
    status_field = page.get_by_label("Neuer Status", exact=True)
    assert status_field.is_visible()

    # when: ticking the page's box with the space key and choosing "assign"
    page.get_by_label("Alle Bestellungen dieser Seite auswählen").focus()
    page.keyboard.press("Space")
    page.get_by_label("Sammelaktion", exact=True).select_option("assign")

    # then: only the inputs of that action show
    assert not status_field.is_visible()
    page.get_by_label("Neu zuständig").select_option("bruno")
    page.get_by_role("button", name="Weiter…").click()
    page.get_by_text("3 Bestellungen ausgewählt.").wait_for()
    page.get_by_role("button", name="Bestätigen").press("Enter")
    page.get_by_text("3 Bestellungen geändert.").wait_for()
    assert set(Order.objects.values_list("assignee__username", flat=True)) == {"bruno"}


def test_the_print_hook_says_it_comes_later(logged_in_page, three_orders, live_server):
    page = logged_in_page
    page.goto(f"{live_server.url}/orders/")

    assert page.locator('[data-hook="print"]').is_disabled()
    page.locator('[data-hook="print"]').locator("..").focus()

    page.get_by_role("tooltip").wait_for()
    assert "Kommt bald" in page.get_by_role("tooltip").inner_text()
