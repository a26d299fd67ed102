"""Fixtures of the app tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.app.served import chromium_browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Debian chromium for the browser tests (skipped where it cannot be installed)."""
    yield from chromium_browser()
