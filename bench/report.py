"""Timing helpers and the tables the bench prints."""

import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any


def percentile(values: Sequence[float], share: float) -> float:
    """The `share` percentile (0–1) of `values`, interpolated between the nearest ranks."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * share
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def timed(call: Callable[[], Any], *, warmups: int, calls: int) -> list[float]:
    """Milliseconds of each of `calls` calls, after `warmups` untimed ones."""
    for _ in range(warmups):
        call()
    timings = []
    for _ in range(calls):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def p50_p95(timings: Sequence[float]) -> tuple[float, float]:
    return statistics.median(timings), percentile(timings, 0.95)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, first: int = 44) -> str:
    """A plain text table: the first column left-aligned, numbers right-aligned."""

    def cell(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:,.1f}"
        if isinstance(value, int):
            return f"{value:,}"
        return str(value)

    widths = [first] + [max(9, len(h)) for h in headers[1:]]
    for row in rows:
        for i, value in enumerate(row[1:], start=1):
            widths[i] = max(widths[i], len(cell(value)))
    lines = [
        " ".join(
            h.ljust(w) if i == 0 else h.rjust(w)
            for i, (h, w) in enumerate(zip(headers, widths, strict=True))
        )
    ]
    lines.append(" ".join("-" * w for w in widths))
    for row in rows:
        lines.append(
            " ".join(
                cell(v).ljust(w) if i == 0 else cell(v).rjust(w)
                for i, (v, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    return "\n".join(lines)
