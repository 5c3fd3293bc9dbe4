"""`bestellwerk` console script: Django's manage.py for this project."""

import os
import sys


def command_argv(argv: list[str]) -> list[str]:
    """`bestellwerk create-api-token` reads better than Django's `create_api_token`: both work."""
    if len(argv) > 1 and not argv[1].startswith("-"):
        return [argv[0], argv[1].replace("-", "_"), *argv[2:]]
    return list(argv)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bestellwerk.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(command_argv(sys.argv))


if __name__ == "__main__":
    main()
