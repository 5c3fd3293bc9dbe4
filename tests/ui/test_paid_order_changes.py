"""Changing the money of an order that was paid: the cart, the coupon and the shipping
method first show the new total, what the customer then owes or gets back and the stock
that moves, and are saved only when confirmed."""

import re
from decimal import Decimal

import pytest

from bestellwerk.catalog.models import Product
from bestellwerk.orders.models import Order, OrderEventType, OrderStatus
from bestellwerk.orders.services import set_order_status
from bestellwerk.payments.services import set_payment_status
from bestellwerk.promotions.models import Coupon
from tests.ui.test_order_page import cart_data, hx_post, oob_ids, page_url


@pytest.fixture
def paid_processing(actor, order) -> Order:
    """The 54.60 order (2 × coffee 19.90, mug 9.90, shipping 4.90), paid in full and in
    processing: it holds its stock (coffee 10 → 8)."""
    set_order_status(number=order.number, status=OrderStatus.PROCESSING, actor=actor)
    set_payment_status(number=order.number, payment_status="paid", actor=actor)
    order.refresh_from_db()
    return order


def quantities(order: Order, coffee: str, mug: str = "1") -> dict:
    data = cart_data(order, figures="1")
    data["line_qty"] = [coffee, mug]
    return data


def echoed(response) -> dict[str, list[str]]:
    """The hidden fields of the confirmation form: what confirming posts."""
    html = response.content.decode()
    form = html[html.index('data-testid="change-preview"') :]
    form = form[form.index("<form") : form.index("</form>")]
    posted: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form):
        posted.setdefault(name, []).append(value)
    return posted


def test_raising_a_quantity_shows_what_the_customer_then_owes(sales_client, paid_processing):
    order = paid_processing
    version = order.version

    # when the coffee's quantity is typed up from 2 to 3
    response = hx_post(sales_client, page_url(order, "cart"), quantities(order, "3"))

    # then the cart shows the confirmation: new total, what is owed, the stock it takes
    html = response.content.decode()
    assert oob_ids(response) == {"confirm-cart", "errors-cart"}
    assert 'data-testid="preview-total">74,50\xa0€<' in html
    assert "Der Kunde schuldet dann 19,90\xa0€" in html
    assert "KAF-1: -1 (danach 7 auf Lager)" in html
    assert "Änderung speichern" in html
    # and nothing was saved: not the line, the stock, the version or the timeline
    order.refresh_from_db()
    assert order.version == version and order.total == Decimal("54.60")
    assert order.lines.get(sku="KAF-1").quantity == 2
    assert Product.objects.get(sku="KAF-1").stock_quantity == 8
    assert not order.events.filter(type=OrderEventType.LINES_CHANGED).exists()


def test_confirming_saves_exactly_what_was_shown(sales_client, paid_processing):
    order = paid_processing
    preview = hx_post(sales_client, page_url(order, "cart"), quantities(order, "3"))

    # when the confirmation is sent (it carries the change; the page adds its version)
    confirmed = hx_post(
        sales_client,
        page_url(order, "cart"),
        {**echoed(preview), "version": order.version, "confirmed": "1"},
    )

    # then the cart is saved, the stock moved, and the whole cart and the money follow
    order.refresh_from_db()
    assert order.lines.get(sku="KAF-1").quantity == 3
    assert order.total == Decimal("74.50") and order.balance == Decimal("19.90")
    assert order.payment_status == "partially_paid"
    assert Product.objects.get(sku="KAF-1").stock_quantity == 7
    assert {"section-cart", "section-payment", "order-payments", "order-header"} <= oob_ids(
        confirmed
    )
    html = confirmed.content.decode()
    assert 'data-testid="change-preview"' not in html
    # and the timeline says what the change left owing
    assert "Kunde schuldet 19,90\xa0€" in html
    event = order.events.get(type=OrderEventType.LINES_CHANGED)
    assert event.data["balance"] == "19.90"


def test_lowering_a_quantity_shows_what_is_to_refund(sales_client, paid_processing):
    response = hx_post(
        sales_client, page_url(paid_processing, "cart"), quantities(paid_processing, "1")
    )

    html = response.content.decode()
    assert "Zu erstatten: 19,90\xa0€" in html
    assert "KAF-1: +1 (danach 9 auf Lager)" in html


def test_a_pending_paid_order_moves_no_stock(sales_client, actor, order):
    set_payment_status(number=order.number, payment_status="paid", actor=actor)
    order.refresh_from_db()

    response = hx_post(sales_client, page_url(order, "cart"), quantities(order, "2", "2"))

    html = response.content.decode()
    assert "Der Kunde schuldet dann 9,90\xa0€" in html
    assert "Der Bestand ändert sich nicht." in html


def test_a_coupon_on_a_paid_order_is_confirmed_first(sales_client, paid_processing):
    Coupon.objects.create(code="SOMMER10", kind="percent", value=Decimal("10"))
    data = cart_data(paid_processing, coupon_action="apply", coupon_code="sommer10")

    response = hx_post(sales_client, page_url(paid_processing, "cart"), data)

    assert "Zu erstatten: 4,97\xa0€" in response.content.decode()
    paid_processing.refresh_from_db()
    assert paid_processing.coupon is None


def test_a_shipping_method_on_a_paid_order_is_confirmed_first(sales_client, paid_processing):
    response = hx_post(
        sales_client,
        page_url(paid_processing, "shipping-method"),
        {"version": paid_processing.version, "shipping_method": "express"},
    )

    assert oob_ids(response) == {"confirm-logistics", "errors-logistics"}
    html = response.content.decode()
    assert "Der Kunde schuldet dann" in html and "Der Bestand ändert sich nicht." in html
    paid_processing.refresh_from_db()
    assert paid_processing.shipping_method.code == "standard"

    hx_post(
        sales_client,
        page_url(paid_processing, "shipping-method"),
        {**echoed(response), "version": paid_processing.version, "confirmed": "1"},
    )
    paid_processing.refresh_from_db()
    assert paid_processing.shipping_method.code == "express"


def test_a_refused_change_shows_the_error_not_a_confirmation(sales_client, paid_processing):
    response = hx_post(
        sales_client, page_url(paid_processing, "cart"), quantities(paid_processing, "0")
    )

    assert oob_ids(response) == {"errors-cart"}
    assert "Einige Positionen sind ungültig." in response.content.decode()


def test_a_stale_page_gets_the_conflict_at_the_preview(sales_client, actor, paid_processing):
    stale = quantities(paid_processing, "3")
    set_order_status(number=paid_processing.number, status=OrderStatus.ON_HOLD, actor=actor)

    response = hx_post(sales_client, page_url(paid_processing, "cart"), stale)

    assert 'data-testid="reload-link"' in response.content.decode()


def test_discarding_shows_the_saved_cart_again(sales_client, paid_processing):
    hx_post(sales_client, page_url(paid_processing, "cart"), quantities(paid_processing, "3"))

    response = sales_client.get(
        f"/orders/{paid_processing.number}/section/cart", HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="section-cart"')
    assert 'id="line-qty-0" value="2"' in html


def test_an_unpaid_order_still_changes_as_typed(sales_client, order):
    response = hx_post(sales_client, page_url(order, "cart"), quantities(order, "3"))

    order.refresh_from_db()
    assert order.lines.get(sku="KAF-1").quantity == 3
    assert 'data-testid="change-preview"' not in response.content.decode()
