"""The benchmark of what users feel: `make bench` (or `python -m bench`).

It builds its own database (never the one `make run` uses) and measures three sections:

selectors  `orders.selectors` in process: list cases (filters, tags, search, sorting, a deep
           cursor page), the status tab counts and `get_order`; ms p50/p95 and SQL queries.
http       the same cases over HTTP, served as in production (gunicorn, one worker, DEBUG
           off): GET /api/v1/orders?... and the staff list page /orders/?... (same filters as
           its form), plus the order page; ms p50/p95 after warm-ups.
writes     32 API clients place orders of one unit of a fresh scratch product (2,000 in stock)
           against gunicorn with 4 workers until refused: orders/s, latency p50/p95, refusals
           by error code (`stock_short` expected once stock runs out; anything else is an
           error), and checks: no oversell, units sold == stock taken, order numbers unique,
           the stock ledger agrees with the product's stock. Exits 1 when a check fails.

    make bench                                         # 20,000 orders, SQLite, every section
    make bench BENCH_ARGS="--only selectors,http"      # skip the write test
    make bench BENCH_ARGS="--only generate"            # only build / top up the data
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bw_bench \\
        make bench BENCH_ARGS="--orders 1000000"       # a million on PostgreSQL

The data (bench/generate.py): the demo shop through the real services as a base (catalogue,
staff, methods, 300 orders with their whole history), then generated customers (one per
four orders: distinct names, some rare, e-mails, phone numbers as people write them,
addresses) and orders over three years written in bulk (COPY on PostgreSQL): 1–5 lines of
the catalogue, totals from `orders.totals`, payments and refunds in the ledger, events on
every order, shipments with tracking codes, tags and notes on a share, every status ×
payment status pair present; `VACUUM ANALYZE` (PostgreSQL) or `ANALYZE` (SQLite) after
loading. It is kept between runs and only topped up, so a second run measures at once.
Server logs go to var/bench-gunicorn.log. Without --database, BENCH_DATABASE_URL or
var/bench.sqlite3 is used.
"""

import argparse
import os
import sys
from pathlib import Path

from bench.database import prepare_database

DEFAULT_ORDERS = 20_000
SECTIONS = ("generate", "selectors", "http", "writes")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__.split("\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.split("\n")[2:]),
    )
    parser.add_argument("--orders", type=int, default=DEFAULT_ORDERS, help="orders in the DB")
    parser.add_argument(
        "--only",
        default="selectors,http,writes",
        help="comma-separated sections: selectors, http, writes (the data is always "
        "topped up; `generate` alone stops after that)",
    )
    parser.add_argument("--warmups", type=int, default=3, help="untimed calls per case")
    parser.add_argument("--calls", type=int, default=20, help="timed calls per case")
    parser.add_argument("--clients", type=int, default=32, help="write test: API clients")
    parser.add_argument("--stock", type=int, default=2000, help="write test: units in stock")
    parser.add_argument("--write-workers", type=int, default=4, help="write test: gunicorn")
    parser.add_argument(
        "--database",
        default=os.environ.get("BENCH_DATABASE_URL", ""),
        help="database URL (default: BENCH_DATABASE_URL or sqlite:///var/bench.sqlite3)",
    )
    args = parser.parse_args(argv)
    args.sections = {s.strip() for s in args.only.split(",") if s.strip()}
    unknown = args.sections - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    url = prepare_database(args.database)
    from django.db import connection

    from bench.generate import generate
    from bestellwerk.orders.models import Order

    generate(args.orders)
    total = Order.objects.count()
    print(f"\n{connection.vendor}, {total:,} orders; {args.warmups} warm-ups, {args.calls} calls")
    log = Path("var/bench-gunicorn.log").resolve()
    ok = True
    if "selectors" in args.sections:
        from bench.cases import run_selectors

        print("\n" + run_selectors(warmups=args.warmups, calls=args.calls), flush=True)
    if {"http", "writes"} & args.sections:
        from bench.server import bench_credentials

        credentials = bench_credentials()
        if "http" in args.sections:
            from bench.http_reads import run_http

            text = run_http(url, credentials, warmups=args.warmups, calls=args.calls, log=log)
            print("\n" + text, flush=True)
        if "writes" in args.sections:
            from bench.writes import run_writes

            text, ok = run_writes(
                url,
                credentials,
                clients=args.clients,
                stock=args.stock,
                workers=args.write_workers,
                log=log,
            )
            print("\n" + text, flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
