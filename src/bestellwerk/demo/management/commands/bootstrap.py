"""First start: the demo admin, demo data when the shop is empty, and the logins printed.

Safe to run on every start: a second run creates nothing."""

import os

from django.core.management import call_command
from django.core.management.base import BaseCommand

from bestellwerk.accounts.models import Role, User
from bestellwerk.demo.people import DEMO_STAFF
from bestellwerk.demo.seed import DEFAULT_ORDERS, demo_data_present

DEMO_USERNAME = "admin"


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
        if not User.objects.filter(username=DEMO_USERNAME).exists():
            User.objects.create_superuser(
                username=DEMO_USERNAME,
                email="admin@bestellwerk.localhost",
                password=password,
                first_name="Demo",
                last_name="Admin",
                role=Role.ADMIN,
            )
            self.stdout.write("Created the demo admin.")
        if no_demo_data:
            pass
        elif demo_data_present():
            self.stdout.write("The shop has data already: no demo data loaded.")
        else:
            self.stdout.write(
                f"Empty database: loading the demo shop ({demo_orders} orders, takes a moment)…"
            )
            call_command("seed_demo", orders=demo_orders, stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(f"Sign in as '{DEMO_USERNAME}' with password '{password}' (admin).")
        )
        staff = User.objects.filter(username__in=[u for u, *_rest in DEMO_STAFF]).order_by("pk")
        for user in staff:
            self.stdout.write(
                f"Demo staff: '{user.username}' ({user.get_role_display()}), "
                f"password '{password}' unless changed."
            )
