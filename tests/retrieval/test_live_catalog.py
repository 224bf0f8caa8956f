"""Live catalog changes: upsert and delete without a rebuild, kept by save/load, and a
crash-safe save that a ``kill -9`` at any moment cannot corrupt."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from retrieval.catalog import Product
from retrieval.embedder import Embedder
from retrieval.errors import IndexMismatchError
from retrieval.filters import Filters
from retrieval.search import SearchEngine, SearchResult
from retrieval.storage import recover, save_atomically

from .conftest import TOY_STORE
from .hashing import HashEmbedder

ROOT = Path(__file__).resolve().parents[2]
ROCKET = Product(
    id="rocket",
    title="Model Rocket Launch Kit",
    category="Toys & Games > Hobbies > Rockets",
    price=34.5,
    brand="Estes",
    description="A flying model rocket with a launch pad and recovery parachute.",
)


def _ids(result: SearchResult) -> list[str]:
    return [hit.product.id for hit in result.hits]


@pytest.fixture(params=["exact", "hnsw"])
def live(request: pytest.FixtureRequest, embedder: Embedder) -> SearchEngine:
    threshold = 1 if request.param == "hnsw" else 50_000
    engine = SearchEngine.build(TOY_STORE, embedder, exact_threshold=threshold)
    engine.exact_subset_limit = 0 if request.param == "hnsw" else 50_000
    return engine


def test_upserted_product_is_found(live: SearchEngine) -> None:
    live.upsert([ROCKET])
    assert len(live) == len(TOY_STORE) + 1
    assert live.get("rocket") == ROCKET
    assert _ids(live.search("model rocket launch pad", k=3))[0] == "rocket"
    assert "rocket" in _ids(live.search("rocket", k=5, filters=Filters(price_max=40)))
    assert "rocket" not in _ids(live.search("rocket", k=20, filters=Filters(price_max=30)))


def test_update_changes_price_filters_and_text(live: SearchEngine) -> None:
    old = live.get("lego-police")
    assert old is not None
    live.upsert([dataclasses.replace(old, title="LEGO City Police Helicopter", price=99.0)])
    assert len(live) == len(TOY_STORE)
    assert live.get("lego-police").price == 99.0  # type: ignore[union-attr]
    cheap = live.search("lego police", k=20, filters=Filters(price_max=20))
    assert "lego-police" not in _ids(cheap)
    dear = live.search("police helicopter", k=3, filters=Filters(price_min=90))
    assert _ids(dear)[0] == "lego-police"
    hits = live.search("police", k=20).hits
    assert [h.product.title for h in hits if h.product.id == "lego-police"] == [
        "LEGO City Police Helicopter"
    ]  # the old version is gone, not listed twice


def test_deleted_product_never_appears(live: SearchEngine) -> None:
    assert live.delete(["lego-fire", "no-such-id"]) == ["no-such-id"]
    assert live.get("lego-fire") is None
    assert "lego-fire" not in {p.id for p in live.products}
    for query in ["fire station", "lego", "red building kit"]:
        assert "lego-fire" not in _ids(live.search(query, k=len(TOY_STORE)))
    assert "lego-fire" not in [h.product.id for h in live.similar("lego-police", k=19)]
    browse = live.search("", k=20, filters=Filters(brand="LEGO"))
    assert set(_ids(browse)) == {"lego-police", "lego-xwing"}


def test_names_of_deleted_products_stop_reading_as_filters(live: SearchEngine) -> None:
    live.upsert([ROCKET])
    assert live.search("rockets").filters.category == "Rockets"
    live.delete(["rocket"])
    result = live.search("rockets")
    assert result.filters.category is None and result.unmet == []


def test_changes_survive_save_and_load(live: SearchEngine, embedder: Embedder, tmp_path: Path):
    live.upsert([ROCKET])
    live.delete(["game-uno"])
    save_atomically(live, tmp_path / "index")
    loaded = SearchEngine.load(tmp_path / "index", embedder)
    assert loaded.get("rocket") == ROCKET and loaded.get("game-uno") is None
    assert [p.id for p in loaded.products] == [p.id for p in live.products]
    for query in ["model rocket", "card game", "puzzle under 20"]:
        assert _ids(loaded.search(query)) == _ids(live.search(query))


def test_save_atomically_replaces_an_existing_index(embedder: Embedder, tmp_path: Path) -> None:
    index = tmp_path / "index"
    save_atomically(SearchEngine.build(TOY_STORE[:5], embedder), index)
    save_atomically(SearchEngine.build(TOY_STORE, embedder), index)
    assert len(SearchEngine.load(index, embedder)) == len(TOY_STORE)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index"]


_CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from retrieval.lexical import LexicalIndex
    from retrieval.search import SearchEngine
    from retrieval.storage import save_atomically
    from tests.retrieval.conftest import TOY_STORE
    from tests.retrieval.hashing import HashEmbedder

    phase, directory, marker = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    if phase == "save":
        original = LexicalIndex.save
        def stalled(self, path):  # half the index is written when the parent kills us
            original(self, path)
            marker.touch()
            time.sleep(60)
        LexicalIndex.save = stalled
        embedder = HashEmbedder()
    else:
        class Marking(HashEmbedder):
            def embed(self, texts):
                marker.touch()
                return super().embed(texts)
        embedder = Marking(delay=1.0)
    save_atomically(SearchEngine.build(TOY_STORE[::-1] * 1, embedder), directory)
    """
)


