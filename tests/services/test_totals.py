"""Totals: one function from lines, coupon and shipping to the order's money."""

from decimal import Decimal

from bestellwerk.core.money import tax_from_gross
from bestellwerk.orders.inputs import LineInput
from bestellwerk.orders.services import create_order, set_order_lines, update_order
from bestellwerk.orders.totals import CouponTerms, LineAmountsInput, TaxLine, compute_totals

D = Decimal


def line(price: str, quantity: int, rate: str) -> LineAmountsInput:
    return LineAmountsInput(unit_price=D(price), quantity=quantity, vat_rate=D(rate))


def tax_table(totals) -> list[tuple[str, str, str]]:
    return [(f"{t.rate:.2f}", f"{t.net:.2f}", f"{t.tax:.2f}") for t in totals.tax]


COFFEE_AND_MUG = [line("19.90", 2, "7"), line("9.90", 1, "19")]


def test_without_coupon_vat_per_rate_and_shipping_split_over_the_rates():
    # given 39.80 at 7 % and 9.90 at 19 %, shipping 4.90
    # when
    totals = compute_totals(lines=COFFEE_AND_MUG, coupon=None, shipping_price=D("4.90"))
    # then shipping splits 3.92 (7 %) / 0.98 (19 %) in proportion to the goods
    assert totals.subtotal == D("49.70")
    assert totals.discount == D("0.00")
    assert totals.shipping == D("4.90")
    assert totals.total == D("54.60")
    # 43.72 × 7 / 107 = 2.860… → 2.86 ; 10.88 × 19 / 119 = 1.737… → 1.74
    assert tax_table(totals) == [("19.00", "9.14", "1.74"), ("7.00", "40.86", "2.86")]
    assert totals.tax_total == D("4.60")
    assert totals.net == D("50.00")
    assert [(la.subtotal, la.discount, la.total, la.tax) for la in totals.lines] == [
        (D("39.80"), D("0.00"), D("39.80"), D("2.60")),
        (D("9.90"), D("0.00"), D("9.90"), D("1.58")),
    ]


def test_percent_coupon_spreads_over_lines_in_proportion():
    # given 10 % off 49.70
    totals = compute_totals(
        lines=COFFEE_AND_MUG, coupon=CouponTerms("percent", D("10")), shipping_price=D("4.90")
    )
    # then 4.97 off: 3.98 on the coffee, 0.99 on the mug
    assert totals.discount == D("4.97")
    assert [la.discount for la in totals.lines] == [D("3.98"), D("0.99")]
    assert [la.total for la in totals.lines] == [D("35.82"), D("8.91")]
    assert totals.total == D("49.63")
    # the VAT follows the discounted goods: shipping 3.92 / 0.98 again (same proportion),
    # 39.74 × 7/107 = 2.5998… → 2.60 ; 9.89 × 19/119 = 1.579… → 1.58
    assert tax_table(totals) == [("19.00", "8.31", "1.58"), ("7.00", "37.14", "2.60")]
    assert totals.net + totals.tax_total == totals.total


def test_percent_discount_is_rounded_half_up():
    # given 10 % of 0.25 is 0.025
    totals = compute_totals(
        lines=[line("0.25", 1, "19")], coupon=CouponTerms("percent", D("10")), shipping_price=D(0)
    )
    # then half-up gives 0.03 (half-even would give 0.02)
    assert totals.discount == D("0.03")
    assert totals.total == D("0.22")


def test_rounding_remainder_of_the_spread_goes_to_the_largest_line():
    # given lines of 3.00, 6.00 and 11.00 and a discount of 0.10 (0.5 %)
    lines = [line("3.00", 1, "19"), line("6.00", 1, "19"), line("11.00", 1, "7")]
    totals = compute_totals(
        lines=lines, coupon=CouponTerms("percent", D("0.5")), shipping_price=D(0)
    )
    # then the raw shares 0.02 + 0.03 + 0.06 = 0.11 are one cent too many: the largest line
    # gives it back, so the shares add up to the discount exactly
    assert totals.discount == D("0.10")
    assert [la.discount for la in totals.lines] == [D("0.02"), D("0.03"), D("0.05")]


