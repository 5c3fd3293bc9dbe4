"""First start: demo data when the database is empty, and a demo admin whose login is printed."""

import os

from django.core.management import call_command
from django.core.management.base import BaseCommand

from bestellwerk.accounts.models import Role, User
from bestellwerk.orders.models import Order

DEMO_USERNAME = "admin"


class Command(BaseCommand):
    help = "Load demo data into an empty database and make sure the demo admin exists."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--no-demo-data", action="store_true")

    def handle(self, *args, no_demo_data: bool, **options) -> None:
        password = os.environ.get("BESTELLWERK_DEMO_PASSWORD", "bestellwerk")
        admin = User.objects.filter(username=DEMO_USERNAME).first()
        if admin is None:
            User.objects.create_superuser(
                username=DEMO_USERNAME,
                email="admin@bestellwerk.localhost",
                password=password,
                first_name="Demo",
                last_name="Admin",
                role=Role.ADMIN,
            )
            self.stdout.write("Created the demo admin.")
        if not no_demo_data and not Order.objects.exists():
            self.stdout.write("Empty database: loading the demo shop (takes a moment)…")
            call_command("seed_demo")
        self.stdout.write(
            self.style.SUCCESS(f"Sign in as '{DEMO_USERNAME}' with password '{password}'.")
        )
