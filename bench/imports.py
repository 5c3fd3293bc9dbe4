"""The import and export benchmark: `make bench-import` (or `python -m bench.imports`).

It writes a Shopify order export of N orders (one row per line item, 2–3 items an order) to
var/bench-shopify-<N>.csv (kept: a second run with the same N and seed reads it again),
drops and creates the database `bw_import_bench` on PostgreSQL, migrates it, seeds a small
demo shop (catalogue, methods, coupons, staff: the import matches SKUs, methods and codes
against them), then measures:

import   the file through the real service (`transfer.services.import_orders`, default
         options): orders/s, imported / skipped / rejected / total differences, process CPU
         vs PostgreSQL backend CPU vs wall time, and the peak RSS of the process during the
         import (the high-water mark is reset before it, so generating the file and the
         migrations do not count), with the RSS at each tenth of the file to show it flat.
export   after VACUUM ANALYZE, every order through `transfer.exporting.export_csv` in each
         format asked for (own format and Shopify's by default): the byte chunks consumed
         and counted, orders/s and MB/s, peak RSS.

    make bench-import                                         # 1,000,000 orders
    make bench-import BENCH_IMPORT_ARGS="--orders 100000"
    make bench-import BENCH_IMPORT_ARGS="--orders 50000 --profile var/import.prof --no-export"
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/other make bench-import

The data is deterministic (random.Random(seed)) and realistic: German names with umlauts
and their e-mails (a quarter of the orders by returning customers, some with the e-mail in
other case), German, Austrian and Swiss addresses, zip codes with Shopify's leading ', gross
prices with `Tax 1 Name` "MwSt 19%" (or 7%, or both rates), statuses mixed (paid and
fulfilled mostly; pending, authorized, partially paid, partially refunded with its Refunded
Amount, refunded, cancelled), 60% of the lines SKUs of the demo catalogue, a Discount Code on
about 10%, tags, notes (some on several lines), POS sales without shipping. Subtotal +
Shipping = Total on every order, so the import should report no differences.
"""

import argparse
import cProfile
import csv
import io
import os
import pstats
import random
import resource
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

DEFAULT_ORDERS = 1_000_000
DEFAULT_SEED = 20_260_312
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/bw_import_bench"
HEADER_FILE = Path("/work/shared/formats/shopify_orders_header.csv")
EXPORT_FORMATS = ("bestellwerk", "shopify")
HISTORY_DAYS = 3 * 365
FIRST_DAY = datetime(2023, 1, 2, 8, 0, tzinfo=ZoneInfo("Europe/Berlin"))
BERLIN = ZoneInfo("Europe/Berlin")
RETURNING_SHARE = 0.25
DISCOUNT_SHARE = 0.10
CATALOG_SHARE = 0.60  # lines whose SKU is one of the demo shop's products
MiB = 1024 * 1024