def test_rounding_remainder_can_also_be_added_to_the_largest_line():
    # given lines of 10, 10 and 30 and a fixed discount of 0.02: each share rounds to 0.00/0.01
    lines = [line("10.00", 1, "19"), line("10.00", 1, "19"), line("30.00", 1, "19")]
    totals = compute_totals(
        lines=lines, coupon=CouponTerms("fixed", D("0.02")), shipping_price=D(0)
    )
    # then the missing cent lands on the 30.00 line
    assert [la.discount for la in totals.lines] == [D("0.00"), D("0.00"), D("0.02")]
    assert sum(la.discount for la in totals.lines) == totals.discount == D("0.02")


def test_fixed_coupon():
    totals = compute_totals(
        lines=COFFEE_AND_MUG, coupon=CouponTerms("fixed", D("5.00")), shipping_price=D("4.90")
    )
    # 5.00 × 39.80/49.70 = 4.004 → 4.00 ; 5.00 × 9.90/49.70 = 0.996 → 1.00
    assert [la.discount for la in totals.lines] == [D("4.00"), D("1.00")]
    assert totals.discount == D("5.00")
    assert totals.total == D("49.60")


def test_fixed_coupon_larger_than_the_subtotal_takes_the_goods_to_zero_not_below():
    # given 9.90 of goods, a 50.00 coupon and 4.90 shipping
    totals = compute_totals(
        lines=[line("9.90", 1, "19")],
        coupon=CouponTerms("fixed", D("50")),
        shipping_price=D("4.90"),
    )
    # then only 9.90 is taken off; the customer pays the shipping
    assert totals.discount == D("9.90")
    assert totals.lines[0].total == D("0.00")
    assert totals.lines[0].tax == D("0.00")
    assert totals.total == D("4.90")
    # all of the shipping's VAT is at 19 % (the goods' weights are all zero)
    assert tax_table(totals) == [("19.00", "4.12", "0.78")]


def test_free_shipping_coupon_sets_shipping_to_zero_and_discounts_nothing():
    totals = compute_totals(
        lines=COFFEE_AND_MUG, coupon=CouponTerms("free_shipping", D("0")), shipping_price=D("4.90")
    )
    assert totals.shipping == D("0.00")
    assert totals.discount == D("0.00")
    assert totals.total == D("49.70")
    # 39.80 × 7/107 = 2.60 ; 9.90 × 19/119 = 1.58
    assert tax_table(totals) == [("19.00", "8.32", "1.58"), ("7.00", "37.20", "2.60")]


def test_zero_rate_lines_carry_no_tax_but_take_their_share_of_shipping():
    # given a 0 % voucher of 25.00 and a 19 % mug of 25.00, shipping 5.00
    lines = [line("25.00", 1, "0"), line("25.00", 1, "19")]
    totals = compute_totals(lines=lines, coupon=None, shipping_price=D("5.00"))
    # then shipping splits 2.50 / 2.50 and the 0 % part has no VAT
    assert [la.tax for la in totals.lines] == [D("0.00"), D("3.99")]
    assert tax_table(totals) == [("19.00", "23.11", "4.39"), ("0.00", "27.50", "0.00")]
    assert totals.total == D("55.00")


def test_empty_cart_with_shipping_puts_shipping_at_the_standard_rate():
    totals = compute_totals(lines=[], coupon=None, shipping_price=D("4.90"))
    assert totals.lines == []
    assert totals.subtotal == D("0.00")
    assert totals.total == D("4.90")
    assert totals.tax == [TaxLine(rate=D("19.00"), net=D("4.12"), tax=D("0.78"))]


def test_empty_cart_without_shipping_is_all_zero():
    totals = compute_totals(lines=[], coupon=None, shipping_price=D("0"))
    assert (totals.total, totals.tax_total, totals.net, totals.tax) == (D(0), D(0), D(0), [])


def test_tax_from_gross_is_gross_times_rate_over_100_plus_rate_half_up():
    assert tax_from_gross(D("119.00"), D("19")) == D("19.00")
    assert tax_from_gross(D("107.00"), D("7")) == D("7.00")
    # 10.00 × 19 / 119 = 1.5966… → 1.60 ; 0.03 × 19/119 = 0.00479 → 0.00
    assert tax_from_gross(D("10.00"), D("19")) == D("1.60")
    assert tax_from_gross(D("0.03"), D("19")) == D("0.00")
    assert tax_from_gross(D("99.99"), D("0")) == D("0.00")


