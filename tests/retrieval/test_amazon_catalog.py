"""End-to-end checks on a real catalog: 1,000 Amazon listings from ../shared/data."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from retrieval.catalog import AMAZON_SAMPLE_MAPPING, CatalogLoad, load_catalog
from retrieval.embedder import Embedder
from retrieval.search import SearchEngine

DATA = Path(__file__).resolve().parents[2].parent / "shared/data/catalog-amazon-1000/products.csv"


@pytest.fixture(scope="module")
def amazon() -> CatalogLoad:
    if not DATA.exists():
        pytest.skip(f"{DATA} is not available")
    return load_catalog(DATA, AMAZON_SAMPLE_MAPPING)


def test_every_record_is_loaded_or_reported(amazon: CatalogLoad) -> None:
    with DATA.open(newline="", encoding="utf-8") as handle:
        records = sum(1 for _ in csv.DictReader(handle))
    assert len(amazon.products) == records == 1000 and amazon.errors == []
    # A few prices are unreadable ("Total price:"): left out, the products kept and reported
    # at the line where their record starts (a line beginning with a 32-hex id).
    lines = DATA.read_text(encoding="utf-8").splitlines()
    assert 0 < len(amazon.warnings) <= 20
    assert all(re.match(r"[0-9a-f]{32},", lines[w.line - 1]) for w in amazon.warnings)
    assert {warning.reason.split()[1] for warning in amazon.warnings} == {"price"}
    assert all(" > " in p.category for p in amazon.products if p.category)


def test_every_product_is_found_by_its_title(amazon: CatalogLoad, embedder: Embedder) -> None:
    engine = SearchEngine.build(amazon.products, embedder)
    titles = [product.title for product in amazon.products]

    results = engine.search_batch(titles, k=10, understand=False)

    missed = [
        product.title
        for product, result in zip(amazon.products, results, strict=True)
        if product.id not in {hit.product.id for hit in result.hits}
    ]
    assert missed == []
