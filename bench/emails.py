"""E-mails sent per minute by one database-queue worker against a local SMTP server.

    python -m bench.emails                    # 500 e-mails, SQLite (var/bench_emails.sqlite3)
    python -m bench.emails --emails 2000
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bw_bench_emails python -m bench.emails

It starts aiosmtpd on 127.0.0.1 (a free port), places one real order, renders the order
confirmation for --emails distinct recipients through `queue_order_email` (what the outbox
handler does), then runs one `db_worker --batch` in this process until the queue is empty:
each task claims its EmailLog row, opens an SMTP connection, sends, and records
`email_sent` on the order's timeline. The SMTP server counts what it received.
"""

import argparse
import os
import socket
import sys
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.emails")
    parser.add_argument("--emails", type=int, default=500)
    args = parser.parse_args(argv)

    root = Path(__file__).resolve().parents[1]
    db_file = root / "var" / "bench_emails.sqlite3"
    database = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{db_file}"
    if database.startswith("sqlite"):
        db_file.parent.mkdir(exist_ok=True)
        db_file.unlink(missing_ok=True)
    port = free_port()
    os.environ.pop("REDIS_URL", None)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bestellwerk.settings",
            "DATABASE_URL": database,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(port),
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()
    from aiosmtpd.controller import Controller
    from django.core.management import call_command
    from django.db import transaction

    from bestellwerk.accounts.models import User
    from bestellwerk.catalog.services import create_product
    from bestellwerk.core.actors import Actor
    from bestellwerk.notifications.models import EmailLog, EmailStatus, EmailTemplate
    from bestellwerk.notifications.services import queue_order_email
    from bestellwerk.orders.inputs import LineInput
    from bestellwerk.orders.models import OrderEvent, OrderEventType
    from bestellwerk.orders.services import create_order

    class Counter:
        received = 0

        async def handle_DATA(self, server, session, envelope) -> str:
            Counter.received += 1
            return "250 OK"

    call_command("migrate", verbosity=0)
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()
    user = User.objects.create_user(username=f"bench{time.time_ns()}", password="x" * 12)
    actor = Actor.for_user(user)
    product = create_product(
        sku=f"B-{time.time_ns()}",
        name="Kaffee",
        price="19.90",
        vat_rate="7",
        stock_quantity=0,
        actor=actor,
    )
    order = create_order(
        actor=actor,
        billing_address={"first_name": "Erika", "last_name": "Muster", "email": "e@example.de"},
        lines=[LineInput(quantity=2, sku=product.sku)],
    )
    event = OrderEvent.objects.get(order=order, type=OrderEventType.CREATED)
    if not EmailTemplate.objects.filter(code="order_confirmation").exists():
        sys.exit("the default e-mail templates are missing from this database")
    DBTaskResult.objects.all().delete()  # only the e-mails below are measured

    started = time.perf_counter()
    with transaction.atomic():
        for i in range(args.emails):
            queue_order_email(
                event=event,
                template_code="order_confirmation",
                recipient=f"kunde{i}@example.de",
                language="de" if i % 2 else "en",
            )
    queued_seconds = time.perf_counter() - started

    controller = Controller(Counter(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        started = time.perf_counter()
        call_command(
            "db_worker", batch=True, interval=0, startup_delay=False, reload=False, verbosity=0
        )
        send_seconds = time.perf_counter() - started
    finally:
        controller.stop()

    sent = EmailLog.objects.filter(event=event, status=EmailStatus.SENT).count()
    print(f"database: {database.split('://')[0]}")
    print(f"rendered and queued {args.emails} e-mails in {queued_seconds:.2f} s")
    print(
        f"one worker sent {sent} (SMTP server received {Counter.received}) in {send_seconds:.2f} s"
    )
    print(f"=> {sent / send_seconds * 60:,.0f} e-mails per minute per worker")
    if sent != args.emails or Counter.received != args.emails:
        sys.exit("not every e-mail was sent exactly once")


if __name__ == "__main__":
    main(sys.argv[1:])
