from django.core.management.base import BaseCommand, CommandError

from bestellwerk.accounts.models import User
from bestellwerk.accounts.services import create_api_token


class Command(BaseCommand):
    help = "Create an API token for a staff user and print it (shown only once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")

    def handle(self, *args, username: str, name: str, **options) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        _token, raw = create_api_token(user=user, name=name)
        self.stdout.write(raw)
