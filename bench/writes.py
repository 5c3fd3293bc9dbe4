"""Write throughput: many API clients place orders of one unit of one hot product until its
stock runs out (gunicorn with several workers), then the books are checked: no oversell,
order numbers unique, the stock ledger agrees with the product's stock.

The product is a scratch one made for the run (SKU BENCH-HOT-…), so the read data stays as
it was; its orders are ordinary orders of the bench database afterwards."""

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bench.report import p50_p95, table
from bench.server import Credentials, api_session, serve

MAX_ERRORS_PER_CLIENT = 20


@dataclass
class ClientLog:
    numbers: list[int] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # ms, every request
    refusals: Counter = field(default_factory=Counter)  # error code -> count


def make_hot_product(stock: int) -> str:
    """A new product with `stock` units, made through the catalogue service; its SKU."""
    from bestellwerk.catalog.services import create_product
    from bestellwerk.core.actors import Actor

    sku = f"BENCH-HOT-{time.strftime('%Y%m%d-%H%M%S')}"
    create_product(
        sku=sku,
        name="Bench: Adventskalender Kaffee (heiß begehrt)",
        price="29.90",
        vat_rate="7",
        stock_quantity=stock,
        actor=Actor.system("Bench"),
    )
    return sku


def place_until_refused(base: str, credentials: Credentials, sku: str, client: int) -> ClientLog:
    """One client: orders of one unit, one after another, until refused for stock."""
    session = api_session(credentials)
    log = ClientLog()
    body = {
        "status": "processing",
        "channel": "api",
        "payment_method": "invoice",
        "lines": [{"sku": sku, "quantity": 1}],
        "billing_address": {
            "first_name": "Bench",
            "last_name": f"Client {client}",
            "line1": "Lasttestweg 1",
            "postal_code": "10115",
            "city": "Berlin",
            "country": "DE",
            "email": f"bench-client-{client}@example.test",
        },
    }
    errors = 0
    while errors < MAX_ERRORS_PER_CLIENT:
        started = time.perf_counter()
        try:
            answer = session.post(f"{base}/api/v1/orders", json=body, timeout=120)
        except Exception as exc:  # a dropped connection counts like a refusal
            log.latencies.append((time.perf_counter() - started) * 1000)
            log.refusals[f"connection: {type(exc).__name__}"] += 1
            errors += 1
            continue
        log.latencies.append((time.perf_counter() - started) * 1000)
        if answer.status_code == 201:
            log.numbers.append(answer.json()["number"])
            continue
        try:
            code = answer.json()["error"]["code"]
        except Exception:
            code = f"HTTP {answer.status_code}"
        log.refusals[code] += 1
        if code == "stock_short":
            break
        errors += 1
    return log


def run_writes(
    database_url: str,
    credentials: Credentials,
    *,
    clients: int,
    stock: int,
    workers: int,
    log: Path,
) -> tuple[str, bool]:
    """The write test; its report and whether every check held."""
    from django.db.models import Sum

    from bestellwerk.catalog.models import Product, StockMovement
    from bestellwerk.orders.models import Order, OrderLine

    sku = make_hot_product(stock)
    with serve(database_url, workers=workers, log=log) as base, ThreadPoolExecutor(clients) as pool:
        started = time.perf_counter()
        futures = [
            pool.submit(place_until_refused, base, credentials, sku, client)
            for client in range(clients)
        ]
        logs = [future.result() for future in futures]
        seconds = time.perf_counter() - started
    numbers = [n for entry in logs for n in entry.numbers]
    latencies = [ms for entry in logs for ms in entry.latencies]
    refusals = sum((entry.refusals for entry in logs), Counter())
    product = Product.objects.get(sku=sku)
    movements = StockMovement.objects.filter(product=product)
    ledger = movements.aggregate(total=Sum("delta"))["total"] or 0
    sold = (
        OrderLine.objects.filter(product=product, order__stock_held=True).aggregate(
            total=Sum("quantity")
        )["total"]
        or 0
    )
    in_db = Order.objects.filter(lines__product=product).distinct().count()
    p50, p95 = p50_p95(latencies)
    checks = [
        ("stock never below zero (no backorder)", product.stock_quantity >= 0),
        ("units sold == stock taken", sold == stock - product.stock_quantity),
        ("orders answered 201 == orders in the database", len(numbers) == in_db),
        ("order numbers unique", len(set(numbers)) == len(numbers)),
        (
            "stock ledger sums to the product's stock",
            ledger in (product.stock_quantity, product.stock_quantity - stock),
        ),
        ("every unit sold (clients ran until refused)", product.stock_quantity == 0),
        ("no refusal but stock_short", set(refusals) <= {"stock_short"}),
    ]
    summary = [
        (f"{clients} API clients, {workers} gunicorn workers", ""),
        (f"scratch product {sku}: units in stock", stock),
        ("orders placed", len(numbers)),
        ("seconds", round(seconds, 1)),
        ("orders/s", round(len(numbers) / seconds, 1) if seconds else 0.0),
        ("requests (incl. refusals)", len(latencies)),
        ("latency p50 ms (all requests)", round(p50, 1)),
        ("latency p95 ms (all requests)", round(p95, 1)),
        ("stock left", product.stock_quantity),
        ("units sold (order lines holding stock)", sold),
        ("stock movements / their sum", f"{movements.count():,} / {ledger:,}"),
    ]
    summary += [(f"refused: {code}", count) for code, count in sorted(refusals.items())]
    text = table(["write test", "value"], summary, first=60)
    text += "\n\n" + table(
        ["check", "result"], [(name, "ok" if ok else "FAILED") for name, ok in checks], first=60
    )
    return text, all(ok for _name, ok in checks)