def test_multiplies_quantity_before_rounding():
    # given 3 × 0.335 is not possible (prices are cents) but 3 × 3.33 = 9.99
    totals = compute_totals(lines=[line("3.33", 3, "19")], coupon=None, shipping_price=D(0))
    assert totals.lines[0].subtotal == D("9.99")
    assert totals.lines[0].tax == D("1.60")


# --------------------------------------------------------------- the same through orders


def test_create_order_writes_the_totals_of_compute_totals(order):
    # given the order fixture: 2 × coffee (7 %), 1 × mug (19 %), standard shipping 4.90
    # then the order and its lines carry the amounts computed above
    assert (order.subtotal, order.discount_total, order.shipping_total) == (
        D("49.70"),
        D("0.00"),
        D("4.90"),
    )
    assert (order.total, order.tax_total, order.net_total) == (D("54.60"), D("4.60"), D("50.00"))
    assert order.tax_breakdown == [
        {"rate": "19.00", "net": "9.14", "tax": "1.74"},
        {"rate": "7.00", "net": "40.86", "tax": "2.86"},
    ]
    stored = [(ln.sku, ln.subtotal, ln.discount, ln.total, ln.tax) for ln in order.lines.all()]
    assert stored == [
        ("KAF-1", D("39.80"), D("0.00"), D("39.80"), D("2.60")),
        ("TAS-1", D("9.90"), D("0.00"), D("9.90"), D("1.58")),
    ]


def test_create_order_with_percent_coupon(actor, coffee, mug, billing, make_coupon):
    make_coupon(code="SPAR10", kind="percent", value="10")
    order = create_order(
        actor=actor,
        billing_address=billing,
        lines=[LineInput(quantity=2, sku=coffee.sku), LineInput(quantity=1, sku=mug.sku)],
        shipping_method="standard",
        coupon_code="spar10",
    )
    assert order.coupon.code == "SPAR10"
    assert order.discount_total == D("4.97")
    assert order.total == D("49.63")
    assert [ln.discount for ln in order.lines.all()] == [D("3.98"), D("0.99")]


def test_create_order_with_free_shipping_coupon(actor, mug, billing, make_coupon):
    make_coupon(code="GRATISVERSAND", kind="free_shipping", value="0")
    order = create_order(
        actor=actor,
        billing_address=billing,
        lines=[LineInput(quantity=1, sku=mug.sku)],
        shipping_method="express",
        coupon_code="GRATISVERSAND",
    )
    assert order.shipping_total == D("0.00")
    assert order.total == D("9.90")


def test_create_order_with_fixed_coupon_larger_than_goods(actor, mug, billing, make_coupon):
    make_coupon(code="FUENFZIG", kind="fixed", value="50")
    order = create_order(
        actor=actor,
        billing_address=billing,
        lines=[LineInput(quantity=1, sku=mug.sku)],
        shipping_method="standard",
        coupon_code="FUENFZIG",
    )
    assert order.discount_total == D("9.90")
    assert order.total == D("4.90")


def test_custom_line_at_zero_rate(actor, billing):
    order = create_order(
        actor=actor,
        billing_address=billing,
        lines=[LineInput(quantity=2, name="Beratung", unit_price=D("40.00"), vat_rate=D("0"))],
        shipping_method="pickup",
    )
    assert order.total == D("80.00")
    assert order.tax_total == D("0.00")
    assert order.tax_breakdown == [{"rate": "0.00", "net": "80.00", "tax": "0.00"}]


def test_draft_without_lines_carries_the_shipping(actor, billing):
    order = create_order(
        actor=actor, status="draft", billing_address=billing, shipping_method="standard"
    )
    assert order.total == D("4.90")
    assert order.tax_breakdown == [{"rate": "19.00", "net": "4.12", "tax": "0.78"}]


def test_totals_follow_line_and_shipping_method_changes(actor, order, coffee):
    # when the cart becomes 1 × coffee and the shipping method pickup
    set_order_lines(number=order.number, lines=[LineInput(quantity=1, sku=coffee.sku)], actor=actor)
    order = update_order(number=order.number, shipping_method="pickup", actor=actor)
    # then everything is recomputed from the lines
    assert (order.subtotal, order.shipping_total, order.total) == (
        D("19.90"),
        D("0.00"),
        D("19.90"),
    )
    assert order.tax_breakdown == [{"rate": "7.00", "net": "18.60", "tax": "1.30"}]
