"""Coupons on orders: conditions, usage limits, redemption on placement, release."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bestellwerk.core.errors import ServiceError
from bestellwerk.orders.inputs import LineInput
from bestellwerk.orders.models import OrderEventType
from bestellwerk.orders.services import (
    create_order,
    place_order,
    set_order_coupon,
    set_order_lines,
    set_order_status,
)
from bestellwerk.promotions.models import Coupon, CouponRedemption

D = Decimal


@pytest.fixture
def cart(coffee, mug):
    """2 × coffee + 1 × mug: 49.70 of goods."""
    return [LineInput(quantity=2, sku=coffee.sku), LineInput(quantity=1, sku=mug.sku)]


def order_with(actor, billing, cart, code, **kwargs):
    return create_order(
        actor=actor, billing_address=billing, lines=cart, coupon_code=code, **kwargs
    )


def assert_refused(code, snapshot, call):
    before = snapshot()
    with pytest.raises(ServiceError) as exc:
        call()
    assert exc.value.code == code
    assert snapshot() == before
    return exc.value


def test_minimum_subtotal_not_reached_is_refused(actor, billing, cart, make_coupon, snapshot):
    make_coupon(code="AB50", min_subtotal="50.00")
    error = assert_refused(
        "coupon_min_subtotal", snapshot, lambda: order_with(actor, billing, cart, "AB50")
    )
    assert error.fields == {"coupon_code": "AB50"}
    assert "50.00" in error.message


def test_minimum_subtotal_reached_exactly_is_accepted(actor, billing, cart, make_coupon):
    make_coupon(code="AB4970", min_subtotal="49.70")
    order = order_with(actor, billing, cart, "AB4970")
    assert order.discount_total == D("4.97")


def test_coupon_not_yet_valid(actor, billing, cart, make_coupon, snapshot):
    make_coupon(code="BALD", valid_from=timezone.now() + timedelta(days=1))
    assert_refused(
        "coupon_not_yet_valid", snapshot, lambda: order_with(actor, billing, cart, "BALD")
    )


def test_coupon_expired(actor, billing, cart, make_coupon, snapshot):
    make_coupon(
        code="ALT",
        valid_from=timezone.now() - timedelta(days=10),
        valid_until=timezone.now() - timedelta(seconds=1),
    )
    assert_refused("coupon_expired", snapshot, lambda: order_with(actor, billing, cart, "ALT"))


def test_coupon_inside_its_window(actor, billing, cart, make_coupon):
    make_coupon(
        code="JETZT",
        valid_from=timezone.now() - timedelta(days=1),
        valid_until=timezone.now() + timedelta(days=1),
    )
    assert order_with(actor, billing, cart, "JETZT").discount_total == D("4.97")


def test_inactive_coupon(actor, billing, cart, make_coupon, snapshot):
    coupon = make_coupon(code="AUS")
    Coupon.objects.filter(pk=coupon.pk).update(is_active=False)
    assert_refused("coupon_invalid", snapshot, lambda: order_with(actor, billing, cart, "AUS"))


def test_unknown_coupon(actor, billing, cart, snapshot):
    error = assert_refused(
        "coupon_invalid", snapshot, lambda: order_with(actor, billing, cart, "GIBTSNICHT")
    )
    assert error.fields == {"coupon_code": "GIBTSNICHT"}


def test_total_usage_limit(actor, billing, cart, make_coupon, snapshot):
    # given a coupon for one use, used by a first order
    coupon = make_coupon(code="EINMAL", usage_limit=1)
    order_with(actor, billing, cart, "EINMAL")
    coupon.refresh_from_db()
    assert coupon.times_used == 1
    # when another customer tries it, then it is used up
    other = {**billing, "email": "otto@example.de"}
    assert_refused("coupon_usage_limit", snapshot, lambda: order_with(actor, other, cart, "EINMAL"))


def test_usage_limit_per_customer(actor, billing, cart, make_coupon, snapshot):
    # given a coupon once per customer, used by Erika
    make_coupon(code="WILLKOMMEN", usage_limit_per_customer=1)
    order_with(actor, billing, cart, "WILLKOMMEN")
    # when Erika tries again (e-mail in other case), then no
    again = {**billing, "email": "ERIKA@example.de"}
    error = assert_refused(
        "coupon_usage_limit", snapshot, lambda: order_with(actor, again, cart, "WILLKOMMEN")
    )
    assert "Kunde" in error.message
    # and Otto still may
    other = {**billing, "email": "otto@example.de"}
    assert order_with(actor, other, cart, "WILLKOMMEN").coupon.code == "WILLKOMMEN"
    assert Coupon.objects.get(code="WILLKOMMEN").times_used == 2


def test_a_draft_does_not_redeem_until_placed(actor, billing, cart, make_coupon):
    # given a draft with a coupon
    make_coupon(code="SPAR10", usage_limit=1)
    draft = order_with(actor, billing, cart, "SPAR10", status="draft")
    # then nothing is counted yet
    assert Coupon.objects.get(code="SPAR10").times_used == 0
    assert not CouponRedemption.objects.exists()
    assert draft.discount_total == D("4.97")
    # when it is placed, then the use is counted for its customer
    placed = place_order(number=draft.number, actor=actor)
    redemption = CouponRedemption.objects.get()
    assert (redemption.order_id, redemption.customer_id) == (placed.pk, placed.customer_id)
    assert Coupon.objects.get(code="SPAR10").times_used == 1


def test_placing_a_draft_whose_coupon_was_used_up_meanwhile_fails(
    actor, billing, cart, make_coupon, snapshot
):
    # given two drafts with the same single-use coupon, one placed
    make_coupon(code="EINMAL", usage_limit=1)
    first = order_with(actor, billing, cart, "EINMAL", status="draft")
    second = order_with(
        actor, {**billing, "email": "otto@example.de"}, cart, "EINMAL", status="draft"
    )
    place_order(number=first.number, actor=actor)
    # when the second is placed, then it is refused and stays a draft
    assert_refused(
        "coupon_usage_limit", snapshot, lambda: place_order(number=second.number, actor=actor)
    )


def test_removing_the_coupon_of_a_placed_order_releases_its_use(actor, billing, cart, make_coupon):
    # given a placed order with a coupon
    make_coupon(code="SPAR10", usage_limit=1)
    order = order_with(actor, billing, cart, "SPAR10")
    # when the coupon is removed
    order = set_order_coupon(number=order.number, coupon_code=None, actor=actor)
    # then the use is given back, the discount is gone, and the timeline says so
    assert Coupon.objects.get(code="SPAR10").times_used == 0
    assert not CouponRedemption.objects.exists()
    assert (order.coupon, order.discount_total, order.total) == (None, D("0.00"), D("49.70"))
    removed = order.events.get(type=OrderEventType.COUPON_REMOVED)
    assert removed.data == {"code": "SPAR10"}
    # and another order may use it now
    assert order_with(actor, billing, cart, "SPAR10").coupon.code == "SPAR10"


def test_changing_the_coupon_of_a_placed_order_moves_the_use(actor, billing, cart, make_coupon):
    make_coupon(code="ERSTER")
    make_coupon(code="ZWEITER", kind="fixed", value="5")
    order = order_with(actor, billing, cart, "ERSTER")
    # when the coupon is replaced
    order = set_order_coupon(number=order.number, coupon_code="zweiter", actor=actor)
    # then the first coupon's use is released and the second's counted
    assert dict(Coupon.objects.values_list("code", "times_used")) == {"ERSTER": 0, "ZWEITER": 1}
    assert CouponRedemption.objects.get().coupon.code == "ZWEITER"
    assert order.discount_total == D("5.00")
    types = list(order.events.values_list("type", flat=True))
    assert types[-2:] == [OrderEventType.COUPON_REMOVED, OrderEventType.COUPON_APPLIED]


def test_changing_to_a_used_up_coupon_keeps_the_old_one(
    actor, billing, cart, make_coupon, snapshot
):
    make_coupon(code="ERSTER")
    make_coupon(code="VOLL", usage_limit=1)
    order_with(actor, {**billing, "email": "otto@example.de"}, cart, "VOLL")
    order = order_with(actor, billing, cart, "ERSTER")
    assert_refused(
        "coupon_usage_limit",
        snapshot,
        lambda: set_order_coupon(number=order.number, coupon_code="VOLL", actor=actor),
    )


def test_reapplying_the_same_coupon_counts_once(actor, billing, cart, make_coupon):
    make_coupon(code="SPAR10", usage_limit=1)
    order = order_with(actor, billing, cart, "SPAR10")
    set_order_coupon(number=order.number, coupon_code="SPAR10", actor=actor)
    assert Coupon.objects.get(code="SPAR10").times_used == 1
    assert CouponRedemption.objects.count() == 1


def test_lines_changed_below_the_minimum_are_refused(actor, billing, cart, make_coupon, snapshot):
    # given a placed order whose coupon needs 40.00
    make_coupon(code="AB40", min_subtotal="40")
    order = order_with(actor, billing, cart, "AB40")
    # when the cart drops to 9.90, then the coupon's condition refuses it
    assert_refused(
        "coupon_min_subtotal",
        snapshot,
        lambda: set_order_lines(
            number=order.number, lines=[LineInput(quantity=1, sku="TAS-1")], actor=actor
        ),
    )
    # and removing the coupon together with the lines is fine
    order = set_order_lines(
        number=order.number, lines=[LineInput(quantity=1, sku="TAS-1")], coupon_code="", actor=actor
    )
    assert (order.coupon, order.total) == (None, D("9.90"))
    assert Coupon.objects.get(code="AB40").times_used == 0


def test_lines_of_a_placed_order_stay_editable_after_its_coupon_expired_or_used_up(
    actor, billing, cart, make_coupon
):
    # given a placed order with a single-use coupon, which has since expired
    coupon = make_coupon(code="SOMMER", usage_limit=1)
    order = order_with(actor, billing, cart, "SOMMER")
    Coupon.objects.filter(pk=coupon.pk).update(
        valid_until=timezone.now() - timedelta(days=1), is_active=False
    )
    # when staff add a line, then the coupon the order was placed with still applies
    order = set_order_lines(
        number=order.number,
        lines=[*cart, LineInput(quantity=1, sku="TAS-1")],
        actor=actor,
    )
    assert order.coupon.code == "SOMMER"
    assert order.discount_total == D("5.96")  # 10 % of 59.60
    assert Coupon.objects.get(code="SOMMER").times_used == 1


def test_a_draft_rechecks_its_coupon_when_lines_change(actor, billing, cart, make_coupon, snapshot):
    coupon = make_coupon(code="SOMMER")
    draft = order_with(actor, billing, cart, "SOMMER", status="draft")
    Coupon.objects.filter(pk=coupon.pk).update(valid_until=timezone.now() - timedelta(days=1))
    assert_refused(
        "coupon_expired",
        snapshot,
        lambda: set_order_lines(number=draft.number, lines=cart, actor=actor),
    )


def test_cancelling_keeps_the_use_counted(actor, billing, cart, make_coupon):
    # a cancelled order still counts against the limit: its coupon was redeemed
    make_coupon(code="EINMAL", usage_limit=1)
    order = order_with(actor, billing, cart, "EINMAL")
    set_order_status(number=order.number, status="cancelled", actor=actor)
    assert Coupon.objects.get(code="EINMAL").times_used == 1
