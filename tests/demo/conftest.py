"""The committed demo store files, loaded once per test session."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from assistant.demo import (
    CATALOG_CSV,
    CUSTOMERS_CSV,
    INTERACTIONS_CSV,
    ORDERS_JSON,
    TASTES_CSV,
)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="session")
def catalog() -> list[dict[str, str]]:
    return _rows(CATALOG_CSV)


@pytest.fixture(scope="session")
def customers() -> list[dict[str, str]]:
    return _rows(CUSTOMERS_CSV)


@pytest.fixture(scope="session")
def interactions() -> list[dict[str, str]]:
    return _rows(INTERACTIONS_CSV)


@pytest.fixture(scope="session")
def tastes() -> list[dict[str, str]]:
    return _rows(TASTES_CSV)


@pytest.fixture(scope="session")
def orders() -> list[dict[str, Any]]:
    return json.loads(ORDERS_JSON.read_text(encoding="utf-8"))
