"""What the format readers share: grouping rows into orders, columns, addresses, errors."""

from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from bestellwerk.orders.inputs import BILLING_FIELD_LENGTHS
from bestellwerk.transfer import cells
from bestellwerk.transfer.reading import Table
from bestellwerk.transfer.records import CellError, FileError, RowError, SourceOrder

Record = tuple[int, dict[str, str]]
MAX_KEY = 100  # an order number longer than this is a broken file, not a number
RECENT_ORDERS = 100_000
ReadResult = SourceOrder | RowError


@dataclass(frozen=True)
class Format:
    """A file format: its name, the columns that identify it, those it cannot do without,
    and the reader of one order's records."""

    name: str
    signature: frozenset[str]
    required: tuple[str, ...]
    order_key: Callable[[dict[str, str]], str]
    read_order: Callable[[list[Record]], SourceOrder]

    def matches(self, columns: set[str]) -> bool:
        return self.signature <= columns

    def orders(self, table: Table, *, keep_records: int = 0) -> Iterator[ReadResult]:
        """Each order of the file: consecutive records with the same key form one order.
        The first `keep_records` orders keep their records."""
        missing = [name for name in self.required if name not in table.columns]
        if missing:
            raise FileError(
                _("The column %(columns)s is missing (format %(format)s).")
                % {"columns": ", ".join(f"'{name}'" for name in missing), "format": self.name}
            )
        group: list[Record] = []
        key = ""
        count = 0
        # Where the recent orders began, to catch an order whose rows are apart (bounded:
        # a file is read in one pass with flat memory).
        began: OrderedDict[str, int] = OrderedDict()
        for record in table.records():
            record_key = self.order_key(record[1])[:MAX_KEY]
            if group and record_key != key:
                yield self._read(group, key, began, keep=count < keep_records)
                count += 1
                group = []
            key = record_key
            group.append(record)
        if group:
            yield self._read(group, key, began, keep=count < keep_records)

    def _read(
        self, group: list[Record], key: str, began: OrderedDict[str, int], *, keep: bool
    ) -> ReadResult:
        row = group[0][0]
        if key in began:
            return RowError(
                row=row,
                order=key,
                column="",
                message=_("the rows of order %(order)s are not together: it began at row %(first)s")
                % {"order": key, "first": began[key]},
                withdraws_order=True,
            )
        began[key] = row
        if len(began) > RECENT_ORDERS:
            began.popitem(last=False)
        try:
            order = self.read_order(group)
        except CellError as error:
            return RowError(error.row or row, key, error.column, error.message)
        except (ValueError, TypeError, AttributeError, ArithmeticError, RecursionError):
            # A cell no reader expects (a JSON list of numbers, a year 1): this order only.
            return RowError(row, key, "", _("the order cannot be read"))
        order.key = key
        if keep:
            order.records = group
        return order


def with_name(address: dict[str, str], full_name: str) -> dict[str, str]:
    """The address with first and last name from one name cell: 'Anna Maria Schulz' gives
    'Anna Maria' and 'Schulz' (the last word is the last name)."""
    parts = cells.text(full_name, 200).split()
    if parts:
        address["last_name"] = parts[-1][:100]
        if len(parts) > 1:
            address["first_name"] = " ".join(parts[:-1])[:100]
    return address


def address(
    values: dict[str, str], prefix_column: Callable[[str], str], *, vat_id: bool = False
) -> dict[str, str]:
    """An address dict as orders keep it, from the columns `prefix_column(part)` names;
    empty parts are left out."""
    result: dict[str, str] = {}
    for part, limit in BILLING_FIELD_LENGTHS.items():
        if part == "vat_id" and not vat_id:
            continue
        column = prefix_column(part)
        if not column or column not in values:
            continue
        raw = values[column]
        if part == "country":
            value = cells.country_code(raw, column)
        elif part == "postal_code":
            value = cells.text(raw.lstrip("'"), limit)
        else:
            value = cells.text(raw, limit)
        if value:
            result[part] = value
    return result


def cell_error_at(row: int, error: CellError) -> CellError:
    """The error, placed on the row where its cell is (for orders spread over rows)."""
    if error.row is None:
        error.row = row
    return error
