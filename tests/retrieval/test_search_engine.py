from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from retrieval.catalog import Product
from retrieval.embedder import Embedder
from retrieval.errors import (
    EmptyQueryError,
    IndexMismatchError,
    IndexNotBuiltError,
    ProductNotFoundError,
)
from retrieval.filters import Filters
from retrieval.search import SearchEngine, SearchResult, document_text


def _ids(result: SearchResult) -> list[str]:
    return [hit.product.id for hit in result.hits]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("fire station", "lego-fire"),
        ("teddy bear", "plush-bear"),
        ("van gogh painting puzzle", "puzzle-night"),
        ("spaceship from star wars", "lego-xwing"),
        ("quadcopter with camera", "drone"),
        ("toy railway", "train"),
        ("pretend cooking", "kitchen"),
        ("trading resources strategy game", "game-catan"),
    ],
)
def test_finds_the_right_product(engine: SearchEngine, query: str, expected: str) -> None:
    assert _ids(engine.search(query, k=3))[0] == expected


def test_semantic_match_without_shared_words(engine: SearchEngine) -> None:
    assert set(_ids(engine.search("something to draw pictures with", k=3))) & {
        "art-crayons",
        "art-markers",
    }


def test_scores_are_floats_best_first(engine: SearchEngine) -> None:
    hits = engine.search("wooden toys", k=5).hits
    scores = [hit.score for hit in hits]
    assert len(hits) == 5 and all(type(s) is float for s in scores)
    assert scores == sorted(scores, reverse=True)


QUERIES = ["toy", "lego", "puzzle for toddlers", "game", "red", "bear", "wooden", "gift"]
FILTERS = [
    Filters(price_max=20),
    Filters(price_min=20, price_max=60),
    Filters(category="Toys & Games"),
    Filters(category="puzzles"),
    Filters(brand="lego", in_stock=True),
    Filters(color="blue"),
    Filters(in_stock=False),
    Filters(price_max=1),
]


def test_filters_are_never_broken(engine: SearchEngine, toy_store: list[Product]) -> None:
    for filters in FILTERS:
        allowed = {p.id for p in toy_store if filters.matches(p)}
        for query in QUERIES:
            result = engine.search(query, k=20, filters=filters)
            assert set(_ids(result)) <= allowed, (query, filters)
            assert all(result.filters.matches(hit.product) for hit in result.hits)
        # k = catalog size: every allowed product comes back, nothing else.
        assert set(_ids(engine.search("toy", k=len(toy_store), filters=filters))) == allowed


def test_query_filters_are_understood_and_merged(engine: SearchEngine) -> None:
    result = engine.search("lego under $20")
    assert result.text == "" and result.filters == Filters(price_max=20.0, brand="LEGO")
    assert _ids(result) == ["lego-police"]

    overridden = engine.search("lego under $20", filters=Filters(price_max=60))
    assert overridden.filters.price_max == 60
    assert _ids(overridden) == ["lego-xwing", "lego-police"]  # browse: best rated first

    literal = engine.search("lego under $20", understand=False)
    assert literal.filters.is_empty() and literal.text == "lego under $20"
    assert _ids(literal)[0].startswith("lego")


def test_browse_orders_by_rating_then_price(engine: SearchEngine) -> None:
    result = engine.search("", k=10, filters=Filters(category="Building Sets"))
    assert _ids(result) == ["lego-xwing", "lego-fire", "mega-bag", "lego-police"]
    assert [hit.score for hit in result.hits] == [4.9, 4.8, 4.7, 4.6]


def test_empty_query_without_filters_is_an_error(engine: SearchEngine) -> None:
    for query in ["", "   ", "for the"]:
        with pytest.raises(EmptyQueryError):
            engine.search(query)


def test_search_batch_matches_single_searches(engine: SearchEngine) -> None:
    queries = ["fire station", "blue puzzle under 20", "lego", ""]
    batch = engine.search_batch(queries, k=4)
    assert [r.query for r in batch] == queries
    for result in batch[:3]:
        single = engine.search(result.query, k=4)
        assert _ids(result) == _ids(single)
        np.testing.assert_allclose(
            [h.score for h in result.hits], [h.score for h in single.hits], atol=1e-4
        )
    assert batch[3].hits == []


def test_similar_excludes_itself(engine: SearchEngine) -> None:
    hits = engine.similar("lego-fire", k=3)
    ids = [hit.product.id for hit in hits]
    assert len(ids) == 3 and "lego-fire" not in ids
    assert ids[0].startswith("lego")
    with pytest.raises(ProductNotFoundError):
        engine.similar("nope")
    with pytest.raises(KeyError):
        engine.similar("nope")


def test_get(engine: SearchEngine) -> None:
    product = engine.get("drone")
    assert product is not None and product.title == "Mini Camera Drone for Beginners"
    assert engine.get("nope") is None


def test_document_text() -> None:
    product = Product(id="x", title="T", brand="B", category="A > C", description="word " * 100)
    text = document_text(product)
    assert text.startswith("T. B. A > C. word word")
    assert len(text) <= len("T. B. A > C. ") + 300


def test_save_load_round_trip(engine: SearchEngine, embedder: Embedder, tmp_path: Path) -> None:
    engine.save(tmp_path / "index")
    loaded = SearchEngine.load(tmp_path / "index", embedder)

    assert list(loaded.products) == list(engine.products)
    for query in ["fire station", "red toys under 30", "puzzle"]:
        before, after = engine.search(query), loaded.search(query)
        assert _ids(after) == _ids(before)
        np.testing.assert_allclose(
            [h.score for h in after.hits], [h.score for h in before.hits], atol=1e-6
        )
    meta = json.loads((tmp_path / "index" / "meta.json").read_text())
    generation = meta.pop("generation")
    assert meta == {"format": 4, "embedder": "minilm", "dim": 384, "count": 20}
    assert len(generation) == 32 and generation == engine.generation


def test_load_errors(engine: SearchEngine, embedder: Embedder, tmp_path: Path) -> None:
    with pytest.raises(IndexNotBuiltError):
        SearchEngine.load(tmp_path / "empty", embedder)
    engine.save(tmp_path / "index")
    meta = tmp_path / "index" / "meta.json"
    meta.write_text(json.dumps({"format": 4, "embedder": "other", "dim": 384, "count": 20}))
    with pytest.raises(IndexMismatchError, match="other"):
        SearchEngine.load(tmp_path / "index", embedder)


def test_hnsw_engine_keeps_filters(
    toy_store: list[Product], embedder: Embedder, tmp_path: Path
) -> None:
    """Force the HNSW paths (graph search and over-fetch under a filter) on a tiny catalog."""
    engine = SearchEngine.build(toy_store, embedder, exact_threshold=1)
    engine.exact_subset_limit = 0
    assert _ids(engine.search("fire station", k=3))[0] == "lego-fire"
    cheap = engine.search("toy", k=20, filters=Filters(price_max=20))
    assert cheap.hits and all(hit.product.price <= 20 for hit in cheap.hits)  # type: ignore[operator]

    engine.save(tmp_path / "hnsw")
    assert (tmp_path / "hnsw" / "hnsw.faiss").exists()
    loaded = SearchEngine.load(tmp_path / "hnsw", embedder)
    assert _ids(loaded.search("fire station", k=3)) == _ids(engine.search("fire station", k=3))
