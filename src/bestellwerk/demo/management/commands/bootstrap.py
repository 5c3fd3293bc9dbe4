"""First start: the demo admin, demo data when the shop is empty, and the logins printed.

Safe to run on every start: a second run creates nothing."""

import os

from django.core.management import call_command
from django.core.management.base import BaseCommand

from bestellwerk.accounts.models import User
from bestellwerk.demo.people import DEMO_ADMIN, DEMO_STAFF, get_or_create_admin
from bestellwerk.demo.seed import DEFAULT_ORDERS, demo_data_present


class Command(BaseCommand):
    help = "Make sure the demo admin exists and load the demo shop into an empty database."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--no-demo-data", action="store_true")
        parser.add_argument(
            "--demo-orders",
            type=int,
            default=DEFAULT_ORDERS,
            help="How many demo orders an empty database gets.",
        )

    def handle(self, *args, no_demo_data: bool, demo_orders: int, **options) -> None:
        password = os.environ.get("BESTELLWERK_DEMO_PASSWORD", "bestellwerk")
        _admin, created = get_or_create_admin(password)
        if created:
            self.stdout.write("Created the demo admin.")
        if not no_demo_data:
            self.load_demo_data_if_empty(demo_orders)
        self.stdout.write(
            self.style.SUCCESS(f"Sign in as '{DEMO_ADMIN}' with password '{password}' (admin).")
        )
        staff = User.objects.filter(username__in=[u for u, *_rest in DEMO_STAFF]).order_by("pk")
        for user in staff:
            self.stdout.write(
                f"Demo staff: '{user.username}' ({user.get_role_display()}), "
                f"password '{password}' unless changed."
            )

    def load_demo_data_if_empty(self, demo_orders: int) -> None:
        if demo_data_present():
            self.stdout.write("The shop has data already: no demo data loaded.")
            return
        self.stdout.write(
            f"Empty database: loading the demo shop ({demo_orders} orders, takes a moment)…"
        )
        call_command("seed_demo", orders=demo_orders, stdout=self.stdout)
