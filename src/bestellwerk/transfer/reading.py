"""Reading a CSV file of unknown origin: its encoding, its delimiter, its records.

UTF-8 (with or without BOM) or Windows-1252, decided by one pass over the bytes before the
records are read, so a single ü in row 900,000 cannot break the import half-way;
`,`, `;` or tab, whichever splits the header into the most columns. The file is streamed:
nothing but the current record is held in memory.
"""

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from django.utils.translation import gettext as _

from bestellwerk.transfer.records import FileError

DELIMITERS = (",", ";", "\t")
SNIFF_BYTES = 1 << 20
MAX_CELL = 16 << 20  # a cell may hold a long note, but not a whole broken file

csv.field_size_limit(MAX_CELL)


@dataclass
class Table:
    """The records of a CSV file as dicts by column name; `row` counts like a spreadsheet
    (the header is row 1), whatever line breaks the cells hold."""

    stream: BinaryIO
    encoding: str
    delimiter: str
    columns: list[str]
    size: int
    text: io.TextIOWrapper
    reader: Iterator[list[str]]

    def records(self) -> Iterator[tuple[int, dict[str, str]]]:
        width = len(self.columns)
        for index, cells in enumerate(self.reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # blank lines between records
            if len(cells) < width:
                cells = cells + [""] * (width - len(cells))
            yield index, dict(zip(self.columns, cells, strict=False))

    def position(self) -> int:
        """How many bytes of the file were read so far (for progress)."""
        try:
            return min(self.stream.tell(), self.size)
        except (OSError, ValueError):
            return 0


def open_table(stream: BinaryIO) -> Table:
    """Open a CSV file for reading; FileError when it has no usable header."""
    size = _size_of(stream)
    encoding = detect_encoding(stream)
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    try:
        first_line = _first_record_text(text)
    except UnicodeDecodeError as error:
        raise FileError(_("The file is neither UTF-8 nor Windows-1252 text.")) from error
    text.detach()  # the stream stays open for the reader below
    if not first_line.strip():
        raise FileError(_("The file is empty: there is no header row."))
    delimiter = max(DELIMITERS, key=lambda d: len(_split(first_line, d)))
    columns = [name.strip() for name in _split(first_line, delimiter)]
    if len(columns) < 2:
        raise FileError(_("The first row is not a header of columns separated by , ; or tab."))
    repeated = sorted({name for name in columns if name and columns.count(name) > 1})
    if repeated:
        raise FileError(
            _("The header names a column twice: %(columns)s.")
            % {"columns": ", ".join(repeated)[:200]}
        )
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    reader = csv.reader(text, delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
    try:
        next(reader)
    except csv.Error as error:
        raise FileError(_("The header row cannot be read: %(error)s") % {"error": error}) from error
    return Table(stream, encoding, delimiter, columns, size, text, _guarded(reader))


def detect_encoding(stream: BinaryIO) -> str:
    """utf-8-sig when the bytes are UTF-8 (a BOM is dropped either way), else cp1252 when
    every byte is one; else FileError, before anything is imported."""
    for encoding in ("utf-8-sig", "cp1252"):
        stream.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := stream.read(SNIFF_BYTES):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise FileError(_("The file is neither UTF-8 nor Windows-1252 text."))


def _guarded(reader: Iterator[list[str]]) -> Iterator[list[str]]:
    try:
        yield from reader
    except csv.Error as error:
        raise FileError(
            _("The file cannot be read as CSV: %(error)s") % {"error": error}
        ) from error
    except UnicodeDecodeError as error:
        raise FileError(_("The file is neither UTF-8 nor Windows-1252 text.")) from error


def _first_record_text(text: io.TextIOWrapper) -> str:
    """The header as text (a header cell may be quoted; it holds no line break in practice)."""
    return text.readline()


def _split(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return []


def _size_of(stream: BinaryIO) -> int:
    try:
        stream.seek(0, io.SEEK_END)
        size = stream.tell()
        stream.seek(0)
        return size
    except (OSError, ValueError):
        return 0
