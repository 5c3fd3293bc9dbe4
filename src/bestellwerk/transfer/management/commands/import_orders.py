"""`bestellwerk import-orders FILE`: orders from Shopify, WooCommerce or Bestellwerk CSV."""

import csv
import json
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bestellwerk.core.actors import Actor
from bestellwerk.transfer.formats import FORMATS
from bestellwerk.transfer.preparing import ImportOptions
from bestellwerk.transfer.records import FileError, RowError
from bestellwerk.transfer.services import (
    ERROR_COLUMNS,
    ImportSummary,
    error_report_row,
    import_orders,
)

EXIT_REJECTED = 2
SHOWN_ERRORS = 20


class Command(BaseCommand):
    help = (
        "Import orders from a CSV file (Shopify's or WooCommerce's order export, or "
        "Bestellwerk's own). Exit status 0: every order imported or was already there; "
        "2: some were rejected; 1: the file could not be read."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=["auto", *FORMATS], default="auto")
        parser.add_argument("--dry-run", action="store_true", help="report, write nothing")
        parser.add_argument("--on-duplicate", choices=["skip", "update"], default="skip")
        parser.add_argument(
            "--adjust-stock", action="store_true", help="deduct stock for orders that hold it"
        )
        parser.add_argument(
            "--run-automations", action="store_true", help="run automations and webhooks"
        )
        parser.add_argument("--notify", action="store_true", help="send order confirmations")
        parser.add_argument(
            "--json",
            action="store_true",
            help="the summary as JSON on the last line (with the first 1,000 errors)",
        )
        parser.add_argument(
            "--errors", type=Path, metavar="FILE", help="every rejected order as CSV to FILE"
        )

    def handle(
        self, *args: Any, file: Path, json: bool, errors: Path | None, **options: Any
    ) -> None:
        import_options = ImportOptions(
            format=options["format"],
            dry_run=options["dry_run"],
            on_duplicate=options["on_duplicate"],
            adjust_stock=options["adjust_stock"],
            run_automations=options["run_automations"],
            notify=options["notify"],
        )
        bar = ProgressBar(sys.stderr) if sys.stderr.isatty() and not json else None
        try:
            with file.open("rb") as stream, ExitStack() as stack:
                sink = None
                if errors is not None:
                    report = csv.writer(stack.enter_context(errors.open("w", newline="")))
                    report.writerow(ERROR_COLUMNS)

                    def sink(error: RowError) -> None:
                        report.writerow(error_report_row(error))

                summary = import_orders(
                    stream=stream,
                    options=import_options,
                    actor=Actor.system("CLI import"),
                    progress=bar,
                    error_sink=sink,
                )
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror or error}", returncode=1) from None
        except FileError as error:
            if isinstance(error.summary, ImportSummary) and error.summary.read:
                self.stderr.write(f"{file}: stopped: {error}")
                self._report(error.summary)
            raise CommandError(f"{file}: {error}", returncode=1) from None
        finally:
            if bar is not None:
                bar.done()
        if json:
            self.stdout.write(_json_line(summary.as_json()))
        else:
            self._report(summary)
        if summary.rejected:
            sys.exit(EXIT_REJECTED)

    def _report(self, summary: ImportSummary) -> None:
        write = self.stdout.write
        if summary.dry_run:
            write("Dry run: nothing was written.")
        write(f"Format: {summary.format}")
        write(f"Orders read: {summary.read:,}")
        write(f"  imported: {summary.imported:,}")
        write(f"  updated:  {summary.updated:,}")
        write(f"  skipped:  {summary.skipped:,} (already there)")
        write(f"  rejected: {summary.rejected:,}")
        write(f"Time: {summary.seconds:.1f} s ({summary.rate:,.0f} orders/s)")
        for error in summary.errors[:SHOWN_ERRORS]:
            write(f"  row {error.row} ({error.order}) {error.column}: {error.message}")
        if summary.rejected > SHOWN_ERRORS:
            write(f"  … and {summary.rejected - SHOWN_ERRORS:,} more (--errors FILE writes all)")
        if summary.difference_count:
            write(
                f"{summary.difference_count:,} orders imported with the file's amounts, which "
                "differ from what their lines add up to:"
            )
            for difference in summary.differences[:SHOWN_ERRORS]:
                write(
                    f"  row {difference.row} ({difference.order}) {difference.kind}: file "
                    f"{difference.file_total}, lines {difference.computed_total}"
                )


def _json_line(summary: dict[str, Any]) -> str:
    return json.dumps(summary, ensure_ascii=False)


class ProgressBar:
    """A one-line progress bar on a terminal: bytes of the file read."""

    WIDTH = 40

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def __call__(self, done: int, total: int) -> None:
        share = done / total if total else 0
        filled = int(share * self.WIDTH)
        self.out.write(f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {share:4.0%}")
        self.out.flush()

    def done(self) -> None:
        self.out.write("\n")
        self.out.flush()
