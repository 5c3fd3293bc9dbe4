"""`bestellwerk export-orders`: the orders as CSV, to a file or stdout (see transfer.exporting)."""

import os
import sys
import time
from collections.abc import Iterable
from typing import Any, BinaryIO, get_args

from django.core.management.base import BaseCommand, CommandError

from bestellwerk.core.errors import ServiceError
from bestellwerk.transfer.exporting import ExportOptions, export_csv
from bestellwerk.transfer.schemas import ExportDialect, ExportFormat, ExportLayout

# Options passed on to the export query as they are (the query checks them).
FILTERS = ("status", "payment_status", "tag", "q", "created_from", "created_to", "channel")


class Command(BaseCommand):
    help = (
        "Export orders as CSV (the order list's filters) to --output or stdout: the own "
        "format (--layout order|line) or Shopify's, for Excel (--dialect excel) or a German "
        "Excel (excel-de: ';' and decimal comma)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--status", action="append", default=[], help="repeatable")
        parser.add_argument("--payment-status", action="append", default=[], help="repeatable")
        parser.add_argument("--q", default="", help="search text, as the list's search box")
        parser.add_argument("--tag", action="append", default=[], help="repeatable: all")
        parser.add_argument("--created-from", default=None, metavar="YYYY-MM-DD")
        parser.add_argument("--created-to", default=None, metavar="YYYY-MM-DD")
        parser.add_argument("--channel", default=None)
        parser.add_argument(
            "--number", action="append", default=[], help="repeatable: only these orders"
        )
        parser.add_argument("--format", choices=get_args(ExportFormat), default="bestellwerk")
        parser.add_argument("--layout", choices=get_args(ExportLayout), default="order")
        parser.add_argument("--dialect", choices=get_args(ExportDialect), default="excel")
        parser.add_argument("--output", default=None, help="a file (default: stdout)")

    def handle(self, *args: Any, **options: Any) -> None:
        data: dict[str, Any] = {name: options[name] for name in FILTERS if options[name]}
        data["number"] = [_number(value) for value in options["number"]]
        for name in ("format", "layout", "dialect"):
            data[name] = options[name]
        try:
            export = ExportOptions.from_data(data)
            started = time.monotonic()
            counted = {"orders": 0}
            chunks = export_csv(
                export, on_chunk=lambda orders, _rows: counted.update(orders=orders)
            )
            if options["output"]:
                try:
                    with open(options["output"], "wb") as target:
                        _write(chunks, target)
                except OSError as error:
                    raise CommandError(f"Cannot write {options['output']}: {error}") from error
            else:
                try:
                    _write(chunks, _binary_stdout(self))
                except BrokenPipeError:
                    # The reader went away (`| head`): stop as any Unix tool does.
                    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                    return
        except ServiceError as error:
            raise CommandError(error.message) from error
        seconds = time.monotonic() - started
        orders = counted["orders"]
        rate = orders / seconds if seconds > 0 else 0
        self.stderr.write(f"{orders} orders exported in {seconds:.1f} s ({rate:,.0f}/s)")


def _number(value: str) -> int:
    if not value.isdigit():
        raise CommandError(f"--number takes an order number, not {value!r}.")
    return int(value)


def _write(chunks: Iterable[bytes], target: BinaryIO) -> None:
    for chunk in chunks:
        target.write(chunk)
    target.flush()


def _binary_stdout(command: BaseCommand) -> BinaryIO:
    """The bytes under the command's stdout (sys.stdout, or a stream a caller passed)."""
    stream = getattr(command.stdout, "_out", sys.stdout)
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        return buffer
    return _TextTarget(stream)


class _TextTarget:
    """A text stream (a test's StringIO) taking the CSV bytes as text."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def write(self, data: bytes) -> None:
        self.stream.write(data.decode("utf-8"))

    def flush(self) -> None:
        self.stream.flush()
