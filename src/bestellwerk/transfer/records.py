"""An order as read from a file, whatever platform wrote it: what the import writes."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass
class SourceLine:
    sku: str
    name: str
    quantity: int
    unit_price: Decimal  # gross
    vat_rate: Decimal | None  # None: the product's rate, or the order's highest
    discount: Decimal = Decimal("0.00")  # gross, of the whole line
    column: str = ""  # where the line came from, for error messages


@dataclass
class SourcePayment:
    amount: Decimal
    paid_at: datetime | None
    reference: str = ""


@dataclass
class SourceRefund:
    amount: Decimal
    refunded_at: datetime | None
    reason: str = ""
    # The part that lowered what the order cost (a return); the rest paid back an
    # overpayment. Foreign formats do not tell: all of it (None).
    credited: Decimal | None = None


@dataclass
class SourceShipment:
    carrier: str
    tracking_code: str


@dataclass
class SourceOrder:
    """One order of the file. `row` is the spreadsheet row of its first record (header = 1);
    `total` is the file's, the truth for history."""

    row: int
    external_source: str
    external_id: str
    external_number: str
    created_at: datetime
    status: str
    total: Decimal
    email: str = ""
    billing: dict[str, str] = field(default_factory=dict)
    shipping: dict[str, str] = field(default_factory=dict)
    lines: list[SourceLine] = field(default_factory=list)
    shipping_price: Decimal = Decimal("0.00")  # gross
    discount_code: str = ""
    tax_total: Decimal | None = None  # the file's VAT, to compare (None: not given)
    # The rate of a line the file gives none for and whose SKU is no product here.
    fallback_vat_rate: Decimal | None = None
    payments: list[SourcePayment] = field(default_factory=list)
    refunds: list[SourceRefund] = field(default_factory=list)
    shipments: list[SourceShipment] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    source: str = ""  # the platform's channel or marketing source
    channel: str = ""  # ours, when the file says (own format)
    lead_source: str = ""  # a lead source code, when the file says (own format)
    payment_method: str = ""
    shipping_method: str = ""
    currency: str = "EUR"
    language: str = ""
    assignee: str = ""
    placed_at: datetime | None = None
    # What groups the order's rows in the file (Name, order_id, number).
    key: str = ""
    # The file's records of the order (row, cells), kept for the first few only: the
    # preview shows them beside the order they become.
    records: list[tuple[int, dict[str, str]]] = field(default_factory=list)


@dataclass(frozen=True)
class RowError:
    """Why an order of the file was rejected: `row` as in the file (header = 1)."""

    row: int
    order: str
    column: str
    message: str
    # The file splits this order: the part read before is rejected too, if still unwritten.
    withdraws_order: bool = False

    def as_json(self) -> dict[str, object]:
        return {
            "row": self.row,
            "order": self.order,
            "column": self.column,
            "message": self.message,
        }


class CellError(ValueError):
    """A cell that cannot be read; the reader turns it into a RowError for its order."""

    def __init__(self, column: str, message: str, *, row: int | None = None) -> None:
        super().__init__(message)
        self.column = column
        self.message = message
        self.row = row


class FileError(Exception):
    """The file cannot be read at all (encoding, no header, a required column missing), or
    no further (a broken record): then `summary` tells what was imported before it."""

    summary: object = None
