"""The fictional demo store that ships inside shopassist.

With an empty home folder the assistant builds and serves this store. Its files are made
by ``python -m assistant.demo.generate`` (see ``README.md`` in this folder); the policy
documents under ``policies/`` are hand-written.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
"""The shipped demo data folder."""
CATALOG_CSV = DATA_DIR / "catalog.csv"
CUSTOMERS_CSV = DATA_DIR / "customers.csv"
INTERACTIONS_CSV = DATA_DIR / "interactions.csv"
ORDERS_JSON = DATA_DIR / "orders.json"
TASTES_CSV = DATA_DIR / "tastes.csv"
"""Ground truth for evaluation: each customer's simulated tastes (not read by the assistant)."""
POLICIES_DIR = DATA_DIR / "policies"
POLICY_FILES = tuple(
    POLICIES_DIR / f"{name}.md"
    for name in ("shipping", "returns", "refunds", "payment", "warranty", "account")
)
SNAPSHOT_TIME = dt.datetime(2026, 10, 30, 18, 0, tzinfo=dt.UTC)
"""The demo's "now": every event happened before it and order statuses are as of it."""
