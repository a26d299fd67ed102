"""Test-wide set-up: offline by construction (sockets blocked by pytest-socket via pyproject addopts)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

ROOT = Path(__file__).resolve().parent.parent
GAZETTES = ROOT / "data" / "gazettes"


@pytest.fixture(scope="session")
def gazette_dir() -> Path:
    return GAZETTES


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `integration` talk to real local servers: sockets are allowed for them only."""
    for item in items:
        if item.get_closest_marker("integration"):
            item.add_marker(pytest.mark.enable_socket)
