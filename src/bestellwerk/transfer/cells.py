"""Reading the cells of foreign files: amounts, dates, counts, countries, VAT rates.

Each parser takes the text and the column name and raises CellError naming the column, so
a rejected order says exactly which cell was wrong.
"""

import re
import zoneinfo
from contextvars import ContextVar
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache

from django.conf import settings
from django.utils.translation import gettext as _

from bestellwerk.core.money import MAX_AMOUNT, round_money
from bestellwerk.core.search import fold
from bestellwerk.transfer.records import CellError

# Characters a spreadsheet treats as the start of a formula; exports put a ' before them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
# The common case, read without the general parser: "12.50", "-3.00".
_PLAIN_AMOUNT = re.compile(r"-?\d{1,7}\.\d\d", re.ASCII)  # within MAX_AMOUNT
_AMOUNT = re.compile(r"-?(\d{1,3}([.,' ]\d{3})+|\d+)([.,]\d{1,6})?")
_PERCENT = re.compile(r"(?<![\d.,])(\d{1,3}(?:[.,]\d{1,2})?)\s*%")
MAX_QUANTITY = 100_000
MIN_YEAR, MAX_YEAR = 1970, 2100
# Set while a comma-separated file is read: there "1.597" is one and a half and a bit, not
# 1,597 (a German spreadsheet saving CSV uses ";" and writes 1.597,00).
DOT_IS_DECIMAL: ContextVar[bool] = ContextVar("dot_is_decimal", default=False)
# Besides ISO 8601: the German way a spreadsheet writes a time.
DATE_FORMATS = ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M")
DAY_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")


def text(value: str | None, limit: int = 255) -> str:
    """A cell's text: as it was before an export protected it against formula injection,
    trimmed, control characters (but line breaks) dropped, cut to `limit`."""
    if not value:
        return ""
    cleaned = unquote_formula(value)
    if _CONTROL.search(cleaned):
        cleaned = _CONTROL.sub("", cleaned)
    return cleaned.strip()[:limit]


