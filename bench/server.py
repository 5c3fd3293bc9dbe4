"""The application served as in production: gunicorn, DEBUG off, on a free local port; and
the bench's own staff user with an API token and a signed-in session."""

import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

BENCH_USER = "bench"
GUNICORN = Path(sys.executable).with_name("gunicorn")


@dataclass
class Credentials:
    username: str
    password: str
    token: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_credentials() -> Credentials:
    """The bench's owner-role user (a fresh password) and a fresh API token of it."""
    from bestellwerk.accounts.models import Role, User
    from bestellwerk.accounts.services import create_api_token

    password = secrets.token_urlsafe(16)
    user, _created = User.objects.get_or_create(
        username=BENCH_USER, defaults={"role": Role.ADMIN, "is_staff": True}
    )
    user.role, user.is_active = Role.ADMIN, True
    user.set_password(password)
    user.save()
    user.api_tokens.filter(revoked_at__isnull=True, name="bench").delete()
    _token, raw = create_api_token(user=user, name="bench")
    return Credentials(BENCH_USER, password, raw)


@contextmanager
def serve(database_url: str, *, workers: int, log: Path) -> Iterator[str]:
    """Run gunicorn with `workers` sync workers until the block ends; its base URL."""
    port = free_port()
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
    )
    command = [
        str(GUNICORN),
        "bestellwerk.wsgi",
        f"--workers={workers}",
        f"--bind=127.0.0.1:{port}",
        "--no-control-socket",  # gunicorn 23+ shares ~/.gunicorn/gunicorn.ctl otherwise
        "--timeout=120",
    ]
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=output)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_up(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({process.returncode}); see {log}")
        try:
            requests.get(f"{base}/login/", timeout=5)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within a minute; see {log}")


def staff_session(base: str, credentials: Credentials) -> requests.Session:
    """A session signed in through the login form (once: django-axes counts failures)."""
    session = requests.Session()
    page = session.get(f"{base}/login/", timeout=30)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    token = match.group(1) if match else session.cookies.get("csrftoken", "")
    answer = session.post(
        f"{base}/login/",
        data={
            "username": credentials.username,
            "password": credentials.password,
            "csrfmiddlewaretoken": token,
        },
        headers={"Referer": f"{base}/login/"},
        allow_redirects=False,
        timeout=30,
    )
    if answer.status_code != 302 or "sessionid" not in session.cookies:
        raise RuntimeError(f"staff login failed: HTTP {answer.status_code}")
    return session


def api_session(credentials: Credentials) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {credentials.token}"
    return session