@pytest.mark.parametrize("phase", ["build", "save"])
def test_kill_9_mid_rebuild_leaves_the_old_index_serving(phase: str, tmp_path: Path) -> None:
    embedder = HashEmbedder()
    index = tmp_path / "index"
    old = SearchEngine.build(TOY_STORE[:8], embedder)
    save_atomically(old, index)
    queries = ["lego", "puzzle", "fire station", "board game under 30"]
    before = [_ids(old.search(q)) for q in queries]

    marker = tmp_path / "marker"
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, phase, str(index), str(marker)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        deadline = time.monotonic() + 30
        while not marker.exists():
            assert child.poll() is None, "the child exited before it could be killed"
            assert time.monotonic() < deadline, "the child never reached the kill point"
            time.sleep(0.02)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    loaded = SearchEngine.load(index, embedder)
    assert [p.id for p in loaded.products] == [p.id for p in TOY_STORE[:8]]
    assert [_ids(loaded.search(q)) for q in queries] == before
    np.testing.assert_array_equal(
        loaded._vectors.vectors_at(np.arange(len(loaded._vectors))),  # noqa: SLF001
        old._vectors.vectors_at(np.arange(len(old._vectors))),  # noqa: SLF001
    )
    recover(index)  # what the next save does first: drop the half-written copy
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index", "marker"]


def test_an_index_from_an_older_version_is_rebuilt_from_its_products(
    embedder: Embedder, tmp_path: Path
) -> None:
    engine = SearchEngine.build(TOY_STORE[:6], embedder)
    engine.delete([TOY_STORE[1].id])
    engine.save(tmp_path / "index")
    meta = tmp_path / "index" / "meta.json"
    meta.write_text(meta.read_text().replace('"format": 4', '"format": 3'))
    with pytest.raises(IndexMismatchError):
        SearchEngine.load(tmp_path / "index", embedder)

    rebuilt = SearchEngine.rebuild(tmp_path / "index", embedder)

    assert [p.id for p in rebuilt.products] == [p.id for p in engine.products]
    assert [h.product.id for h in rebuilt.search("puzzle").hits] == [
        h.product.id for h in engine.search("puzzle").hits
    ]


def test_titles_are_found_by_their_first_words_across_changes(
    embedder: Embedder, tmp_path: Path
) -> None:
    engine = SearchEngine.build(TOY_STORE[:4], embedder)
    first = [w.lower() for w in TOY_STORE[0].title.split()[:3]]
    assert [p.id for p in engine.titled([first])] == [TOY_STORE[0].id]

    kite = Product(id="kite", title="Rainbow Delta Kite")
    engine.upsert([kite, dataclasses.replace(TOY_STORE[0], title="Fire Station Deluxe")])
    assert engine.titled([["rainbow", "delta", "kite"]]) == [kite]
    assert engine.titled([first]) == []  # replaced: its old title is gone
    engine.save(tmp_path / "index")
    loaded = SearchEngine.load(tmp_path / "index", embedder)
    assert loaded.titled([["rainbow", "delta", "kite"]]) == [kite]
    loaded.delete(["kite"])
    assert loaded.titled([["rainbow", "delta", "kite"]]) == []
    assert loaded.titled([["kite"]]) == []  # one word is never a key
