"""Tests here drive a real Chromium (fixtures in tests/browser_support.py) and are marked
`browser` automatically."""

from pathlib import Path

import pytest

# Orders for the browser tests are made the same way as for the Django-client tests.
from tests.ui.conftest import make_order as make_order


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    browser_dir = Path(__file__).parent
    for item in items:
        if browser_dir in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
