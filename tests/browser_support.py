"""Browser fixtures for every test package: Playwright (sync API) driving the system
Chromium against pytest-django's live server. Loaded by tests/conftest.py as a plugin, so
one Chromium serves the whole run (two Playwright sync instances must never be alive at once).

Use: `pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)` and
the `logged_in_page` (or `page` + `log_in`) fixtures; `serialized_rollback` brings back the
settings rows the migrations seed (payment and shipping methods, the order counter) that a
transactional test's flush deletes. Without /usr/bin/chromium the browser tests are skipped
with a message, unless BESTELLWERK_BROWSER_TESTS=required (CI), where they fail.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django would then refuse the
# ORM calls that the tests themselves make. The test code is synchronous, so this is safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
BROWSER_PASSWORD = "browser-pw-12345"
DEFAULT_TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    return {
        "executable_path": str(CHROMIUM),
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    }


@pytest.fixture(scope="session")
def browser(browser_type_launch_args: dict[str, Any]) -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"Chromium is missing at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("BESTELLWERK_BROWSER_TESTS") == "required":
            pytest.fail(message + "; BESTELLWERK_BROWSER_TESTS=required", pytrace=False)
        pytest.skip(message)
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Starting Playwright gives this thread a fresh context, and with it (asgiref's Local)
    # fresh Django connection objects that lack the test database's serialized contents.
    # Keep the connection objects the test database was set up on.
    wrappers = {alias: connections[alias] for alias in connections}
    with sync_playwright() as playwright:
        for alias, wrapper in wrappers.items():
            connections[alias] = wrapper
        chromium = playwright.chromium.launch(**browser_type_launch_args)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="de-DE", viewport={"width": 1400, "height": 900})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot to $SCREENSHOT_DIR (default var/screenshots)."""
    folder = Path(os.environ.get("SCREENSHOT_DIR", "var/screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def log_in(live_server: Any) -> Callable[..., Any]:
    """`log_in(page, user)` signs `user` in through the login form (password BROWSER_PASSWORD)."""

    def sign_in(page: Any, user: Any, password: str = BROWSER_PASSWORD) -> Any:
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Benutzername").fill(user.get_username())
        page.get_by_label("Passwort").fill(password)
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_url(f"{live_server.url}/orders/")
        return page

    return sign_in


@pytest.fixture
def browser_user(db: Any) -> Any:
    from bestellwerk.accounts.models import Role, User

    return User.objects.create_user(
        username="bruno",
        password=BROWSER_PASSWORD,
        role=Role.ADMIN,
        first_name="Bruno",
        last_name="Browser",
        is_staff=True,
    )


@pytest.fixture
def logged_in_page(page: Any, browser_user: Any, log_in: Callable[..., Any]) -> Any:
    return log_in(page, browser_user)
