"""Finding 9 of the hostile run: the production profile. DEBUG off serves the staff UI with
its CSS through gunicorn, refuses the development key, and `check --deploy` is clean with
the HTTPS switch on."""

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def environment(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DEBUG",
            "SECRET_KEY",
            "HTTPS_ONLY",
            "REDIS_URL",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'production.sqlite3'}"
    env["BESTELLWERK_HOME"] = str(tmp_path)
    return {**env, **values}


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_check_deploy_is_clean_with_the_https_switch(tmp_path):
    env = environment(tmp_path, HTTPS_ONLY="1", SECRET_KEY=secrets.token_urlsafe(50))

    result = run([str(BIN / "bestellwerk"), "check", "--deploy", "--fail-level", "WARNING"], env)

    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_on_the_development_key(tmp_path):
    result = run([str(BIN / "bestellwerk"), "check", "--deploy"], environment(tmp_path))

    assert result.returncode != 0
    assert "bestellwerk.E001" in result.stdout + result.stderr


def test_the_wsgi_application_refuses_the_development_key_with_debug_off(tmp_path):
    result = run([sys.executable, "-c", "import bestellwerk.wsgi"], environment(tmp_path))

    assert result.returncode != 0
    assert "SECRET_KEY is the public development key" in result.stderr


@pytest.fixture
def gunicorn_server(tmp_path):
    """gunicorn with DEBUG off on a fresh database, as the README's Production section says."""
    env = environment(tmp_path, SECRET_KEY=secrets.token_urlsafe(50))
    migrated = run([str(BIN / "bestellwerk"), "migrate", "--no-input", "-v", "0"], env)
    assert migrated.returncode == 0, migrated.stderr
    port = free_port()
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "bestellwerk.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            # gunicorn 27 shares one control socket per user: this test needs none.
            "--no-control-socket",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/login/", timeout=2)
            break
        except OSError:
            if server.poll() is not None:
                pytest.fail(server.stderr.read().decode())
            time.sleep(0.3)
    yield base
    server.terminate()
    server.wait(timeout=20)


def test_gunicorn_serves_the_login_page_and_its_css_with_debug_off(gunicorn_server):
    with urllib.request.urlopen(gunicorn_server + "/login/") as page:
        html = page.read().decode()
        assert page.status == 200
        assert "no-store" in page.headers["Cache-Control"]
        assert page.headers["Permissions-Policy"]
    with urllib.request.urlopen(gunicorn_server + "/static/staff/staff.css") as css:
        assert css.status == 200
        assert css.headers["Content-Type"].startswith("text/css")
    assert "/static/staff/staff.css" in html
