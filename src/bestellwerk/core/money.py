"""Money is Decimal; every amount is rounded by `round_money`, nowhere else."""

import re
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("9999999.99")
# The German VAT rates a line may carry (as stored: percent with two decimals).
VAT_RATES = [(Decimal("19.00"), "19 %"), (Decimal("7.00"), "7 %"), (Decimal("0.00"), "0 %")]
VAT_RATE_VALUES = frozenset(rate for rate, _label in VAT_RATES)


def round_money(value: Decimal | int) -> Decimal:
    """Round to cents, half-up (the German commercial rounding)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


# The one money format: plain ASCII digits, an optional minus, at most two decimals.
# No exponents ("1e5"), no other digits ("١٢"), no spaces, no thousands separators.
_MONEY_TEXT = re.compile(r"-?[0-9]+(\.[0-9]{1,2})?", re.ASCII)


def parse_money(value: object) -> Decimal:
    """Parse an amount given as a plain decimal string ("12.50"), a whole number or a
    Decimal; floats are refused (they lie), and so is every other notation."""
    amount = _as_decimal(value)
    if amount is None or not amount.is_finite():
        raise ValueError(
            _("%(value)s is not an amount such as '12.50'") % {"value": repr(value)[:40]}
        )
    # The bound comes first: quantizing a 30-digit number overflows the decimal context.
    if abs(amount) > MAX_AMOUNT:
        raise ValueError(_("amounts are at most %(max)s") % {"max": MAX_AMOUNT})
    if amount != amount.quantize(CENT):
        raise ValueError(_("amounts have at most two decimal places"))
    return amount.quantize(CENT)


def _as_decimal(value: object) -> Decimal | None:
    if isinstance(value, bool | float):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str) and len(value) <= 20 and _MONEY_TEXT.fullmatch(value):
        return Decimal(value)
    return None


def tax_from_gross(gross: Decimal, rate: Decimal) -> Decimal:
    """The VAT contained in a gross amount: gross × rate / (100 + rate), half-up to cents."""
    if not rate:
        return ZERO
    return round_money(gross * rate / (Decimal(100) + rate))


def split_proportionally(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split `total` into cent shares proportional to `weights`.

    Each share is rounded half-up to cents; the rounding remainder goes to the largest weight
    so the shares always add up to `total` exactly.
    """
    if not weights:
        return []
    weight_sum = sum(weights, ZERO)
    if weight_sum == 0:
        shares = [ZERO] * len(weights)
        shares[0] = round_money(total)
        return shares
    shares = [round_money(total * w / weight_sum) for w in weights]
    remainder = round_money(total) - sum(shares, ZERO)
    if remainder:
        largest = max(range(len(weights)), key=lambda i: (weights[i], -i))
        shares[largest] += remainder
    return shares


def format_money(value: Decimal) -> str:
    return f"{round_money(value):.2f}"
