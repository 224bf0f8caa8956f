from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval.errors import IndexNotBuiltError
from retrieval.vector_index import VectorIndex, default_ef_search


def _unit(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    vectors = rng.standard_normal((n, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _brute_force(queries: np.ndarray, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    scores = queries.astype(np.float64) @ vectors.T.astype(np.float64)
    positions = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(scores, positions, axis=1), positions


def test_exact_search_matches_numpy_brute_force() -> None:
    rng = np.random.default_rng(0)
    vectors, queries = _unit(rng, 2000, 32), _unit(rng, 25, 32)
    index = VectorIndex.build(vectors)

    scores, positions = index.search(queries, 10)

    assert index.is_exact and len(index) == 2000 and index.dim == 32
    want_scores, want_positions = _brute_force(queries, vectors, 10)
    np.testing.assert_array_equal(positions, want_positions)
    np.testing.assert_allclose(scores, want_scores, rtol=1e-5, atol=1e-6)
    assert scores.dtype == np.float32 and positions.dtype == np.int64
    subset = np.array([5, 17, 1999])
    np.testing.assert_allclose(
        index.scores(queries, subset), queries @ vectors[subset].T, atol=1e-6
    )


def test_search_returns_at_most_len_results() -> None:
    index = VectorIndex.build(_unit(np.random.default_rng(1), 3, 8))
    scores, positions = index.search(_unit(np.random.default_rng(2), 2, 8), 10)
    assert scores.shape == positions.shape == (2, 3)
    with pytest.raises(ValueError):
        index.search(np.zeros((1, 7), dtype=np.float32), 1)
    with pytest.raises(ValueError):
        index.search(np.zeros((1, 8), dtype=np.float32), 0)


def test_hnsw_recall_against_exact(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    vectors, queries = _unit(rng, 5000, 48), _unit(rng, 100, 48)
    hnsw = VectorIndex.build(vectors, exact_threshold=1000)
    exact = VectorIndex.build(vectors)

    _, found = hnsw.search(queries, 10)
    _, truth = exact.search(queries, 10)

    assert not hnsw.is_exact
    recall = np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth, strict=True)])
    assert recall >= 0.95
    hnsw.save(tmp_path)
    loaded = VectorIndex.load(tmp_path)
    assert not loaded.is_exact
    np.testing.assert_array_equal(loaded.search(queries, 10)[1], found)


def test_exact_index_round_trips(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    vectors, queries = _unit(rng, 50, 16), _unit(rng, 3, 16)
    index = VectorIndex.build(vectors)
    index.save(tmp_path / "idx")
    loaded = VectorIndex.load(tmp_path / "idx")
    assert loaded.is_exact
    np.testing.assert_array_equal(loaded.search(queries, 5)[1], index.search(queries, 5)[1])
    with pytest.raises(IndexNotBuiltError):
        VectorIndex.load(tmp_path / "nothing-here")


def test_hnsw_keeps_one_8bit_copy_that_rescoring_decodes(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    vectors, queries = _unit(rng, 3000, 32), _unit(rng, 4, 32)
    index = VectorIndex.build(vectors, exact_threshold=1000)

    positions = np.array([0, 17, 2999])
    decoded = index.vectors_at(positions)
    exact = queries @ vectors[positions].T

    # One byte per dimension: close to, but not exactly, the float32 vectors.
    np.testing.assert_allclose(decoded, vectors[positions], atol=0.02)
    np.testing.assert_allclose(index.scores(queries, positions), exact, atol=0.02)
    np.testing.assert_allclose(index.scores(queries)[:, positions], queries @ decoded.T, atol=1e-5)
    index.save(tmp_path)
    assert not (tmp_path / "vectors.npy").exists()  # the graph holds the only copy


def test_added_appends_without_touching_earlier_positions() -> None:
    rng = np.random.default_rng(6)
    first, more, queries = _unit(rng, 10, 8), _unit(rng, 30, 8), _unit(rng, 2, 8)
    index = VectorIndex.build(first)
    for row in more:  # one at a time: the matrix grows by half when full, not per row
        index = index.added(row[None])

    everything = np.concatenate([first, more])
    assert len(index) == 40
    np.testing.assert_allclose(index.scores(queries), queries @ everything.T, atol=1e-6)
    np.testing.assert_array_equal(
        index.search(queries, 5)[1], _brute_force(queries, everything, 5)[1]
    )
    with pytest.raises(ValueError):
        index.added(np.zeros((1, 7), dtype=np.float32))


def test_hnsw_grows_in_place() -> None:
    rng = np.random.default_rng(7)
    vectors, more = _unit(rng, 2000, 16), _unit(rng, 5, 16)
    grown = VectorIndex.build(vectors, exact_threshold=1000).added(more)
    assert len(grown) == 2005 and not grown.is_exact
    assert grown.search(more[2:3], 1)[1][0, 0] == 2002


def test_ef_search_grows_with_the_graph() -> None:
    assert default_ef_search(5_000) == default_ef_search(100_000) == 256
    assert default_ef_search(200_000) == 512
    assert default_ef_search(1_000_000) == default_ef_search(10_000_000) == 1024
    index = VectorIndex.build(_unit(np.random.default_rng(8), 1500, 8), exact_threshold=1000)
    assert index.ef_search == 256
    index.ef_search = 64
    assert index.added(_unit(np.random.default_rng(9), 1, 8)).ef_search == 64


def test_an_exact_index_grown_past_the_threshold_is_saved_as_hnsw(tmp_path: Path) -> None:
    rng = np.random.default_rng(10)
    vectors, queries = _unit(rng, 1200, 16), _unit(rng, 20, 16)
    grown = VectorIndex.build(vectors[:900], exact_threshold=1000).added(vectors[900:])
    assert grown.is_exact  # still exact in memory: no graph is built during an upsert
    grown.save(tmp_path)
    assert not grown.is_exact  # from now on it grows the graph: later saves reuse it
    loaded = VectorIndex.load(tmp_path)
    assert not loaded.is_exact and len(loaded) == 1200
    found, truth = loaded.search(queries, 10)[1], _brute_force(queries, vectors, 10)[1]
    assert np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth, strict=True)]) >= 0.9
