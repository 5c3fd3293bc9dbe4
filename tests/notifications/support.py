"""Real parts for the e-mail and automation tests: an SMTP server, an HTTP receiver, workers.

Imported by the conftest files of tests/notifications and tests/automations.
"""

import email
import email.policy
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from bestellwerk.orders.outbox import sweep_outbox

REAL_COMMITS = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class SmtpInbox:
    """What a real aiosmtpd server on 127.0.0.1 received."""

    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        return "250 Message accepted"

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in m["To"]]


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    return part.get_content() if part is not None else ""


@pytest.fixture
def smtp_port(settings) -> int:
    """Mail goes through Django's SMTP backend to 127.0.0.1:<port> (nothing listens yet)."""
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    return port


@pytest.fixture
def smtp(smtp_port) -> Iterator[SmtpInbox]:
    inbox = SmtpInbox(port=smtp_port)
    inbox.start()
    yield inbox
    inbox.stop()


@pytest.fixture
def db_queue(settings) -> None:
    """The database queue, whatever REDIS_URL the run has."""
    settings.TASKS = DB_TASKS


@pytest.fixture(autouse=True)
def database_queue_by_default(settings) -> None:
    """Tasks enqueued by fixtures (an order's dispatch) go to the database queue, not to a
    Redis the run may have; the Redis tests switch the queue themselves."""
    settings.TASKS = DB_TASKS


@pytest.fixture
def commit(django_capture_on_commit_callbacks) -> Callable:
    """`with commit(): service(...)` runs the on-commit hooks (enqueueing) like a real commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def run_db_worker(
    db_queue, transactional_db, django_capture_on_commit_callbacks
) -> Callable[[], int]:
    """Run the real `db_worker --batch` until the queue holds nothing runnable.

    The test commits for real (transactional_db): db_worker recycles connections that sit
    inside a transaction, which would cut the usual per-test transaction on PostgreSQL.
    Modules using it mark their tests `REAL_COMMITS`, whose serialized rollback restores the
    migrations' data (e-mail templates, payment methods…) for the tests after them.

    Like `bestellwerk worker`, each round first sweeps the outbox (events recorded by test
    fixtures outside a captured commit are dispatched by it, as in production after a crash).
    """

    def run() -> int:
        rounds = 0
        for rounds in range(1, 50):
            with django_capture_on_commit_callbacks(execute=True) as callbacks:
                sweep_outbox(older_than=timedelta(0))
                call_command(
                    "db_worker",
                    batch=True,
                    interval=0,
                    startup_delay=False,
                    reload=False,
                    verbosity=0,
                )
            if not callbacks and not DBTaskResult.objects.ready().exists():
                return rounds
        raise AssertionError("the queue never ran dry")

    return run


@dataclass
class HttpReceiver:
    """A real HTTP server on 127.0.0.1 recording requests; answers from `statuses` in turn."""

    statuses: list[int] = field(default_factory=lambda: [200])
    requests: list[dict] = field(default_factory=list)
    delay_seconds: float = 0
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                if receiver.delay_seconds:
                    time.sleep(receiver.delay_seconds)
                index = min(len(receiver.requests), len(receiver.statuses)) - 1
                self.send_response(receiver.statuses[index])
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


@pytest.fixture
def http_receiver() -> Iterator[HttpReceiver]:
    receiver = HttpReceiver()
    receiver.start()
    yield receiver
    receiver.stop()