def protect_formula(value: str) -> str:
    """A cell a spreadsheet will not run as a formula: a ' before =, +, -, @, tab, CR."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def unquote_formula(value: str) -> str:
    """A cell an export protected against formula injection ('=…), as it was."""
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_STARTS:
        return value[1:]
    return value


def amount(value: str | None, column: str, *, default: Decimal | None = None) -> Decimal:
    """12.50, 12,50, 1.234,56, 1,234.56 or -3 as Decimal cents; empty gives `default`."""
    if isinstance(value, str) and _PLAIN_AMOUNT.fullmatch(value):
        return Decimal(value)
    raw = str(value or "").strip().replace("\u00a0", "")
    for symbol in ("€", "EUR", "$", "USD"):
        raw = raw.replace(symbol, "")
    raw = raw.strip()
    if raw.startswith("'"):
        raw = raw[1:]
    if not raw:
        if default is not None:
            return default
        raise CellError(column, _("an amount is missing"))
    if not _AMOUNT.fullmatch(raw):
        raise CellError(column, _("'%(value)s' is not an amount") % {"value": raw[:30]})
    try:
        result = Decimal(_plain_digits(raw))
    except InvalidOperation:
        raise CellError(column, _("'%(value)s' is not an amount") % {"value": raw[:30]}) from None
    if abs(result) > MAX_AMOUNT:
        raise CellError(column, _("amounts are at most %(max)s") % {"max": MAX_AMOUNT})
    return round_money(result)


def _plain_digits(raw: str) -> str:
    """The amount with '.' as its only decimal mark: with both '.' and ',' the later one is
    the decimal mark; a single one followed by exactly three digits groups thousands
    (1.000 in German, 1,000 in English), any other single one is the decimal mark."""
    raw = raw.replace("'", "").replace(" ", "")
    marks = [ch for ch in raw if ch in ".,"]
    if not marks:
        return raw
    last = marks[-1]
    whole = raw.rsplit(last, 1)[0].lstrip("-")
    # 1.000 groups thousands; 0.125 cannot (no number is written with a leading 0 group).
    grouping = (
        len(raw.rsplit(last, 1)[1]) == 3
        and whole not in ("0", "")
        and not (last == "." and DOT_IS_DECIMAL.get())
    )
    if len(set(marks)) == 2 or (len(marks) == 1 and not grouping):
        whole, fraction = raw.rsplit(last, 1)
        return whole.replace(".", "").replace(",", "") + "." + fraction
    return raw.replace(".", "").replace(",", "")


def positive_amount(value: str | None, column: str, *, default: Decimal | None = None) -> Decimal:
    """An amount that cannot be negative (a price, total, shipping, discount, payment)."""
    result = amount(value, column, default=default)
    if result < 0:
        raise CellError(column, _("the amount is negative"))
    return result


def amount_if_given(value: str | None, column: str) -> Decimal | None:
    """A non-negative amount, or None for an empty cell (a figure the file may not give)."""
    return positive_amount(value, column) if str(value or "").strip() else None


def quantity(value: str | None, column: str) -> int:
    raw = (value or "").strip()
    if raw.endswith(".0") or raw.endswith(",0"):
        raw = raw[:-2]
    if not raw.isdigit() or not raw.isascii():
        raise CellError(column, _("'%(value)s' is not a quantity") % {"value": raw[:30]})
    count = int(raw)
    if not 0 < count <= MAX_QUANTITY:
        raise CellError(
            column, _("quantities are between 1 and %(max)s") % {"max": f"{MAX_QUANTITY}"}
        )
    return count


def moment(value: str | None, column: str, *, required: bool = True) -> datetime | None:
    """A point in time; without a zone it is the shop's local time (Europe/Berlin); years
    from 1970 to 2100 (history, not a typo)."""
    raw = str(value or "").strip()
    if not raw:
        if required:
            raise CellError(column, _("a date is missing"))
        return None
    parsed = _iso_moment(raw)
    if parsed is None:
        for form in DATE_FORMATS:
            try:
                parsed = datetime.strptime(raw, form)
            except ValueError:
                continue
            break
    if parsed is not None:
        if not MIN_YEAR <= parsed.year <= MAX_YEAR:
            raise CellError(column, _("'%(value)s' is not a date") % {"value": raw[:30]})
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=_shop_zone())
    for form in DAY_FORMATS:
        try:
            day: date = datetime.strptime(raw, form).date()
        except ValueError:
            continue
        if MIN_YEAR <= day.year <= MAX_YEAR:
            return datetime.combine(day, time(12), tzinfo=_shop_zone())
    raise CellError(column, _("'%(value)s' is not a date") % {"value": raw[:30]})


def _iso_moment(raw: str) -> datetime | None:
    """ISO 8601 in its usual spellings: "2024-01-05T10:00:00Z", "2024-01-05 10:00:00+01:00",
    Shopify's "2024-01-05 10:00:00 +0100"."""
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        return None


@lru_cache(maxsize=256)
def vat_rate_in(value: str | None) -> Decimal | None:
    """The percentage in a tax name such as 'MwSt 19%' or 'DE VAT 7.0%'; None when none."""
    found = _PERCENT.search(value or "")
    if not found:
        return None
    rate = Decimal(found.group(1).replace(",", ".")).quantize(Decimal("0.01"))
    return rate if rate < 100 else None


def country_code(value: str | None, column: str) -> str:
    """An ISO 3166 alpha-2 code from a code (de, DEU is not one) or a country's name in
    German or English ('Deutschland', 'Germany', 'Österreich')."""
    raw = text(value, 100)
    if not raw:
        return ""
    if len(raw) == 2 and raw.isascii() and raw.upper() in _country_names().values():
        return raw.upper()
    code = _country_names().get(fold(raw))
    if code is None:
        raise CellError(column, _("'%(value)s' is not a country") % {"value": raw[:40]})
    return code


@cache
def _country_names() -> dict[str, str]:
    from babel import Locale

    names: dict[str, str] = {}
    for language in ("en", "de"):
        for code, name in Locale(language).territories.items():
            if len(code) == 2 and code.isalpha():
                names.setdefault(fold(name), code)
    aliases = {"usa": "US", "uk": "GB", "great britain": "GB", "holland": "NL", "turkey": "TR"}
    for alias, code in aliases.items():
        names.setdefault(alias, code)
    return names


@cache
def _shop_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)
