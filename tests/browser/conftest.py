"""Tests here drive a real Chromium (fixtures in tests/browser_support.py) and are marked
`browser` automatically."""

from pathlib import Path

import pytest

# Orders, and the shop with hostile text, are made the same way as for the Django-client tests.
from tests.ui.conftest import hostile_admin as hostile_admin
from tests.ui.conftest import hostile_admin_client as hostile_admin_client
from tests.ui.conftest import hostile_shop as hostile_shop
from tests.ui.conftest import make_order as make_order


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    browser_dir = Path(__file__).parent
    for item in items:
        if browser_dir in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
