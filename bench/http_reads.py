"""What users feel when they read: the API and the staff list page over HTTP (gunicorn, one
worker, DEBUG off), p50/p95 of each case after warm-ups, and the order page."""

from pathlib import Path

import requests

from bench.cases import read_cases, sample_numbers
from bench.report import p50_p95, table, timed
from bench.server import Credentials, api_session, serve, staff_session


def fetch(
    session: requests.Session, url: str, params: list[tuple[str, str]] | None = None
) -> requests.Response:
    answer = session.get(url, params=params, timeout=300, allow_redirects=False)
    if answer.status_code != 200:
        raise RuntimeError(f"GET {answer.url}: HTTP {answer.status_code} {answer.text[:300]}")
    return answer


def run_http(
    database_url: str, credentials: Credentials, *, warmups: int, calls: int, log: Path
) -> str:
    """Time the read cases on the API and the staff list page; the table."""
    from bestellwerk.orders.selectors import OrderFilters, count_orders_by_status

    cases = read_cases()
    numbers = sample_numbers(2 * (warmups + calls))
    rows = []
    with serve(database_url, workers=1, log=log) as base:
        api = api_session(credentials)
        staff = staff_session(base, credentials)
        for case in cases:
            api_params, page_params = case.api_params(), case.page_params()
            items = len(fetch(api, f"{base}/api/v1/orders", api_params).json()["items"])
            api_times = timed(
                lambda p=api_params: fetch(api, f"{base}/api/v1/orders", p),
                warmups=warmups,
                calls=calls,
            )
            page_times = timed(
                lambda p=page_params: fetch(staff, f"{base}/orders/", p),
                warmups=warmups,
                calls=calls,
            )
            rows.append((case.name, items, *p50_p95(api_times), *p50_p95(page_times)))
        counts = timed(lambda: count_orders_by_status(OrderFilters()), warmups=warmups, calls=calls)
        rows.append(("status tab counts (selector, in process)", "", *p50_p95(counts), "", ""))
        api_numbers, page_numbers = iter(numbers[::2]), iter(numbers[1::2])
        api_times = timed(
            lambda: fetch(api, f"{base}/api/v1/orders/{next(api_numbers)}"),
            warmups=warmups,
            calls=calls,
        )
        page_times = timed(
            lambda: fetch(staff, f"{base}/orders/{next(page_numbers)}/"),
            warmups=warmups,
            calls=calls,
        )
        rows.append(("order page (different orders)", 1, *p50_p95(api_times), *p50_p95(page_times)))
    headers = ["HTTP case", "rows", "API p50", "API p95", "page p50", "page p95"]
    return table(headers, rows)
