"""The order page shows a service's refusal in the staff user's language."""

import pytest

from bestellwerk.shipping.models import Shipment
from tests.ui.conftest import client_for
from tests.ui.test_order_page import hx_post, page_url


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("de", "Die Sendungsnummer hat höchstens 100 Zeichen."),
        ("en", "The tracking code has at most 100 characters."),
    ],
)
def test_a_refused_shipment_says_why_in_the_users_language(sales_user, order, language, message):
    sales_user.language = language
    sales_user.save(update_fields=["language"])

    response = hx_post(
        client_for(sales_user),
        page_url(order, "shipments"),
        {"version": order.version, "carrier": "dhl", "tracking_code": "1" * 101},
    )

    html = response.content.decode()
    assert 'data-error-code="invalid_tracking"' in html
    assert message in html
    assert not Shipment.objects.exists()
