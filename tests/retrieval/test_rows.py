"""Product rows kept on disk (retrieval.rows) and catalog columns (retrieval.columns)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval.catalog import Product
from retrieval.columns import CatalogColumns
from retrieval.embedder import Embedder
from retrieval.errors import RetrievalError
from retrieval.filters import Filters
from retrieval.rows import ProductRows
from retrieval.search import SearchEngine
from retrieval.storage import save_atomically

from .conftest import TOY_STORE


def _ids(products: object) -> list[str]:
    return [p.id for p in products]  # type: ignore[attr-defined]


def test_rows_round_trip_through_a_file(tmp_path: Path) -> None:
    path = tmp_path / "products.jsonl"
    ProductRows(TOY_STORE[:5]).write(path)
    stored = ProductRows.open(path)

    assert len(stored) == 5 and stored[2] == TOY_STORE[2] and stored[-1] == TOY_STORE[4]
    assert stored[1:4] == TOY_STORE[1:4]
    with pytest.raises(IndexError):
        stored[5]
    # Added rows live in memory; writing again copies the stored bytes and adds them.
    grown = stored.appended(TOY_STORE[5:8])
    assert len(stored) == 5 and _ids(grown) == _ids(TOY_STORE[:8])
    assert [len(chunk) for chunk in grown.chunks(size=3)] == [3, 2, 3]
    (tmp_path / "again").mkdir()
    grown.write(tmp_path / "again" / "products.jsonl")
    assert list(ProductRows.open(tmp_path / "again" / "products.jsonl")) == TOY_STORE[:8]


def test_subset_reads_only_the_wanted_rows(tmp_path: Path) -> None:
    ProductRows(TOY_STORE[:6]).write(tmp_path / "products.jsonl")
    rows = ProductRows.open(tmp_path / "products.jsonl").appended(TOY_STORE[6:9])
    live = rows.subset(np.array([0, 4, 5, 7]))

    assert len(live) == 4 and live[1] == TOY_STORE[4] and live[-1] == TOY_STORE[7]
    assert _ids(live) == _ids([TOY_STORE[i] for i in (0, 4, 5, 7)])
    assert _ids(live[1:3]) == _ids(TOY_STORE[4:6])


def test_a_truncated_products_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "products.jsonl"
    ProductRows(TOY_STORE[:3]).write(path)
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ValueError, match="offsets"):
        ProductRows.open(path)


def test_columns_joined_equal_columns_of_the_whole() -> None:
    whole = CatalogColumns(TOY_STORE)
    joined = CatalogColumns.joined([CatalogColumns(TOY_STORE[:4]), CatalogColumns(TOY_STORE[4:])])
    everything = np.arange(len(TOY_STORE))
    assert joined.facets(everything) == whole.facets(everything)
    alive = np.ones(len(TOY_STORE), dtype=bool)
    assert joined.vocabulary(alive) == whole.vocabulary(alive)
    for name in ("prices", "ratings", "in_stock", "age_low", "pieces"):
        np.testing.assert_array_equal(getattr(joined, name), getattr(whole, name))


def test_columns_round_trip(tmp_path: Path) -> None:
    columns = CatalogColumns(TOY_STORE)
    columns.save(tmp_path)
    loaded = CatalogColumns.load(tmp_path)

    everything = np.arange(len(TOY_STORE))
    alive = np.ones(len(TOY_STORE), dtype=bool)
    assert loaded.ids == [p.id for p in TOY_STORE]
    assert loaded.facets(everything) == columns.facets(everything)
    assert loaded.vocabulary(alive) == columns.vocabulary(alive)
    for filters in (Filters(color="blue"), Filters(size="m"), Filters(age_min=3, price_max=30)):
        np.testing.assert_array_equal(loaded.mask(filters), columns.mask(filters))


def test_vocabulary_keeps_only_live_names() -> None:
    columns = CatalogColumns(TOY_STORE)
    alive = np.array([p.brand != "Ravensburger" for p in TOY_STORE])
    assert "Ravensburger" in columns.vocabulary(np.ones(len(TOY_STORE), dtype=bool)).brands
    assert "Ravensburger" not in columns.vocabulary(alive).brands


def test_a_loaded_index_reads_products_from_disk_and_survives_a_swap(
    engine: SearchEngine, embedder: Embedder, tmp_path: Path
) -> None:
    index = tmp_path / "index"
    save_atomically(engine, index)
    loaded = SearchEngine.load(index, embedder)
    loaded.upsert([Product(id="kite", title="Rainbow delta kite", price=12.0)])
    # The folder it reads from is replaced (and the old copy deleted) by a save...
    save_atomically(loaded, index)
    # ...yet the open file still answers, and the new copy holds every row.
    assert loaded.search("fire station").hits[0].product.id == "lego-fire"
    again = SearchEngine.load(index, embedder)
    assert _ids(again.products) == _ids(loaded.products)
    assert again.get("kite") == Product(id="kite", title="Rainbow delta kite", price=12.0)


def test_rows_can_be_written_over_the_file_they_are_read_from(tmp_path: Path) -> None:
    path = tmp_path / "products.jsonl"
    ProductRows(TOY_STORE[:4]).write(path)
    grown = ProductRows.open(path).appended(TOY_STORE[4:6])
    grown.write(path)
    assert list(ProductRows.open(path)) == TOY_STORE[:6]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["offsets.npy", "products.jsonl"]


def test_saving_moves_added_rows_to_disk(
    engine: SearchEngine, embedder: Embedder, tmp_path: Path
) -> None:
    save_atomically(engine, tmp_path / "index")
    loaded = SearchEngine.load(tmp_path / "index", embedder)
    loaded.upsert([Product(id="kite", title="Rainbow delta kite", price=12.0)])
    assert loaded._rows._fresh  # noqa: SLF001 - held in memory until saved
    save_atomically(loaded, tmp_path / "index")
    assert not loaded._rows._fresh  # noqa: SLF001 - read from the saved file now
    assert loaded.get("kite") == Product(id="kite", title="Rainbow delta kite", price=12.0)


@pytest.mark.parametrize("damage", ["columns.npz", "offsets.npy", "alive.npy", "bm25"])
def test_a_damaged_index_file_gives_a_clear_error(
    engine: SearchEngine, embedder: Embedder, tmp_path: Path, damage: str
) -> None:
    index = tmp_path / "index"
    engine.save(index)
    if damage == "alive.npy":
        (index / damage).write_bytes(b"not numpy")
    elif damage == "bm25":
        (index / "bm25" / "postings.npz").write_bytes(b"PK\x03\x04 cut short")
    else:
        (index / damage).write_bytes((index / damage).read_bytes()[:40])
    with pytest.raises(RetrievalError, match="cannot read the search index"):
        SearchEngine.load(index, embedder)


def test_an_altered_row_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "products.jsonl"
    ProductRows(TOY_STORE[:3]).write(path)
    data = bytearray(path.read_bytes())
    data[1] = ord("#")  # same size: only parsing the row can tell
    path.write_bytes(bytes(data))
    rows = ProductRows.open(path)
    with pytest.raises(RetrievalError, match="row 0 is damaged"):
        rows[0]
    with pytest.raises(RetrievalError, match="row 0 is damaged"):
        list(rows)
