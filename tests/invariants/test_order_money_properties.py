"""Issue 9, the proof: random sequences of every order, payment and refund service, run
against the real database, with every invariant checked after every step
(`tests/invariants/machine.py` says which, `tests/invariants/state.py` checks them).

CI runs a fixed, derandomized set of sequences: the same ones every run, about 3,000 steps.
For a long run, set BESTELLWERK_PROPERTY_STEPS to the number of steps wanted; it explores
new random sequences each time (a failure prints the steps that lead to it, shrunk):

    BESTELLWERK_PROPERTY_STEPS=50000 .venv/bin/pytest -s tests/invariants -k invariant
"""

import os

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.invariants import machine

STEPS_PER_EXAMPLE = 30
CI_EXAMPLES = 120
LONG_RUN_STEPS = int(os.environ.get("BESTELLWERK_PROPERTY_STEPS") or 0)
OPERATIONS = {
    "create",
    "place",
    "set_lines",
    "set_coupon",
    "set_shipping",
    "pay",
    "void",
    "refund_amount",
    "refund_lines",
    "move",
    "mark",
}


def _settings() -> settings:
    return settings(
        max_examples=max(LONG_RUN_STEPS // STEPS_PER_EXAMPLE, 1) if LONG_RUN_STEPS else CI_EXAMPLES,
        stateful_step_count=STEPS_PER_EXAMPLE,
        deadline=None,
        derandomize=not LONG_RUN_STEPS,
        database=None,  # nothing written into the work tree
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


def test_every_invariant_holds_after_every_step(db):
    # given a clean shop per example (the machine's savepoint), when random sequences of
    # service calls run, then every step keeps every invariant (the machine asserts them)
    machine.STATS.clear()
    run_state_machine_as_test(machine.OrderMoneyMachine, settings=_settings())

    report = machine.stats_report()
    print(report)
    # and the run did exercise every service, each succeeding many times
    for operation in OPERATIONS:
        assert machine.STATS[f"{operation}: ok"] >= 10, report
    assert machine.STATS["steps"] >= min(LONG_RUN_STEPS or 2500, 2500), report
