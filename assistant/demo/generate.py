"""Generate the fictional demo store: catalog, customers, interactions, orders.

Run ``python -m assistant.demo.generate [--out DIR] [--seed 7]``; the default writes the
committed files in ``assistant/demo/data/``. The same seed always gives byte-identical
files (all draws go through :class:`assistant.demo.rng.Rng`, all money is in cents), and
each stage draws from its own seeded stream.

The model:

1. **Catalog** (:mod:`~assistant.demo.catalog`, :mod:`~assistant.demo.departments`):
   15 categories with 4-5 invented brands each and 28-34 products per category, drawn
   from per-kind title and description templates and attribute pools (piece counts, ages,
   materials, sizes, battery life, capacities...). Prices come from per-attribute ranges
   with retail endings (.99, .49, .95, .00); ~8% of products are out of stock; ratings
   are 2.8-5.0.
2. **Customers** (:mod:`~assistant.demo.customers`): 180 invented people with
   ``example.com`` emails in US cities; a quarter joined during the simulated year.
3. **Interactions** (:mod:`~assistant.demo.interactions`): a year of sessions before
   :data:`assistant.demo.SNAPSHOT_TIME`. Customers have 1-3 tastes that pick the
   categories they browse; items within a category have Zipf-like popularity; sessions
   run view -> cart -> purchase; some kinds are bought together (tent + sleeping bag,
   skillet + spatula). ``tastes.csv`` records each customer's tastes as ground truth.
4. **Orders** (:mod:`~assistant.demo.orders`): a customer's purchases on one day form one
   order whose status (processing, shipped, out_for_delivery, delivered, cancelled,
   returned) follows a shipping timeline evaluated at the snapshot time.

The policy documents in ``data/policies/`` are written by hand; with ``--out`` elsewhere
they are copied along so the output folder is a complete store.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import shutil
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from assistant.demo import (
    CATALOG_CSV,
    CUSTOMERS_CSV,
    DATA_DIR,
    INTERACTIONS_CSV,
    ORDERS_JSON,
    POLICY_FILES,
    SNAPSHOT_TIME,
    TASTES_CSV,
)
from assistant.demo.catalog import CATALOG_COLUMNS, build_catalog
from assistant.demo.customers import CUSTOMER_COLUMNS, build_customers
from assistant.demo.departments import CATEGORIES
from assistant.demo.interactions import INTERACTION_COLUMNS, assign_tastes, simulate
from assistant.demo.orders import build_orders
from assistant.demo.rng import Rng

DEFAULT_SEED = 7
WINDOW_START = dt.datetime(2025, 11, 1, tzinfo=dt.UTC)
CUSTOMERS = 180
RECENT_SHOPPERS = 34
PRODUCTS_PER_CATEGORY = (28, 34)


def generate(out: Path, seed: int = DEFAULT_SEED) -> dict[str, object]:
    """Write the demo store into ``out`` and return a summary of what was written."""
    out.mkdir(parents=True, exist_ok=True)
    products = build_catalog(CATEGORIES, Rng(f"{seed}:catalog"), PRODUCTS_PER_CATEGORY)
    customers = build_customers(
        Rng(f"{seed}:customers"), CUSTOMERS, WINDOW_START.date(), SNAPSHOT_TIME.date()
    )
    tastes = assign_tastes(customers, Rng(f"{seed}:tastes"))
    events = simulate(
        customers,
        tastes,
        products,
        Rng(f"{seed}:interactions"),
        WINDOW_START,
        SNAPSHOT_TIME,
        RECENT_SHOPPERS,
    )
    orders = build_orders(
        events,
        {p.id: p for p in products},
        {c.user_id: c for c in customers},
        Rng(f"{seed}:orders"),
        SNAPSHOT_TIME,
    )

    _write_csv(out / CATALOG_CSV.name, CATALOG_COLUMNS, (p.row() for p in products))
    _write_csv(out / CUSTOMERS_CSV.name, CUSTOMER_COLUMNS, (c.row() for c in customers))
    _write_csv(out / INTERACTIONS_CSV.name, INTERACTION_COLUMNS, (e.row() for e in events))
    taste_rows = (
        {"user_id": user, "taste": name, "weight": f"{weight:.2f}"}
        for user, pairs in tastes.items()
        for name, weight in pairs
    )
    _write_csv(out / TASTES_CSV.name, ("user_id", "taste", "weight"), taste_rows)
    text = json.dumps(orders, indent=2, ensure_ascii=False) + "\n"
    (out / ORDERS_JSON.name).write_text(text, encoding="utf-8")
    if out.resolve() != DATA_DIR:
        (out / "policies").mkdir(exist_ok=True)
        for policy in POLICY_FILES:
            shutil.copyfile(policy, out / "policies" / policy.name)

    return {
        "products": len(products),
        "categories": len({p.category for p in products}),
        "customers": len(customers),
        "events": dict(Counter(e.event for e in events)),
        "orders": dict(Counter(str(o["status"]) for o in orders)),
    }


def _write_csv(path: Path, columns: Sequence[str], rows: Iterable[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m assistant.demo.generate", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="output folder")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    args = parser.parse_args(argv)
    summary = generate(args.out, args.seed)
    print(json.dumps({"out": str(args.out), **summary}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
