"""Fill an empty database with the demo shop (see bestellwerk.demo)."""

import os

from django.core.management.base import BaseCommand, CommandError

from bestellwerk.core.errors import ServiceError
from bestellwerk.demo.seed import (
    DEFAULT_CUSTOMERS,
    DEFAULT_ORDERS,
    DEFAULT_SEED,
    seed_demo_shop,
)


class Command(BaseCommand):
    help = (
        "Load the German demo shop (products, customers, coupons, staff, orders) "
        "into an empty database. The same --seed gives the same shop."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--orders", type=int, default=DEFAULT_ORDERS)
        parser.add_argument("--customers", type=int, default=DEFAULT_CUSTOMERS)
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)

    def handle(self, *args, orders: int, customers: int, seed: int, **options) -> None:
        if orders < 0 or customers < 1:
            raise CommandError("--orders must be 0 or more and --customers at least 1.")
        verbose = options["verbosity"] > 1
        try:
            summary = seed_demo_shop(
                orders=orders,
                customers=customers,
                seed=seed,
                password=os.environ.get("BESTELLWERK_DEMO_PASSWORD", "bestellwerk"),
                progress=(lambda message: self.stdout.write(f"  {message}")) if verbose else None,
            )
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        statuses = ", ".join(f"{s} {n}" for s, n in sorted(summary.by_status.items()))
        self.stdout.write(
            f"Demo shop: {summary.products} products, {summary.customers} customers, "
            f"{summary.coupons} coupons, {summary.orders} orders ({statuses}) "
            f"in {summary.seconds:.1f} s."
        )
