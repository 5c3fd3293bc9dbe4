"""The one function that turns lines, coupon and shipping into an order's money."""

from dataclasses import dataclass, field
from decimal import Decimal

from bestellwerk.core.money import ZERO, round_money, split_proportionally, tax_from_gross

DEFAULT_SHIPPING_VAT_RATE = Decimal("19.00")


@dataclass(frozen=True)
class LineAmountsInput:
    unit_price: Decimal
    quantity: int
    vat_rate: Decimal


@dataclass(frozen=True)
class CouponTerms:
    kind: str  # percent, fixed, free_shipping
    value: Decimal


@dataclass(frozen=True)
class LineAmounts:
    subtotal: Decimal
    discount: Decimal
    total: Decimal
    tax: Decimal


@dataclass(frozen=True)
class TaxLine:
    rate: Decimal
    net: Decimal
    tax: Decimal

    def as_json(self) -> dict[str, str]:
        return {"rate": f"{self.rate:.2f}", "net": f"{self.net:.2f}", "tax": f"{self.tax:.2f}"}


@dataclass(frozen=True)
class Totals:
    lines: list[LineAmounts]
    subtotal: Decimal
    discount: Decimal
    shipping: Decimal
    net: Decimal
    tax_total: Decimal
    total: Decimal
    tax: list[TaxLine] = field(default_factory=list)


def coupon_discount(terms: CouponTerms | None, subtotal: Decimal) -> Decimal:
    if terms is None:
        return ZERO
    if terms.kind == "percent":
        return min(round_money(subtotal * terms.value / Decimal(100)), subtotal)
    if terms.kind == "fixed":
        return min(round_money(terms.value), subtotal)
    return ZERO


def compute_totals(
    *,
    lines: list[LineAmountsInput],
    coupon: CouponTerms | None,
    shipping_price: Decimal,
    line_discounts: list[Decimal] | None = None,
) -> Totals:
    """Goods gross − discount + shipping; VAT per rate taken out of the gross.

    The discount is spread over the lines in proportion to their gross (remainder on the
    largest line), and shipping's VAT over the rates in proportion to the discounted goods,
    so the VAT breakdown stays right whatever the coupon. An imported order brings each
    line's discount as it was (`line_discounts`, each at most its line's gross) instead.
    """
    line_subtotals = [round_money(line.unit_price * line.quantity) for line in lines]
    subtotal = sum(line_subtotals, ZERO)
    if line_discounts is not None:
        shares = [min(d, s) for d, s in zip(line_discounts, line_subtotals, strict=True)]
        discount = sum(shares, ZERO)
    else:
        discount = coupon_discount(coupon, subtotal)
        shares = split_proportionally(discount, line_subtotals) if discount else [ZERO] * len(lines)
    shipping = ZERO if coupon and coupon.kind == "free_shipping" else round_money(shipping_price)

    line_amounts = []
    gross_by_rate: dict[Decimal, Decimal] = {}
    for line, line_subtotal, share in zip(lines, line_subtotals, shares, strict=True):
        line_total = line_subtotal - share
        rate = Decimal(line.vat_rate).quantize(Decimal("0.01"))
        line_amounts.append(
            LineAmounts(
                subtotal=line_subtotal,
                discount=share,
                total=line_total,
                tax=tax_from_gross(line_total, rate),
            )
        )
        gross_by_rate[rate] = gross_by_rate.get(rate, ZERO) + line_total

    if shipping:
        rates = sorted(gross_by_rate) or [DEFAULT_SHIPPING_VAT_RATE]
        weights = [gross_by_rate.get(rate, ZERO) for rate in rates]
        if not any(weights):
            weights = [Decimal(1)] * len(rates)
        for rate, share in zip(rates, split_proportionally(shipping, weights), strict=True):
            gross_by_rate[rate] = gross_by_rate.get(rate, ZERO) + share

    tax_lines = []
    for rate in sorted(gross_by_rate, reverse=True):
        gross = gross_by_rate[rate]
        tax = tax_from_gross(gross, rate)
        tax_lines.append(TaxLine(rate=rate, net=gross - tax, tax=tax))

    total = subtotal - discount + shipping
    tax_total = sum((t.tax for t in tax_lines), ZERO)
    return Totals(
        lines=line_amounts,
        subtotal=subtotal,
        discount=discount,
        shipping=shipping,
        net=total - tax_total,
        tax_total=tax_total,
        total=total,
        tax=tax_lines,
    )
