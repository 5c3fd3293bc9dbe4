"""The one search of Bestellwerk: orders, customers and products are found the same way.

Each searchable row keeps a `search_document`: its searchable text folded to one canonical
form. A query is folded the same way and split into words; a row matches when every word is
a substring of its document (AND, partial words). Because both sides go through `fold`, the
database compares plain lower-case ASCII-like text with LIKE, and SQLite and PostgreSQL find
exactly the same rows (PostgreSQL's trigram index only makes it faster).

Folding makes "Müller", "Mueller", "MÜLLER" and "Muller" one word ("muller"): case folded,
ß to ss, accents dropped, and the German transcriptions ae/oe/ue merged with a/o/u. The price
is a rare false friend (a query starting inside such a pair, "eller" for "Mueller", finds
nothing; "Sue" also finds "Su").

Phone numbers are stored and searched as digits with the German country code written as the
trunk prefix: "+49 160 5484029", "0049 160/5484029" and "0160 5484029" are all
"01605484029"; other country codes keep their international form ("+43 1 234" → "00431234").
"""

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 10
# Below this many digits a number starting with 0 is a postcode ("01067") or a house number,
# not a phone number.
MIN_PHONE_DIGITS = 7

# The e of ae, oe, ue (dropped: "mueller" is "muller").
_TRANSCRIPTIONS = re.compile(r"(?<=[aou])e")
# A phone number as people type it: "+49 160 5484029", "0160/548 40 29", "(030) 1234567".
_PHONE_RUN = re.compile(r"(?<![\w+])(?:\+|\(?0)[\d()/. -]*\d")
# Characters a word may start or end with that are never part of what is searched for.
_WORD_EDGES = "#.,;:!?\"'()[]{}<>"

ModelT = TypeVar("ModelT", bound=Model)


# Names, streets, cities and product names repeat across orders: bulk writers (demo, import,
# benchmark) fold the same strings again and again.
@lru_cache(maxsize=65_536)
def fold(text: str) -> str:
    """`text` in the canonical form documents and queries are compared in."""
    if text.isascii():
        plain = text.lower()  # the same as the long way, for most of what is folded
    else:
        decomposed = unicodedata.normalize("NFKD", text.casefold())
        plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_TRANSCRIPTIONS.sub("", plain).split())


def phone_digits(phone: str) -> str:
    """A phone number as the digits it is stored and searched as ("" when it has none)."""
    digits = re.sub(r"\D", "", phone)
    if phone.lstrip().startswith("+"):
        digits = "00" + digits
    if digits.startswith("0049"):
        digits = "0" + digits[4:]
    return digits


def search_document(texts: Iterable[str | None], *, phones: Iterable[str | None] = ()) -> str:
    """The document a row is found by: its texts folded, its phone numbers as digits, each
    distinct part once."""
    parts = [fold(text) for text in texts if text]
    parts += [phone_digits(phone) for phone in phones if phone]
    return " | ".join(dict.fromkeys(part for part in parts if part))


def search_words(query: str) -> list[str]:
    """The words of `query` a document must all contain (at most MAX_QUERY_WORDS)."""
    query = query[:MAX_QUERY_LENGTH]
    phones: list[str] = []

    def take_phone(match: re.Match[str]) -> str:
        digits = phone_digits(match.group())
        if match.group().startswith("+") or len(digits) >= MIN_PHONE_DIGITS:
            phones.append(digits)
            return " "
        return match.group()

    rest = _PHONE_RUN.sub(take_phone, query)
    words = [word.strip(_WORD_EDGES) for word in fold(rest).split()]
    return list(dict.fromkeys(phones + [word for word in words if word]))[:MAX_QUERY_WORDS]


def matching(
    rows: QuerySet[ModelT], query: str, *, field: str = "search_document"
) -> QuerySet[ModelT]:
    """`rows` whose document contains every word of `query`; all of them for an empty one."""
    condition = Q()
    for word in search_words(query):
        condition &= Q(**{f"{field}__contains": word})
    return rows.filter(condition)


class RefreshesSearchDocument:
    """Model mixin: `search_document` is built again (`build_search_document`) on every save,
    also when only some fields are saved."""

    search_document: str

    def build_search_document(self) -> str:
        """The model's own answer to what it is found by (`search_document(...)` of its
        fields). The mixin cannot know the fields: every model using it defines this, and a
        model that forgot to fails on its first save, not silently with an empty document."""
        raise NotImplementedError(f"{type(self).__name__} must define build_search_document")

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_document = self.build_search_document()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_document"}
        super().save(*args, **kwargs)
