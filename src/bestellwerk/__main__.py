"""`bestellwerk` console script: Django's manage.py for this project."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bestellwerk.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    # `bestellwerk create-api-token` reads better than Django's `create_api_token`: both work.
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