# -- the command ---------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.imports",
        description=__doc__.split("\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.split("\n")[2:]),
    )
    parser.add_argument("--orders", type=int, default=DEFAULT_ORDERS, help="orders in the file")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="of the generated file")
    parser.add_argument(
        "--database",
        default=os.environ.get("BENCH_DATABASE_URL", "") or DEFAULT_DATABASE,
        help=f"dropped and created again (default: BENCH_DATABASE_URL or {DEFAULT_DATABASE})",
    )
    parser.add_argument(
        "--export",
        default=",".join(EXPORT_FORMATS),
        help="export formats to time, comma-separated (bestellwerk, shopify); '' for none",
    )
    parser.add_argument("--no-export", action="store_true", help="import only")
    parser.add_argument(
        "--profile",
        default="",
        metavar="PATH",
        help="run the import under cProfile, write the stats to PATH and print the top "
        "functions and the Python/database split",
    )
    parser.add_argument("--top", type=int, default=25, help="functions in each profile list")
    parser.add_argument(
        "--generate-only", action="store_true", help="only write the file (no database)"
    )
    args = parser.parse_args(argv)
    args.formats = [] if args.no_export else [f for f in args.export.split(",") if f.strip()]
    unknown = set(args.formats) - set(EXPORT_FORMATS)
    if unknown:
        parser.error(f"unknown export formats: {', '.join(sorted(unknown))}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # Query logging (DEBUG) would grow memory with every statement: the bench runs without.
    os.environ["DEBUG"] = "0"
    path = csv_path(args.orders, args.seed)
    if args.generate_only:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bestellwerk.settings")
        import django

        django.setup()
        ensure_csv(path, args.orders, args.seed)
        return 0

    from bench.database import prepare_database

    started = time.perf_counter()
    recreate_database(args.database)
    url = prepare_database(args.database)
    seed_shop()
    print(f"database {redacted(url)}: created, migrated, demo shop seeded in {since(started)}")
    ensure_csv(path, args.orders, args.seed)

    results: list[str] = []
    ok = run_import(path, args, results)
    if args.formats:
        from bench.database import vacuum_analyze

        started = time.perf_counter()
        vacuum_analyze()
        print(f"\nVACUUM ANALYZE: {since(started)}")
        for name in args.formats:
            try:
                run_export(name, results)
            except (ImportError, AttributeError, TypeError) as error:
                # The export is another part of the project; say so when its API moved.
                print(f"\nexport ({name}) not measured: {type(error).__name__}: {error}")
                results.append(f"  export {name:<12} not measured ({error})")
    print(f"\nsummary ({args.orders:,} orders, {path.stat().st_size / MiB:,.0f} MiB file):")
    print("\n".join(results))
    return 0 if ok else 1


def csv_path(orders: int, seed: int) -> Path:
    suffix = "" if seed == DEFAULT_SEED else f"-s{seed}"
    return Path("var") / f"bench-shopify-{orders}{suffix}.csv"


def since(started: float) -> str:
    return f"{time.perf_counter() - started:.1f} s"


def redacted(url: str) -> str:
    parsed = urlparse(url)
    if parsed.password:
        return parsed._replace(netloc=parsed.netloc.replace(parsed.password, "***")).geturl()
    return url


# -- the database --------------------------------------------------------------------------


def recreate_database(url: str) -> None:
    """Drop the bench database and create it empty (PostgreSQL; an SQLite file is removed)."""
    parsed = urlparse(url)
    if parsed.scheme.startswith("postgres"):
        import psycopg

        name = parsed.path.lstrip("/")
        if not name or name in {"postgres", "template0", "template1"}:
            raise SystemExit(f"refusing to drop the database {name!r}")
        admin_url = parsed._replace(path="/postgres").geturl()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    elif parsed.scheme == "sqlite":
        file = Path(parsed.path)
        for leftover in (file, Path(f"{file}-wal"), Path(f"{file}-shm")):
            leftover.unlink(missing_ok=True)


def seed_shop() -> None:
    """Migrations, then a small demo shop: products (the SKUs the file uses), methods,
    coupons and staff for the import to match against."""
    from django.core.management import call_command

    from bestellwerk.demo.seed import seed_demo_shop

    call_command("migrate", verbosity=0)
    seed_demo_shop(orders=20, customers=10)


# -- measuring -----------------------------------------------------------------------------


def maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MiB


def reset_peak_rss() -> bool:
    """Start the process's RSS high-water mark (ru_maxrss) again from the current RSS
    (Linux >= 4.0); False where that is not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
        return True
    except OSError:
        return False


_backend: dict[str, Any] = {}


def backend_cpu() -> float:
    """CPU seconds the PostgreSQL backend of this connection has used (same machine only:
    /proc/<pid>/stat); 0.0 when it cannot be read."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    connection.ensure_connection()
    raw = connection.connection
    if _backend.get("connection") is not raw:
        _backend.update(connection=raw, pid=raw.info.backend_pid)
    try:
        with open(f"/proc/{_backend['pid']}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def run_import(path: Path, args: argparse.Namespace, results: list[str]) -> bool:
    from bestellwerk.core.actors import Actor
    from bestellwerk.orders.models import Order
    from bestellwerk.transfer.preparing import ImportOptions
    from bestellwerk.transfer.services import ImportSummary, import_orders

    size = path.stat().st_size
    print(f"\nimport of {path} ({size / MiB:,.0f} MiB, {args.orders:,} orders)")
    summary = ImportSummary()
    started = time.perf_counter()
    marks: list[str] = []
    next_tenth = [1]

    def progress(done: int, total: int) -> None:
        share = done / total if total else 1.0
        if share * 10 + 0.05 >= next_tenth[0] or done >= total:
            next_tenth[0] = int(share * 10 + 0.05) + 1
            seconds = time.perf_counter() - started
            line = (
                f"  {share:6.1%}  {summary.read:>9,} orders  {seconds:7.1f} s  "
                f"{summary.read / seconds:>7,.0f}/s  RSS {rss_mib():5.0f} MiB"
            )
            marks.append(f"{rss_mib():.0f}")
            print(line, flush=True)

    reset = reset_peak_rss()
    rss_before = rss_mib()
    before_backend = backend_cpu()
    before_cpu = time.process_time()
    profiler = cProfile.Profile() if args.profile else None
    with open(path, "rb") as stream:
        if profiler is not None:
            profiler.enable()
        result = import_orders(
            stream=stream,
            options=ImportOptions(),
            actor=Actor.system("bench"),
            progress=progress,
            summary=summary,
        )
        if profiler is not None:
            profiler.disable()
    cpu = time.process_time() - before_cpu
    backend = backend_cpu() - before_backend
    peak = maxrss_mib()
    in_db = Order.objects.filter(external_source="shopify").count()

    print(
        f"\n  format {result.format}: read {result.read:,}, imported {result.imported:,}, "
        f"updated {result.updated:,}, skipped {result.skipped:,}, rejected {result.rejected:,}, "
        f"differences {result.difference_count:,}; {in_db:,} imported orders in the database"
    )
    for error in result.errors[:5]:
        print(f"    rejected row {error.row} {error.order} [{error.column}]: {error.message}")
    for difference in result.differences[:5]:
        print(
            f"    difference row {difference.row} {difference.order}: file "
            f"{difference.file_total} computed {difference.computed_total}"
        )
    rate = result.imported / result.seconds if result.seconds else 0.0
    print(
        f"  import: {result.seconds:,.1f} s, {rate:,.0f} orders/s "
        f"(goal >= 10,000/s{', under cProfile' if args.profile else ''})"
    )
    print(
        f"  time: process CPU {cpu:,.1f} s ({cpu / result.seconds:.0%} of wall), PostgreSQL "
        f"backend CPU {backend:,.1f} s ({backend / result.seconds:.0%} of wall)"
    )
    print(
        f"  peak RSS during the import: {peak:,.0f} MiB"
        + (" (high-water mark reset before it)" if reset else " (whole process)")
        + f"; RSS before {rss_before:,.0f} MiB, at each tenth: {' '.join(marks)} MiB"
    )
    results.append(
        f"  import              {rate:>9,.0f} orders/s  peak RSS {peak:5,.0f} MiB  "
        f"({result.imported:,} imported, {result.rejected:,} rejected, "
        f"{result.difference_count:,} differences{', under cProfile' if args.profile else ''})"
    )
    if profiler is not None:
        report_profile(profiler, args.profile, args.top, wall=result.seconds)
    return result.rejected == 0 and result.imported == args.orders


def run_export(name: str, results: list[str]) -> None:
    from bestellwerk.transfer import exporting

    options = exporting.ExportOptions(format=name)
    counted = {"orders": 0, "rows": 0}

    def on_chunk(orders: int, rows: int) -> None:
        counted.update(orders=orders, rows=rows)

    before_rss = rss_mib()
    reset = reset_peak_rss()
    before_backend = backend_cpu()
    before_cpu = time.process_time()
    started = time.perf_counter()
    size = chunks = 0
    for chunk in exporting.export_csv(options, on_chunk=on_chunk):
        size += len(chunk)
        chunks += 1
    seconds = time.perf_counter() - started
    cpu = time.process_time() - before_cpu
    backend = backend_cpu() - before_backend
    print(
        f"\nexport ({name}): {counted['orders']:,} orders, {counted['rows']:,} rows, "
        f"{size / MiB:,.0f} MiB in {chunks:,} chunks: {seconds:,.1f} s, "
        f"{counted['orders'] / seconds:,.0f} orders/s (goal >= 50,000/s), "
        f"{size / MiB / seconds:,.1f} MiB/s"
    )
    peak = maxrss_mib()
    print(
        f"  time: process CPU {cpu:,.1f} s ({cpu / seconds:.0%}), PostgreSQL backend CPU "
        f"{backend:,.1f} s ({backend / seconds:.0%}); peak RSS {peak:,.0f} MiB"
        + (" (reset before it)" if reset else "")
        + f", RSS before {before_rss:,.0f} MiB"
    )
    results.append(
        f"  export {name:<12} {counted['orders'] / seconds:>9,.0f} orders/s  peak RSS "
        f"{peak:5,.0f} MiB  ({size / MiB:,.0f} MiB, {size / MiB / seconds:,.1f} MiB/s)"
    )


def report_profile(profiler: cProfile.Profile, path: str, top: int, *, wall: float) -> None:
    """The top functions by cumulative and by own time, and where the time went: inside the
    database driver (psycopg: waiting for PostgreSQL and the driver's own work) or Python."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(path)
    stats = pstats.Stats(path)
    stats.strip_dirs()
    for key, title in (("cumulative", "cumulative"), ("tottime", "own (total) time")):
        out = io.StringIO()
        pstats.Stats(path, stream=out).strip_dirs().sort_stats(key).print_stats(top)
        text = out.getvalue()
        body = text[text.find("   ncalls") :]
        print(f"\n  top {top} by {title}:\n{body}")
    split = driver_split(pstats.Stats(path))
    profiled = split["total"]
    print(
        f"  profiled {profiled:,.1f} s (the import's wall time under the profiler: {wall:,.1f} s)"
    )
    for label, seconds in split.items():
        if label != "total":
            print(f"    {label:<44} {seconds:8.1f} s  {seconds / profiled:6.1%}")


def driver_split(stats: pstats.Stats) -> dict[str, float]:
    """Seconds spent in psycopg entered from outside it (what the database costs: the
    driver, the round trips, the server's work) split into COPY and statements, and the
    rest (Python: reading, preparing, Django's ORM)."""
    # The caller edges live only in pstats' raw table (`get_stats_profile()` drops them), an
    # attribute the type stubs do not declare.
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]

    def in_driver(func: tuple[str, int, str]) -> bool:
        filename, _, name = func
        return "/psycopg/" in filename or "psycopg" in name or "psycopg_binary" in filename

    total = max(ct for (_, _, _, ct, _) in raw.values())
    copy = statements = 0.0
    for func, (_, _, _, _, callers) in raw.items():
        if not in_driver(func):
            continue
        entered = sum(edge[3] for caller, edge in callers.items() if not in_driver(caller))
        if "copy" in func[0].rsplit("/", 1)[-1] or "copy" in func[2].lower():
            copy += entered
        else:
            statements += entered
    return {
        "total": total,
        "psycopg: COPY (write_row, copy block)": copy,
        "psycopg: statements (execute, fetch, commit)": statements,
        "Python (everything else)": total - copy - statements,
    }


# -- the file ------------------------------------------------------------------------------


def ensure_csv(path: Path, orders: int, seed: int) -> None:
    if path.exists():
        print(f"file {path}: kept ({path.stat().st_size / MiB:,.0f} MiB)")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    partial = path.with_suffix(".csv.partial")
    with open(partial, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(shopify_header())
        batch: list[list[str]] = []
        for rows in ShopifyOrders(seed).orders(orders):
            batch += rows
            if len(batch) >= 5000:
                writer.writerows(batch)
                batch.clear()
        writer.writerows(batch)
    partial.rename(path)
    print(
        f"file {path}: {orders:,} orders, {path.stat().st_size / MiB:,.0f} MiB written in "
        f"{since(started)}"
    )


def shopify_header() -> list[str]:
    if HEADER_FILE.exists():
        with open(HEADER_FILE, encoding="utf-8", newline="") as header:
            return next(csv.reader(header))
    from bestellwerk.transfer.export_shopify import SHOPIFY_COLUMNS

    return list(SHOPIFY_COLUMNS)


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


SHOPIFY_TIME = "%Y-%m-%d %H:%M:%S %z"
# Financial status, fulfillment status, cancelled, weight.
STATES = [
    ("paid", "fulfilled", False, 68),
    ("paid", "", False, 8),
    ("paid", "partial", False, 1),
    ("pending", "", False, 7),
    ("authorized", "", False, 1),
    ("partially_paid", "", False, 1),
    ("partially_refunded", "fulfilled", False, 5),
    ("refunded", "fulfilled", False, 4),
    ("refunded", "", True, 2),
    ("voided", "", True, 3),
]
PAYMENT_METHODS = [
    ("PayPal", 35),
    ("Kreditkarte", 20),
    ("shopify_payments", 15),
    ("Klarna", 10),
    ("Vorkasse", 10),
    ("Rechnung", 10),
]
UNPAID_METHODS = [("Vorkasse", 60), ("Rechnung", 40)]
SOURCES = [
    ("web", 75),
    ("pos", 8),
    ("shopify_draft_order", 5),
    ("google", 4),
    ("instagram", 3),
    ("api", 3),
    ("newsletter", 2),
]
SHIPPING = [("Standardversand", 490, 55), ("DHL Paket", 490, 25), ("Expressversand", 1290, 8)]
FREE_SHIPPING_FROM = 5000
COUPONS = [("WILLKOMMEN10", 10, 0), ("SOMMER15", 15, 0), ("5EURO", 0, 500), ("BLACKWEEK20", 20, 0)]
TAGS = ["VIP", "Geschenk", "Großkunde", "Eilig", "Stammkunde", "Messe", "Newsletter", "B2B"]
NOTES_EXTRA = [
    "Bitte beim Nachbarn abgeben.\nDanke!",
    "Geschenk – bitte ohne Rechnung beilegen.\nGrußkarte: „Alles Gute zum Geburtstag, Oma!“",
    "Lieferung bitte erst nach dem 15.\nWir sind im Urlaub.",
]
NOTE_ATTRIBUTES = [
    "gift_message: Frohe Weihnachten!",
    "abholzeit: Samstag 10–12 Uhr",
    "gift_wrap: ja\ngift_message: Für dich ❤",
]
COUNTRY_NAMES = {"DE": "Deutschland", "AT": "Österreich", "CH": "Schweiz"}
SHOP_ADJECTIVES = [
    "Bio", "Fairtrade", "Hausmarke", "Limitierte", "Klassische", "Würzige", "Feine", "Süße",
    "Herbe", "Nordische", "Bayerische", "Große", "Kleine", "Grüne",
]  # fmt: skip
SHOP_NOUNS = [
    ("Kaffeemischung", 7), ("Teemischung", 7), ("Schokolade", 7), ("Pralinen", 7),
    ("Gewürzmischung", 7), ("Müslimischung", 7), ("Trinkschokolade", 7), ("Keksdose", 19),
    ("Thermobecher", 19), ("Geschirrtuch", 19), ("Kerze", 19), ("Küchenwaage", 19),
    ("Brotdose", 19), ("Schürze", 19), ("Reisebecher", 19), ("Glaskanne", 19),
]  # fmt: skip


class ShopifyOrders:
    """Generated orders as Shopify exports them (see the module); rows of cells."""

    def __init__(self, seed: int) -> None:
        from bench.people import PeopleMaker
        from bestellwerk.demo.data import CATALOG

        self.seed = seed
        self.rng = random.Random(seed)
        self.people = PeopleMaker(random.Random(seed))
        self.header = shopify_header()
        self.at = {name: index for index, name in enumerate(self.header)}
        self.width = len(self.header)
        # (sku, name, cents, rate, taxable, requires shipping)
        self.catalog = [
            (sku, name, to_cents(price), int(rate), rate != "0", sku not in {"ZUB-011", "ZUB-012"})
            for sku, name, price, rate in CATALOG
        ]
        product_rng = random.Random(seed + 1)
        self.own = []
        for index in range(2000):
            noun, rate = product_rng.choice(SHOP_NOUNS)
            adjective = product_rng.choice(SHOP_ADJECTIVES)
            name = f"{adjective} {noun} Nr. {index + 1}"
            sku = "" if index % 50 == 7 else f"SHP-{index + 1:05d}"
            cents = product_rng.choice([299, 349, 490, 599, 790, 990, 1290, 1490, 1990, 2490])
            self.own.append((sku, name, cents, rate, True, True))
        self.customers = 0

    def person(self) -> tuple[Any, bool]:
        """A new customer, or (a quarter of the orders) one who bought before."""
        rng = self.rng
        if self.customers and rng.random() < RETURNING_SHARE:
            customer_id = rng.randrange(1, self.customers + 1)
            returning = True
        else:
            self.customers += 1
            customer_id = self.customers
            returning = False
        # Each customer is made from a generator of their own: the same person every time.
        self.people.rng = random.Random(self.seed * 7_919 + customer_id)
        return self.people.person(customer_id), returning

    def orders(self, count: int) -> Iterator[list[list[str]]]:
        step = HISTORY_DAYS * 86_400 / max(count, 1)
        moment = FIRST_DAY.timestamp()
        for index in range(count):
            moment += self.rng.expovariate(1 / step)
            yield self.order(index, datetime.fromtimestamp(moment, BERLIN))

    def order(self, index: int, created: datetime) -> list[list[str]]:
        rng, at = self.rng, self.at
        person, returning = self.person()
        name = f"#{1001 + index}"
        financial, fulfillment, cancelled, _ = pick(rng, [(s, s[3]) for s in STATES])
        source = pick(rng, SOURCES)
        pos = source == "pos"

        lines = []
        for _ in range(2 if rng.random() < 0.55 else 3):
            product = rng.choice(self.catalog) if rng.random() < CATALOG_SHARE else None
            if product is None:
                product = rng.choice(self.own)
            roll = rng.random()
            quantity = 1 if roll < 0.7 else (2 if roll < 0.9 else rng.randint(3, 5))
            lines.append((product, quantity))
        goods = sum(product[2] * quantity for product, quantity in lines)

        code, discount = "", 0
        if rng.random() < DISCOUNT_SHARE:
            code, percent, fixed = rng.choice(COUPONS)
            discount = min(goods, fixed or round(goods * percent / 100))
        subtotal = goods - discount
        method, shipping = "", 0
        if not pos:
            method, price = pick(rng, [((m, p), w) for m, p, w in SHIPPING])
            shipping = 0 if subtotal >= FREE_SHIPPING_FROM and price < 1000 else price
        total = subtotal + shipping

        # VAT as Shopify shows it: per rate of the taxable lines, shipping with the highest.
        gross_by_rate: dict[int, float] = {}
        for product, quantity in lines:
            if product[4]:
                share = product[2] * quantity * (subtotal / goods if goods else 1)
                gross_by_rate[product[3]] = gross_by_rate.get(product[3], 0) + share
        if gross_by_rate and shipping:
            gross_by_rate[max(gross_by_rate)] += shipping
        taxes = {rate: round(gross * rate / (100 + rate)) for rate, gross in gross_by_rate.items()}

        paid_states = {"paid", "partially_refunded", "refunded"}
        if financial in paid_states or financial == "partially_paid":
            payment = pick(rng, PAYMENT_METHODS)
        elif pos:
            payment = "Barzahlung"
        else:
            payment = pick(rng, UNPAID_METHODS)
        if pos and financial in paid_states:
            payment = "Barzahlung" if rng.random() < 0.6 else "Kreditkarte"
        delay = timedelta(minutes=rng.randint(0, 15))
        if payment in ("Vorkasse", "Rechnung"):
            delay = timedelta(days=rng.randint(1, 12), minutes=rng.randint(0, 600))
        paid_at = created + delay if financial in paid_states else None
        shipped_from = paid_at or created
        fulfilled_at = shipped_from + timedelta(days=rng.randint(1, 4)) if fulfillment else None
        cancelled_at = created + timedelta(hours=rng.randint(2, 96)) if cancelled else None
        refunded = 0
        if financial == "partially_refunded":
            product, _quantity = lines[0]
            refunded = min(total - 1, product[2])
        elif financial == "refunded":
            refunded = total

        first = [""] * self.width
        set_ = first.__setitem__
        set_(at["Name"], name)
        email = person.email
        if returning and rng.random() < 0.2:
            email = email.capitalize()
        set_(at["Email"], email)
        set_(at["Financial Status"], financial)
        set_(at["Paid at"], paid_at.strftime(SHOPIFY_TIME) if paid_at else "")
        set_(at["Fulfillment Status"], fulfillment or ("" if cancelled else "unfulfilled"))
        set_(at["Fulfilled at"], fulfilled_at.strftime(SHOPIFY_TIME) if fulfilled_at else "")
        set_(at["Accepts Marketing"], "yes" if rng.random() < 0.4 else "no")
        set_(at["Currency"], "EUR")
        set_(at["Subtotal"], money(subtotal))
        set_(at["Shipping"], money(shipping))
        set_(at["Taxes"], money(sum(taxes.values())))
        set_(at["Total"], money(total))
        if code:
            set_(at["Discount Code"], code)
            set_(at["Discount Amount"], money(discount))
        set_(at["Shipping Method"], method)
        set_(at["Created at"], created.strftime(SHOPIFY_TIME))
        self.address(first, "Billing", person, named=True)
        shipping_choice = rng.random()
        if not pos:
            if shipping_choice < 0.88:
                self.address(first, "Shipping", person, named=False)
            else:  # a present, sent to someone else
                self.people.rng = rng
                other = self.people.person(0)
                self.address(first, "Shipping", other, named=False)
        if rng.random() < 0.07:
            note = rng.choice(NOTES_EXTRA) if rng.random() < 0.3 else rng.choice(self.notes())
            set_(at["Notes"], note)
        if rng.random() < 0.02:
            set_(at["Note Attributes"], rng.choice(NOTE_ATTRIBUTES))
        set_(at["Cancelled at"], cancelled_at.strftime(SHOPIFY_TIME) if cancelled_at else "")
        set_(at["Payment Method"], payment)
        if paid_at:
            reference = f"c{26_000_000_000 + index * 17}.1"
            set_(at["Payment Reference"], reference)
            set_(at["Payment ID"], reference)
            set_(at["Payment References"], reference)
        if refunded:
            set_(at["Refunded Amount"], money(refunded))
        if financial == "partially_paid":
            set_(at["Outstanding Balance"], money(total // 2))
        set_(at["Vendor"], "Rösterei Nord")
        if pos:
            set_(at["Employee"], rng.choice(["Sofia Becker", "Lars Hansen"]))
            set_(at["Location"], "Ladengeschäft Hamburg")
            set_(at["Device ID"], str(rng.randint(1, 4)))
            set_(at["Receipt Number"], f"{1000 + index}")
        set_(at["Id"], str(5_100_000_000_000 + index * 1_000 + rng.randrange(1_000)))
        if rng.random() < 0.15:
            tags = rng.sample(TAGS, rng.choice([1, 1, 2]))
            if returning and "Stammkunde" not in tags:
                tags.append("Stammkunde")
            set_(at["Tags"], ", ".join(tags))
        set_(at["Risk Level"], "Low")
        set_(at["Source"], source)
        label = "MwSt" if rng.random() < 0.8 else "DE USt"
        for slot, rate in enumerate(sorted(taxes, reverse=True), start=1):
            set_(at[f"Tax {slot} Name"], f"{label} {rate}%")
            set_(at[f"Tax {slot} Value"], money(taxes[rate]))
        if person.phone and rng.random() < 0.3:
            set_(at["Phone"], person.phone)

        rows = []
        for position, (product, quantity) in enumerate(lines):
            row = first if position == 0 else [""] * self.width
            if position:
                row[at["Name"]] = name
            sku, title, cents, _rate, taxable, ships = product
            row[at["Lineitem quantity"]] = str(quantity)
            row[at["Lineitem name"]] = title
            row[at["Lineitem price"]] = money(cents)
            if rng.random() < 0.1:
                row[at["Lineitem compare at price"]] = money(cents + cents // 5)
            row[at["Lineitem sku"]] = sku
            row[at["Lineitem requires shipping"]] = "true" if ships else "false"
            row[at["Lineitem taxable"]] = "true" if taxable else "false"
            row[at["Lineitem fulfillment status"]] = (
                "fulfilled" if fulfillment == "fulfilled" else "pending"
            )
            rows.append(row)
        return rows

    def address(self, row: list[str], prefix: str, person: Any, *, named: bool) -> None:
        at, rng = self.at, self.rng
        house = person.line1
        row[at[f"{prefix} Name"]] = f"{person.first_name} {person.last_name}"
        row[at[f"{prefix} Street"]] = house
        row[at[f"{prefix} Address1"]] = house
        if rng.random() < 0.05:
            row[at[f"{prefix} Address2"]] = rng.choice(["Hinterhaus", "3. OG links", "c/o Weber"])
        row[at[f"{prefix} Company"]] = person.company
        row[at[f"{prefix} City"]] = person.city
        row[at[f"{prefix} Zip"]] = "'" + person.postal_code
        country = person.country
        row[at[f"{prefix} Country"]] = COUNTRY_NAMES[country] if rng.random() < 0.08 else country
        if named or rng.random() < 0.5:
            row[at[f"{prefix} Phone"]] = person.phone

    _notes: list[str] | None = None

    def notes(self) -> list[str]:
        if self._notes is None:
            from bestellwerk.demo.data import NOTES

            self._notes = list(NOTES)
        return self._notes


def to_cents(price: str) -> int:
    return int(Decimal(price) * 100)


if __name__ == "__main__":
    sys.exit(main())
