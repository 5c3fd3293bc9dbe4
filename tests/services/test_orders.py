"""Orders: create and place, customers, addresses, details, tags, notes, shipments,
versions, and bad input that must change nothing."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bestellwerk.catalog.models import Product
from bestellwerk.core.errors import ServiceError
from bestellwerk.customers.models import Customer
from bestellwerk.customers.services import create_customer
from bestellwerk.orders.inputs import MAX_LINES, MAX_NOTE_LENGTH, MAX_QUANTITY, LineInput
from bestellwerk.orders.models import Order, OrderEventType
from bestellwerk.orders.services import (
    add_order_note,
    add_shipment,
    change_order_tags,
    create_order,
    place_order,
    set_order_coupon,
    set_order_lines,
    set_order_status,
    update_order,
    update_shipment_tracking,
)
from bestellwerk.payments.services import refund_order, set_payment_status

D = Decimal


def assert_refused(code, snapshot, call) -> ServiceError:
    before = snapshot()
    with pytest.raises(ServiceError) as exc:
        call()
    assert exc.value.code == code, exc.value.message
    assert snapshot() == before
    return exc.value


def event_types(order) -> list[str]:
    return list(order.events.order_by("id").values_list("type", flat=True))


# ------------------------------------------------------------------- create and place


def test_create_a_draft(actor, coffee, billing):
    order = create_order(
        actor=actor, status="draft", billing_address=billing, lines=[LineInput(1, sku="KAF-1")]
    )
    assert order.status == "draft"
    assert order.number >= 10001
    assert order.placed_at is None
    assert order.version == 1
    assert event_types(order) == [OrderEventType.DRAFT_CREATED]
    # a draft is not an order yet: it creates no customer
    assert order.customer is None
    assert not Customer.objects.exists()


def test_create_a_placed_order(actor, order, billing):
    assert order.status == "pending"
    assert order.placed_at is not None
    assert order.version == 1
    assert event_types(order) == [OrderEventType.CREATED]
    assert order.events.get().data == {
        "status": "pending",
        "total": "54.60",
        "channel": "manual",
        "adjust_stock": True,
    }
    assert order.customer.email == "erika@example.de"
    assert (order.customer.first_name, order.customer.city) == ("Erika", "Berlin")
    assert [ln.name for ln in order.lines.all()] == ["Kaffee Crema 1 kg", "Tasse Steingut"]
    assert order.payment_method.code == "invoice"
    assert "erika@example.de" in order.search_document
    assert "kaf-1" in order.search_document


def test_order_numbers_increase(actor, coffee, billing):
    numbers = [
        create_order(actor=actor, status="draft", billing_address=billing).number for _ in range(3)
    ]
    assert numbers == sorted(numbers)
    assert len(set(numbers)) == 3


def test_lines_copy_price_and_name_and_never_read_back(actor, order, coffee):
    Product.objects.filter(pk=coffee.pk).update(price=D("99.00"), name="Neu")
    line = order.lines.get(sku="KAF-1")
    assert (line.unit_price, line.name, line.vat_rate) == (D("19.90"), "Kaffee Crema 1 kg", D("7"))


def test_place_a_draft(actor, coffee, billing):
    draft = create_order(
        actor=actor, status="draft", billing_address=billing, lines=[LineInput(1, sku="KAF-1")]
    )
    order = place_order(number=draft.number, actor=actor, expected_version=draft.version)
    assert order.status == "pending"
    assert order.placed_at is not None
    assert order.version == 2
    assert order.customer.email == "erika@example.de"
    assert event_types(order) == [OrderEventType.DRAFT_CREATED, OrderEventType.CREATED]


def test_place_refuses_a_placed_order_and_a_status_that_is_not_placeable(
    actor, order, coffee, billing, snapshot
):
    assert_refused("not_a_draft", snapshot, lambda: place_order(number=order.number, actor=actor))
    draft = create_order(
        actor=actor, status="draft", billing_address=billing, lines=[LineInput(1, sku="KAF-1")]
    )
    error = assert_refused(
        "invalid_status",
        snapshot,
        lambda: place_order(number=draft.number, status="cancelled", actor=actor),
    )
    assert "pending" in error.fields["allowed"]
    assert_refused("not_found", snapshot, lambda: place_order(number=99999999, actor=actor))


def test_a_placed_order_needs_lines(actor, billing, snapshot):
    assert_refused(
        "empty_order", snapshot, lambda: create_order(actor=actor, billing_address=billing)
    )
    draft = create_order(actor=actor, status="draft", billing_address=billing)
    assert_refused("empty_order", snapshot, lambda: place_order(number=draft.number, actor=actor))


def test_lines_of_a_placed_order_cannot_be_emptied_but_a_drafts_can(
    actor, order, coffee, billing, snapshot
):
    assert_refused(
        "empty_order",
        snapshot,
        lambda: set_order_lines(number=order.number, lines=[], actor=actor),
    )
    draft = create_order(
        actor=actor, status="draft", billing_address=billing, lines=[LineInput(1, sku="KAF-1")]
    )
    draft = set_order_lines(number=draft.number, lines=[], actor=actor)
    assert draft.lines.count() == 0


@pytest.mark.parametrize("status", ["draft", "cancelled", "refunded", "nonsense"])
def test_create_refuses_statuses_an_order_cannot_start_in_except_draft(
    actor, coffee, billing, snapshot, status
):
    if status == "draft":
        assert create_order(actor=actor, status=status, billing_address=billing).is_draft
        return
    assert_refused(
        "invalid_status",
        snapshot,
        lambda: create_order(
            actor=actor, status=status, billing_address=billing, lines=[LineInput(1, sku="KAF-1")]
        ),
    )


def test_set_lines_with_a_custom_line_and_a_price_override(actor, order):
    order = set_order_lines(
        number=order.number,
        lines=[
            LineInput(1, sku="KAF-1", unit_price="15.00"),
            LineInput(2, name="Geschenkverpackung", unit_price="2.50", vat_rate="19"),
        ],
        actor=actor,
    )
    assert list(order.lines.values_list("sku", "name", "unit_price", "quantity")) == [
        ("KAF-1", "Kaffee Crema 1 kg", D("15.00"), 1),
        ("", "Geschenkverpackung", D("2.50"), 2),
    ]
    event = order.events.get(type=OrderEventType.LINES_CHANGED)
    assert event.data["before"][0] == {
        "sku": "KAF-1",
        "name": "Kaffee Crema 1 kg",
        "quantity": 2,
        "unit_price": "19.90",
    }
    assert event.data["total"] == "24.90"  # 15.00 + 5.00 + 4.90 shipping


@pytest.mark.parametrize(
    ("lines", "code", "field"),
    [
        ([LineInput(1, sku="NOPE")], "unknown_sku", "skus"),
        ([LineInput(0, sku="KAF-1")], "invalid_lines", "lines.0.quantity"),
        ([LineInput(-1, sku="KAF-1")], "invalid_lines", "lines.0.quantity"),
        ([LineInput(MAX_QUANTITY + 1, sku="KAF-1")], "invalid_lines", "lines.0.quantity"),
        ([LineInput(True, sku="KAF-1")], "invalid_lines", "lines.0.quantity"),
        ([LineInput("2", sku="KAF-1")], "invalid_lines", "lines.0.quantity"),
        ([LineInput(1, sku="KAF-1", unit_price="1.999")], "invalid_lines", "lines.0.unit_price"),
        ([LineInput(1, sku="KAF-1", unit_price="abc")], "invalid_lines", "lines.0.unit_price"),
        ([LineInput(1, sku="KAF-1", unit_price=1.5)], "invalid_lines", "lines.0.unit_price"),
        ([LineInput(1, sku="KAF-1", unit_price="-1.00")], "invalid_lines", "lines.0.unit_price"),
        ([LineInput(1, sku="KAF-1", unit_price="1e9")], "invalid_lines", "lines.0.unit_price"),
        ([LineInput(1, name="X", vat_rate="19")], "invalid_lines", "lines.0.unit_price"),
        ([LineInput(1, unit_price="1.00", vat_rate="19")], "invalid_lines", "lines.0.name"),
        (
            [LineInput(1, name="X" * 201, unit_price="1", vat_rate="19")],
            "invalid_lines",
            "lines.0.name",
        ),
        (
            [LineInput(1, name="X", unit_price="1.00", vat_rate="16")],
            "invalid_lines",
            "lines.0.vat_rate",
        ),
        ([LineInput(1, name="X", unit_price="1.00")], "invalid_lines", "lines.0.vat_rate"),
        ([LineInput(1, sku="KAF-1")] * (MAX_LINES + 1), "too_many_lines", "lines"),
    ],
)
def test_bad_lines_are_refused_and_change_nothing(actor, order, snapshot, lines, code, field):
    error = assert_refused(
        code, snapshot, lambda: set_order_lines(number=order.number, lines=lines, actor=actor)
    )
    assert field in error.fields


def test_bad_lines_on_create_create_nothing(actor, billing, snapshot):
    error = assert_refused(
        "invalid_lines",
        snapshot,
        lambda: create_order(
            actor=actor,
            billing_address=billing,
            lines=[LineInput(1, name="", unit_price="x"), LineInput(0, sku=None, name="Y")],
        ),
    )
    assert set(error.fields) == {"lines.0.unit_price", "lines.1.quantity"}


def test_inactive_product_is_not_for_sale(actor, order, coffee, snapshot):
    Product.objects.filter(pk=coffee.pk).update(is_active=False)
    error = assert_refused(
        "invalid_lines",
        snapshot,
        lambda: set_order_lines(
            number=order.number, lines=[LineInput(1, sku="KAF-1")], actor=actor
        ),
    )
    assert error.fields == {"lines.0.sku": "KAF-1 ist nicht im Verkauf"}


@pytest.mark.parametrize("status", ["shipped", "completed", "cancelled"])
def test_the_cart_of_a_finished_order_is_locked(actor, order, snapshot, status):
    set_order_status(number=order.number, status=status, actor=actor)
    assert_refused(
        "order_locked",
        snapshot,
        lambda: set_order_lines(
            number=order.number, lines=[LineInput(1, sku="KAF-1")], actor=actor
        ),
    )
    assert_refused(
        "order_locked",
        snapshot,
        lambda: set_order_coupon(number=order.number, coupon_code=None, actor=actor),
    )


# ---------------------------------------------------------------------------- status


def test_status_change_is_recorded(actor, order):
    order = set_order_status(
        number=order.number,
        status="cancelled",
        actor=actor,
        notify_customer=True,
        comment="Kunde hat storniert",
    )
    event = order.events.get(type=OrderEventType.STATUS_CHANGED)
    assert event.data == {
        "from": "pending",
        "to": "cancelled",
        "stock": "none",
        "stock_adjusted": False,
        "notify_customer": True,
        "notify_admins": False,
        "comment": "Kunde hat storniert",
    }
    assert (event.actor_kind, event.actor_label) == ("user", "anna")


@pytest.mark.parametrize(
    ("to", "code"),
    [
        ("refunded", "refund_required"),
        ("draft", "invalid_transition"),
        ("gone", "invalid_status"),
    ],
)
def test_forbidden_status_changes(actor, order, snapshot, to, code):
    error = assert_refused(
        code, snapshot, lambda: set_order_status(number=order.number, status=to, actor=actor)
    )
    if code == "invalid_transition":
        assert error.http_status == 409
        assert "processing" in error.fields["allowed"]


def test_a_refunded_order_is_final(actor, order, snapshot):
    # given an order whose payment was refunded in full, closing it
    set_order_status(number=order.number, status="processing", actor=actor)
    set_payment_status(number=order.number, payment_status="paid", actor=actor)
    refund_order(number=order.number, actor=actor, amount=order.total, set_status_refunded=True)
    assert Order.objects.get(pk=order.pk).status == "refunded"
    # then no status change leads out of it
    for status in ("pending", "processing", "cancelled"):
        assert_refused(
            "invalid_transition",
            snapshot,
            lambda status=status: set_order_status(number=order.number, status=status, actor=actor),
        )


def test_a_draft_is_placed_not_moved(actor, billing, snapshot):
    draft = create_order(actor=actor, status="draft", billing_address=billing)
    assert_refused(
        "order_is_draft",
        snapshot,
        lambda: set_order_status(number=draft.number, status="processing", actor=actor),
    )


def test_status_comment_is_bounded(actor, order, snapshot):
    assert_refused(
        "invalid_comment",
        snapshot,
        lambda: set_order_status(
            number=order.number,
            status="cancelled",
            comment="x" * (MAX_NOTE_LENGTH + 1),
            actor=actor,
        ),
    )


def test_payment_status_by_hand(actor, order, snapshot):
    order = set_payment_status(number=order.number, payment_status="paid", actor=actor)
    assert order.payment_status == "paid"
    event = order.events.get(type=OrderEventType.PAYMENT_STATUS_CHANGED)
    assert event.data == {"from": "unpaid", "to": "paid"}
    for bad in ("refunded", "partially_refunded", "free"):
        assert_refused(
            "invalid_payment_status",
            snapshot,
            lambda bad=bad: set_payment_status(
                number=order.number, payment_status=bad, actor=actor
            ),
        )


def test_payment_status_of_a_refunded_order_follows_its_refunds(actor, order, snapshot):
    set_payment_status(number=order.number, payment_status="paid", actor=actor)
    refund_order(number=order.number, actor=actor, amount="1.00")
    assert_refused(
        "invalid_transition",
        snapshot,
        lambda: set_payment_status(number=order.number, payment_status="paid", actor=actor),
    )


# ------------------------------------------------------------------------- customers


def test_customer_is_matched_by_email_case_insensitively_and_updated(actor, coffee, billing):
    # given a customer stored with an old address
    existing = create_customer(email="Erika@Example.de", city="Hamburg", first_name="E.")
    # when an order is placed with the e-mail in other case and a new address
    order = create_order(
        actor=actor,
        billing_address={**billing, "email": "ERIKA@EXAMPLE.DE"},
        lines=[LineInput(1, sku="KAF-1")],
    )
    # then it is the same customer, with the billing data of the order
    assert order.customer_id == existing.pk
    assert Customer.objects.count() == 1
    existing.refresh_from_db()
    assert (existing.city, existing.first_name, existing.phone) == (
        "Berlin",
        "Erika",
        "+49 30 123456",
    )


def test_new_customer_is_created_with_a_lower_case_email(actor, coffee, billing):
    order = create_order(
        actor=actor,
        billing_address={**billing, "email": "Neu.Kunde@Example.DE"},
        lines=[LineInput(1, sku="KAF-1")],
    )
    assert order.customer.email == "neu.kunde@example.de"
    assert order.billing_address["email"] == "Neu.Kunde@Example.DE"


def test_order_without_email_has_no_customer(actor, coffee, billing):
    no_mail = {k: v for k, v in billing.items() if k != "email"}
    order = create_order(actor=actor, billing_address=no_mail, lines=[LineInput(1, sku="KAF-1")])
    assert order.customer is None
    assert not Customer.objects.exists()


def test_existing_customer_by_id_fills_the_billing_address(actor, coffee):
    customer = create_customer(
        email="max@example.de", first_name="Max", last_name="Muster", city="Köln", country="DE"
    )
    order = create_order(actor=actor, customer_id=customer.pk, lines=[LineInput(1, sku="KAF-1")])
    assert order.customer == customer
    assert order.billing_address == {
        "first_name": "Max",
        "last_name": "Muster",
        "city": "Köln",
        "country": "DE",
        "email": "max@example.de",
    }
    assert order.shipping_address["city"] == "Köln"
    assert "email" not in order.shipping_address


def test_an_explicit_customer_with_another_billing_email_stays_and_no_stray_customer(
    actor, coffee, billing
):
    # given a company customer, and an order for it billed to an employee's e-mail
    company = create_customer(email="einkauf@firma.de", company="Firma GmbH")
    order = create_order(
        actor=actor,
        customer_id=company.pk,
        billing_address=billing,
        lines=[LineInput(1, sku="KAF-1")],
    )
    # then the order stays with the chosen customer and no other customer appears
    assert order.customer == company
    assert list(Customer.objects.values_list("email", flat=True)) == ["einkauf@firma.de"]


def test_customer_tags_from_products_are_added_on_placement(actor, tea, billing):
    # given a draft with tea (tag "Teetrinker")
    draft = create_order(
        actor=actor, status="draft", billing_address=billing, lines=[LineInput(1, sku="TEE-1")]
    )
    assert not Customer.objects.exists()
    # when it is placed
    order = place_order(number=draft.number, actor=actor)
    # then the customer carries the tag, and the timeline says which were new
    assert list(order.customer.tags.values_list("name", flat=True)) == ["Teetrinker"]
    event = order.events.get(type=OrderEventType.TAGS_CHANGED)
    assert event.data == {"customer_tags_added": ["Teetrinker"]}
    # and a second purchase adds nothing new (and records nothing)
    second = create_order(actor=actor, billing_address=billing, lines=[LineInput(1, sku="TEE-1")])
    assert second.customer == order.customer
    assert not second.events.filter(type=OrderEventType.TAGS_CHANGED).exists()
    assert order.customer.tags.count() == 1


def test_unknown_customer_id(actor, coffee, snapshot):
    assert_refused(
        "unknown_customer",
        snapshot,
        lambda: create_order(actor=actor, customer_id=424242, lines=[LineInput(1, sku="KAF-1")]),
    )


def test_changing_the_billing_of_a_placed_order_updates_its_customer(actor, order):
    order = update_order(
        number=order.number,
        billing_address={**order.billing_address, "city": "Potsdam", "postal_code": "14467"},
        actor=actor,
    )
    order.customer.refresh_from_db()
    assert (order.customer.city, order.customer.postal_code) == ("Potsdam", "14467")
    assert order.shipping_address["city"] == "Potsdam"  # same as billing
    assert Customer.objects.count() == 1


def test_a_new_billing_email_on_a_placed_order_moves_it_to_that_customer(actor, order):
    erika = order.customer
    order = update_order(
        number=order.number,
        billing_address={**order.billing_address, "email": "otto@example.de", "first_name": "Otto"},
        actor=actor,
    )
    otto = Customer.objects.get(email="otto@example.de")
    assert order.customer == otto
    assert otto.first_name == "Otto"
    event = order.events.get(type=OrderEventType.CUSTOMER_CHANGED)
    assert event.data == {"from": erika.pk, "to": otto.pk}
    erika.refresh_from_db()
    assert erika.first_name == "Erika"


def test_a_draft_follows_its_billing_email_to_the_right_customer(actor, coffee, billing):
    # given Erika exists, and a draft started for her
    erika = create_customer(email="erika@example.de", first_name="Erika")
    draft = create_order(
        actor=actor, status="draft", billing_address=billing, lines=[LineInput(1, sku="KAF-1")]
    )
    assert draft.customer == erika
    # when the draft's billing e-mail becomes Otto's and it is placed
    update_order(
        number=draft.number,
        billing_address={**billing, "email": "otto@example.de", "first_name": "Otto"},
        actor=actor,
    )
    order = place_order(number=draft.number, actor=actor)
    # then the order is Otto's, and Erika's record is left alone
    assert order.customer.email == "otto@example.de"
    erika.refresh_from_db()
    assert erika.first_name == "Erika"


def test_set_customer_by_id_on_an_order(actor, order):
    other = create_customer(email="otto@example.de", first_name="Otto")
    previous = order.customer
    order = update_order(number=order.number, customer_id=other.pk, actor=actor)
    assert order.customer == other
    # the order's billing snapshot stays what it was
    assert order.billing_address["email"] == "erika@example.de"
    event = order.events.get(type=OrderEventType.CUSTOMER_CHANGED)
    assert event.data == {"from": previous.pk, "to": other.pk}


# ------------------------------------------------------------------------- addresses


def test_shipping_same_as_billing_by_default(actor, order, billing):
    assert order.shipping_same_as_billing
    assert order.shipping_address == {
        k: v for k, v in billing.items() if k not in ("email", "vat_id")
    }


def test_a_separate_shipping_address(actor, coffee, billing):
    shipping = {
        "first_name": "Hans",
        "last_name": "Muster",
        "line1": "Weg 2",
        "city": "Bonn",
        "postal_code": "53111",
        "country": "de",
    }
    order = create_order(
        actor=actor,
        billing_address=billing,
        shipping_address=shipping,
        lines=[LineInput(1, sku="KAF-1")],
    )
    assert not order.shipping_same_as_billing
    assert order.shipping_address == {**shipping, "country": "DE"}
    # when the billing changes, the separate shipping address stays
    order = update_order(
        number=order.number, billing_address={**billing, "city": "Potsdam"}, actor=actor
    )
    assert order.shipping_address["city"] == "Bonn"
    # and switching back to "same as billing" copies the billing address
    order = update_order(number=order.number, shipping_same_as_billing=True, actor=actor)
    assert order.shipping_address["city"] == "Potsdam"
    assert order.events.filter(type=OrderEventType.ADDRESS_CHANGED).count() == 2


def test_a_shipping_address_given_with_same_as_billing_unknown_is_kept(actor, order):
    # the API passes None for "not given"
    order = update_order(
        number=order.number,
        shipping_address={"first_name": "Hans", "line1": "Weg 2", "city": "Bonn"},
        shipping_same_as_billing=None,
        actor=actor,
    )
    assert not order.shipping_same_as_billing
    assert order.shipping_address == {"first_name": "Hans", "line1": "Weg 2", "city": "Bonn"}


def test_addresses_are_cleaned(actor, coffee, billing):
    order = create_order(
        actor=actor,
        billing_address={**billing, "city": "  Berlin   Mitte ", "line2": "", "company": None},
        lines=[LineInput(1, sku="KAF-1")],
    )
    assert order.billing_address["city"] == "Berlin Mitte"
    assert "line2" not in order.billing_address
    assert "company" not in order.billing_address


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"favourite_colour": "blau"}, "billing_address.favourite_colour"),
        ({"city": "x" * 101}, "billing_address.city"),
        ({"postal_code": "1" * 21}, "billing_address.postal_code"),
        ({"country": "DEU"}, "billing_address.country"),
        ({"country": "1A"}, "billing_address.country"),
        ({"email": "not-an-email"}, "billing_address.email"),
        ({"email": "x" * 250 + "@example.de"}, "billing_address.email"),
        ({"phone": 4930123}, "billing_address.phone"),
    ],
)
def test_bad_addresses_are_refused(actor, order, coffee, billing, snapshot, change, field):
    error = assert_refused(
        "invalid_address",
        snapshot,
        lambda: update_order(
            number=order.number, billing_address={**billing, **change}, actor=actor
        ),
    )
    assert field in error.fields
    assert_refused(
        "invalid_address",
        snapshot,
        lambda: create_order(
            actor=actor, billing_address={**billing, **change}, lines=[LineInput(1, sku="KAF-1")]
        ),
    )


def test_shipping_address_takes_no_email(actor, order, snapshot):
    error = assert_refused(
        "invalid_address",
        snapshot,
        lambda: update_order(
            number=order.number, shipping_address={"email": "a@b.de", "city": "X"}, actor=actor
        ),
    )
    assert "shipping_address.email" in error.fields


# --------------------------------------------------------------------------- details


def test_update_details(actor, order, sales_user):
    order = update_order(
        number=order.number,
        assignee="sam",
        lead_source="google",
        channel="pos",
        payment_method="cash",
        shipping_method="pickup",
        actor=actor,
    )
    assert (order.assignee, order.lead_source.code, order.channel) == (sales_user, "google", "pos")
    assert (order.payment_method.code, order.shipping_method.code) == ("cash", "pickup")
    assert order.total == D("49.70")  # pickup is free
    assert order.events.get(type=OrderEventType.ASSIGNEE_CHANGED).data == {
        "from": None,
        "to": "sam",
    }
    assert order.events.get(type=OrderEventType.DETAILS_CHANGED).data == {
        "lead_source": {"from": None, "to": "google"},
        "payment_method": {"from": "invoice", "to": "cash"},
        "shipping_method": {"from": "standard", "to": "pickup"},
        "channel": {"from": "manual", "to": "pos"},
    }
    # clearing
    order = update_order(number=order.number, assignee=None, lead_source="", actor=actor)
    assert (order.assignee, order.lead_source) == (None, None)


def test_an_update_that_changes_nothing_does_not_bump_the_version(actor, order, snapshot):
    before = snapshot()
    update_order(number=order.number, payment_method="invoice", channel="manual", actor=actor)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"assignee": "nobody"}, "unknown_assignee"),
        ({"lead_source": "tv"}, "unknown_lead_source"),
        ({"channel": "fax"}, "unknown_channel"),
        ({"payment_method": "bitcoin"}, "unknown_payment_method"),
        ({"shipping_method": "drone"}, "unknown_shipping_method"),
        ({"customer_id": 999999}, "unknown_customer"),
        ({"tags": ["x" * 51]}, "invalid_tag"),
    ],
)
def test_unknown_codes_are_refused_on_update_and_create(
    actor, order, coffee, billing, snapshot, kwargs, code
):
    # combined with a valid change that must not be written either
    assert_refused(
        code,
        snapshot,
        lambda: update_order(
            number=order.number, actor=actor, **{"lead_source": "direct", **kwargs}
        ),
    )
    assert_refused(
        code,
        snapshot,
        lambda: create_order(
            actor=actor, billing_address=billing, lines=[LineInput(1, sku="KAF-1")], **kwargs
        ),
    )


def test_inactive_staff_user_cannot_be_assigned(actor, order, sales_user, snapshot):
    sales_user.is_active = False
    sales_user.save()
    assert_refused(
        "unknown_assignee",
        snapshot,
        lambda: update_order(number=order.number, assignee="sam", actor=actor),
    )


# ------------------------------------------------------------------------------ tags


def test_tags_add_and_remove(actor, order):
    order = change_order_tags(number=order.number, add=["Eilig", "B2B"], actor=actor)
    assert sorted(order.tags.values_list("name", flat=True)) == ["B2B", "Eilig"]
    # case-insensitive: removing "eilig" removes "Eilig", adding "b2b" adds nothing
    order = change_order_tags(
        number=order.number, add=["b2b", "Messe"], remove=["eilig"], actor=actor
    )
    assert sorted(order.tags.values_list("name", flat=True)) == ["B2B", "Messe"]
    events = order.events.filter(type=OrderEventType.TAGS_CHANGED).order_by("id")
    assert [e.data for e in events] == [
        {"added": ["Eilig", "B2B"], "removed": []},
        {"added": ["Messe"], "removed": ["Eilig"]},
    ]
    assert order.version == 3


def test_tags_that_change_nothing_do_not_bump_the_version(actor, order, snapshot):
    change_order_tags(number=order.number, add=["Eilig"], actor=actor)
    before = snapshot()
    change_order_tags(number=order.number, add=["EILIG"], remove=["gibt es nicht"], actor=actor)
    assert snapshot() == before


def test_tags_replace_on_update_and_on_create(actor, coffee, billing):
    order = create_order(
        actor=actor,
        billing_address=billing,
        tags=["Eilig", " eilig ", "B2B"],
        lines=[LineInput(1, sku="KAF-1")],
    )
    assert sorted(order.tags.values_list("name", flat=True)) == ["B2B", "Eilig"]
    order = update_order(number=order.number, tags=["Messe"], actor=actor)
    assert list(order.tags.values_list("name", flat=True)) == ["Messe"]


def test_too_many_tags(actor, order, snapshot):
    assert_refused(
        "invalid_tag",
        snapshot,
        lambda: change_order_tags(
            number=order.number, add=[f"t{i}" for i in range(51)], actor=actor
        ),
    )


# ----------------------------------------------------------------------------- notes


def test_add_a_note(actor, order):
    note = add_order_note(number=order.number, body="  Kunde ruft zurück  ", actor=actor)
    assert (note.body, note.author, note.author_label) == ("Kunde ruft zurück", actor.user, "anna")
    order.refresh_from_db()
    assert order.version == 2
    assert order.events.get(type=OrderEventType.NOTE_ADDED).data == {"note_id": note.pk}


def test_a_note_given_on_create(actor, coffee, billing):
    order = create_order(
        actor=actor,
        billing_address=billing,
        lines=[LineInput(1, sku="KAF-1")],
        note="Bitte klingeln",
    )
    assert list(order.notes.values_list("body", flat=True)) == ["Bitte klingeln"]


@pytest.mark.parametrize("body", ["", "   ", "x" * (MAX_NOTE_LENGTH + 1)])
def test_bad_notes(actor, order, coffee, billing, snapshot, body):
    assert_refused(
        "invalid_note",
        snapshot,
        lambda: add_order_note(number=order.number, body=body, actor=actor),
    )
    if body.strip():
        assert_refused(
            "invalid_note",
            snapshot,
            lambda: create_order(
                actor=actor, billing_address=billing, lines=[LineInput(1, sku="KAF-1")], note=body
            ),
        )


# ------------------------------------------------------------------------- shipments


def test_shipment_with_a_listed_carrier_derives_the_tracking_url(actor, order):
    shipment = add_shipment(
        number=order.number, carrier="dhl", tracking_code=" 0034 5678 ", actor=actor
    )
    assert (shipment.carrier.code, shipment.carrier_name, shipment.tracking_code) == (
        "dhl",
        "DHL",
        "0034 5678",
    )
    assert shipment.tracking_url == (
        "https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?piececode=0034%205678"
    )
    event = order.events.get(type=OrderEventType.SHIPMENT_ADDED)
    assert event.data["tracking_url"] == shipment.tracking_url
    order.refresh_from_db()
    assert "0034 5678" in order.search_document
    assert order.version == 2


def test_shipment_with_a_custom_carrier(actor, order):
    shipment = add_shipment(
        number=order.number,
        carrier_name="Kurier Müller",
        tracking_code="KM-1",
        tracking_url="https://kurier-mueller.example/t/KM-1",
        actor=actor,
    )
    assert (shipment.carrier, shipment.carrier_name) == (None, "Kurier Müller")
    assert shipment.tracking_url == "https://kurier-mueller.example/t/KM-1"


def test_several_parcels_per_order(actor, order):
    add_shipment(number=order.number, carrier="dpd", tracking_code="1", actor=actor)
    add_shipment(number=order.number, carrier="gls", tracking_code="2", actor=actor)
    assert list(order.shipments.values_list("carrier_name", flat=True)) == ["DPD", "GLS"]


def test_tracking_update_derives_the_url_again(actor, order):
    shipment = add_shipment(number=order.number, carrier="dpd", tracking_code="111", actor=actor)
    shipment = update_shipment_tracking(
        number=order.number, shipment_id=shipment.pk, tracking_code="222", actor=actor
    )
    assert shipment.tracking_url == "https://tracking.dpd.de/status/de_DE/parcel/222"
    event = order.events.get(type=OrderEventType.TRACKING_UPDATED)
    assert (event.data["from"], event.data["to"]) == ("111", "222")
    order.refresh_from_db()
    assert "222" in order.search_document and "111" not in order.search_document


def test_tracking_update_of_a_custom_carrier_takes_a_new_url(actor, order):
    shipment = add_shipment(
        number=order.number,
        carrier_name="Kurier",
        tracking_code="A",
        tracking_url="https://k.example/A",
        actor=actor,
    )
    shipment = update_shipment_tracking(
        number=order.number,
        shipment_id=shipment.pk,
        tracking_code="B",
        tracking_url="https://k.example/B",
        actor=actor,
    )
    assert shipment.tracking_url == "https://k.example/B"
    # a new code without a new link drops the old link rather than show a wrong one
    shipment = update_shipment_tracking(
        number=order.number, shipment_id=shipment.pk, tracking_code="C", actor=actor
    )
    assert shipment.tracking_url == ""


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"carrier": "pigeon"}, "unknown_carrier"),
        ({}, "invalid_carrier"),
        ({"carrier_name": "   "}, "invalid_carrier"),
        ({"carrier_name": "x" * 101}, "invalid_carrier"),
        ({"carrier": "dhl", "tracking_code": "x" * 101}, "invalid_tracking"),
        ({"carrier_name": "K", "tracking_url": "javascript:alert(1)"}, "invalid_tracking"),
        ({"carrier_name": "K", "tracking_url": "https://" + "x" * 500}, "invalid_tracking"),
    ],
)
def test_bad_shipments(actor, order, snapshot, kwargs, code):
    assert_refused(code, snapshot, lambda: add_shipment(number=order.number, actor=actor, **kwargs))


def test_a_draft_cannot_be_shipped(actor, billing, snapshot):
    draft = create_order(actor=actor, status="draft", billing_address=billing)
    assert_refused(
        "order_is_draft",
        snapshot,
        lambda: add_shipment(number=draft.number, carrier="dhl", actor=actor),
    )


def test_tracking_update_of_an_unknown_shipment(actor, order, coffee, billing, snapshot):
    other = create_order(actor=actor, billing_address=billing, lines=[LineInput(1, sku="KAF-1")])
    shipment = add_shipment(number=other.number, carrier="dhl", tracking_code="1", actor=actor)
    # a shipment of another order is not found through this one
    assert_refused(
        "not_found",
        snapshot,
        lambda: update_shipment_tracking(
            number=order.number, shipment_id=shipment.pk, tracking_code="2", actor=actor
        ),
    )
    assert_refused(
        "invalid_tracking",
        snapshot,
        lambda: update_shipment_tracking(
            number=other.number, shipment_id=shipment.pk, tracking_code="x" * 101, actor=actor
        ),
    )


# -------------------------------------------------------------------------- versions


def test_every_change_bumps_the_version(actor, order, make_coupon):
    make_coupon(code="SPAR10")
    number = order.number
    shipment = add_shipment(number=number, carrier="dhl", tracking_code="1", actor=actor)
    versions = [Order.objects.get(number=number).version]
    steps = [
        lambda: set_order_lines(number=number, lines=[LineInput(3, sku="KAF-1")], actor=actor),
        lambda: set_order_coupon(number=number, coupon_code="SPAR10", actor=actor),
        lambda: update_order(number=number, channel="web", actor=actor),
        lambda: change_order_tags(number=number, add=["X"], actor=actor),
        lambda: add_order_note(number=number, body="n", actor=actor),
        lambda: update_shipment_tracking(
            number=number, shipment_id=shipment.pk, tracking_code="2", actor=actor
        ),
        lambda: set_payment_status(number=number, payment_status="paid", actor=actor),
        lambda: set_order_status(number=number, status="processing", actor=actor),
    ]
    for step in steps:
        step()
        versions.append(Order.objects.get(number=number).version)
    assert versions == list(range(2, 2 + len(steps) + 1))


def test_a_stale_version_is_refused_by_every_service(actor, order, make_coupon, snapshot):
    make_coupon(code="SPAR10")
    number = order.number
    shipment = add_shipment(number=number, carrier="dhl", tracking_code="1", actor=actor)
    stale = 1  # the version before the shipment
    calls = [
        lambda: set_order_lines(
            number=number, lines=[LineInput(3, sku="KAF-1")], actor=actor, expected_version=stale
        ),
        lambda: set_order_coupon(
            number=number, coupon_code="SPAR10", actor=actor, expected_version=stale
        ),
        lambda: update_order(number=number, channel="web", actor=actor, expected_version=stale),
        lambda: change_order_tags(number=number, add=["X"], actor=actor, expected_version=stale),
        lambda: add_order_note(number=number, body="n", actor=actor, expected_version=stale),
        lambda: add_shipment(number=number, carrier="dhl", actor=actor, expected_version=stale),
        lambda: update_shipment_tracking(
            number=number,
            shipment_id=shipment.pk,
            tracking_code="2",
            actor=actor,
            expected_version=stale,
        ),
        lambda: set_payment_status(
            number=number, payment_status="paid", actor=actor, expected_version=stale
        ),
        lambda: set_order_status(
            number=number, status="processing", actor=actor, expected_version=stale
        ),
    ]
    for call in calls:
        error = assert_refused("version_conflict", snapshot, call)
        assert error.http_status == 409
        assert error.fields == {"version": 2}
    # the current version goes through
    order = set_order_status(number=number, status="processing", actor=actor, expected_version=2)
    assert order.version == 3


def test_a_stale_version_on_place(actor, billing, snapshot):
    draft = create_order(actor=actor, status="draft", billing_address=billing)
    assert_refused(
        "version_conflict",
        snapshot,
        lambda: place_order(number=draft.number, actor=actor, expected_version=0),
    )


def test_services_on_an_unknown_order(actor, db, snapshot):
    for call in (
        lambda: set_order_status(number=1, status="processing", actor=actor),
        lambda: update_order(number=1, channel="web", actor=actor),
        lambda: add_order_note(number=1, body="x", actor=actor),
        lambda: set_order_lines(number=1, lines=[], actor=actor),
    ):
        assert assert_refused("not_found", snapshot, call).http_status == 404


def test_events_carry_the_actor(order, db):
    from bestellwerk.accounts.models import Role, User
    from bestellwerk.accounts.services import create_api_token
    from bestellwerk.core.actors import Actor

    user = User.objects.create_user(username="bot", role=Role.ADMIN)
    token, _raw = create_api_token(user=user, name="Shop")
    order = set_order_status(number=order.number, status="cancelled", actor=Actor.for_token(token))
    event = order.events.get(type=OrderEventType.STATUS_CHANGED)
    assert (event.actor_kind, event.actor_user, event.actor_token, event.actor_label) == (
        "api_token",
        user,
        token,
        "API: Shop",
    )
    order = set_order_status(number=order.number, status="pending", actor=Actor.system())
    assert order.events.last().actor_kind == "system"


@pytest.mark.parametrize("status", ["shipped", "completed", "cancelled"])
def test_the_shipping_method_of_a_finished_order_is_locked_with_its_cart(
    actor, order, snapshot, status
):
    set_order_status(number=order.number, status=status, actor=actor)
    assert_refused(
        "order_locked",
        snapshot,
        lambda: update_order(number=order.number, shipping_method="express", actor=actor),
    )
    # other details stay editable
    order = update_order(number=order.number, payment_method="cash", actor=actor)
    assert order.payment_method.code == "cash"


def test_editing_the_billing_street_keeps_an_explicitly_chosen_customer(actor, coffee, billing):
    company = create_customer(email="einkauf@firma.de", company="Firma GmbH", city="Köln")
    order = create_order(
        actor=actor,
        customer_id=company.pk,
        billing_address=billing,
        lines=[LineInput(1, sku="KAF-1")],
    )
    order = update_order(
        number=order.number, billing_address={**billing, "line1": "Neue Str. 5"}, actor=actor
    )
    assert order.customer == company
    company.refresh_from_db()
    assert (company.city, company.line1) == ("Köln", "")
    assert not order.events.filter(type=OrderEventType.CUSTOMER_CHANGED).exists()
    assert Customer.objects.count() == 1


def test_editing_a_drafts_billing_creates_no_customer(actor, coffee, billing):
    draft = create_order(actor=actor, status="draft", billing_address=billing)
    update_order(
        number=draft.number, billing_address={**billing, "email": "neu@example.de"}, actor=actor
    )
    assert not Customer.objects.exists()


def test_creating_a_placed_order_takes_at_most_twelve_queries(
    actor, coffee, billing, django_assert_max_num_queries
):
    # given the shop's settings and methods were read once (they are cached per process)
    create_order(
        actor=actor,
        billing_address=billing,
        lines=[LineInput(quantity=1, sku=coffee.sku)],
        payment_method="invoice",
        shipping_method="standard",
    )

    # then an order that takes stock costs at most 12 statements, savepoints included
    with django_assert_max_num_queries(12):
        create_order(
            actor=actor,
            status="processing",
            billing_address=billing,
            lines=[LineInput(quantity=1, sku=coffee.sku)],
            payment_method="invoice",
            shipping_method="standard",
        )


def test_stock_is_taken_last_so_its_row_stays_locked_only_until_commit(actor, coffee, billing):
    # when an order that deducts stock is created
    with CaptureQueriesContext(connection) as queries:
        create_order(
            actor=actor,
            status="processing",
            billing_address=billing,
            lines=[LineInput(quantity=2, sku=coffee.sku)],
        )

    # then after the product's stock UPDATE only its movement and the timeline are written
    statements = [query["sql"] for query in queries.captured_queries]
    stock_update = next(
        i for i, sql in enumerate(statements) if sql.startswith("UPDATE catalog_product")
    )
    after = [sql.split("(")[0].strip() for sql in statements[stock_update + 1 :]]
    assert all(
        sql.startswith(('INSERT INTO "catalog_stockmovement"', 'INSERT INTO "orders_orderevent"'))
        or sql.startswith("RELEASE SAVEPOINT")
        for sql in after
    ), after
    coffee.refresh_from_db()
    assert coffee.stock_quantity == 8
