"""Inner-product nearest-neighbour search over unit vectors: exact with numpy for small
collections, FAISS HNSW for large ones."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from .errors import IndexNotBuiltError, RetrievalError

logger = logging.getLogger(__name__)

VECTORS_FILE = "vectors.npy"
HNSW_FILE = "hnsw.faiss"

# Cap on the size of one (queries x vectors) score block, in floats (64 MiB).
_BLOCK = 1 << 24


def top_k(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise top ``k`` of a 2-D score array, best first: ``(scores, columns)``, each
    of shape ``(rows, min(k, columns))``. Ties keep the lower column first."""
    if k < 1:
        raise ValueError("k must be at least 1")
    k = min(k, scores.shape[1])
    if k < scores.shape[1]:
        columns = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        columns.sort(axis=1)
    else:
        columns = np.broadcast_to(np.arange(scores.shape[1]), scores.shape)
    picked = np.take_along_axis(scores, columns, axis=1)
    order = np.argsort(-picked, axis=1, kind="stable")
    return np.take_along_axis(picked, order, axis=1), np.take_along_axis(columns, order, axis=1)


class VectorIndex:
    """Top-k inner-product search over a fixed set of unit-length float32 vectors,
    addressed by position (row number).

    Below ``exact_threshold`` vectors the search is exact (a numpy matrix product, which
    beats FAISS flat for single queries at this size); from it on, a FAISS HNSW graph
    (``hnsw_m`` links per node) answers approximately. The vectors themselves are kept
    either way, for exact re-scoring (:meth:`scores`) and filtered search.
    """

    def __init__(self, vectors: np.ndarray, hnsw: Any = None, *, ef_search: int = 128) -> None:
        if vectors.ndim != 2:
            raise ValueError(f"vectors must be 2-D, got shape {vectors.shape}")
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self._hnsw = hnsw
        self.ef_search = ef_search

    @classmethod
    def build(
        cls,
        vectors: np.ndarray,
        *,
        exact_threshold: int = 50_000,
        hnsw_m: int = 32,
        ef_construction: int = 200,
        ef_search: int = 128,
    ) -> VectorIndex:
        """Index ``vectors`` (n, d); builds an HNSW graph when n >= ``exact_threshold``."""
        index = cls(vectors, ef_search=ef_search)
        if len(index) >= exact_threshold:
            import faiss

            hnsw = faiss.IndexHNSWFlat(index.dim, hnsw_m, faiss.METRIC_INNER_PRODUCT)
            hnsw.hnsw.efConstruction = ef_construction
            hnsw.add(index.vectors)
            index._hnsw = hnsw
            logger.info("built HNSW index (M=%d) over %d vectors", hnsw_m, len(index))
        return index

    def __len__(self) -> int:
        return int(self.vectors.shape[0])

    def added(self, vectors: np.ndarray) -> VectorIndex:
        """A new index with ``vectors`` appended at the next positions. An HNSW graph
        is extended in place (FAISS adds without a rebuild), so this index must not be
        searched afterwards; the exact index copies its matrix."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[1] != self.dim:
            raise ValueError(f"vectors must have shape (n, {self.dim}), got {vectors.shape}")
        if self._hnsw is not None and len(vectors):
            self._hnsw.add(vectors)
        return VectorIndex(
            np.concatenate([self.vectors, vectors]), self._hnsw, ef_search=self.ef_search
        )

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    @property
    def is_exact(self) -> bool:
        """True when :meth:`search` is exact (no HNSW graph)."""
        return self._hnsw is None

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best vectors for each query row: ``(scores, positions)``, each
        ``(len(queries), min(k, len(self)))``, best first. HNSW may find fewer than k
        for a query; the missing slots hold position -1 and score -inf."""
        queries = self._check(queries)
        if k < 1:
            raise ValueError("k must be at least 1")
        k = min(k, len(self))
        if k == 0:
            empty = np.empty((len(queries), 0))
            return empty.astype(np.float32), empty.astype(np.int64)
        if self._hnsw is not None:
            import faiss

            # Per-call parameters keep concurrent searches from racing on hnsw.efSearch.
            params = faiss.SearchParametersHNSW(  # type: ignore[attr-defined]  # not in stubs
                efSearch=max(self.ef_search, k)
            )
            scores, positions = self._hnsw.search(queries, k, params=params)
            scores[positions < 0] = -np.inf
            return scores, positions
        rows = max(1, _BLOCK // max(len(self), 1))
        blocks = [
            top_k(queries[start : start + rows] @ self.vectors.T, k)
            for start in range(0, len(queries), rows)
        ]
        scores = np.concatenate([block[0] for block in blocks])
        positions = np.concatenate([block[1] for block in blocks]).astype(np.int64)
        return scores, positions

    def scores(self, queries: np.ndarray, positions: np.ndarray | None = None) -> np.ndarray:
        """Exact inner products of each query with the vectors at ``positions`` (all
        vectors when None): shape ``(len(queries), len(positions))``."""
        queries = self._check(queries)
        if positions is None:
            return queries @ self.vectors.T
        return queries @ self.vectors[positions].T

    def save(self, directory: Path) -> None:
        """Write ``vectors.npy`` (and ``hnsw.faiss`` for an HNSW index) to ``directory``."""
        directory.mkdir(parents=True, exist_ok=True)
        np.save(directory / VECTORS_FILE, self.vectors)
        graph = directory / HNSW_FILE
        if self._hnsw is not None:
            import faiss

            faiss.write_index(self._hnsw, str(graph))
        else:
            graph.unlink(missing_ok=True)

    @classmethod
    def load(cls, directory: Path, *, ef_search: int = 128) -> VectorIndex:
        """Read an index written by :meth:`save`."""
        path = directory / VECTORS_FILE
        if not path.exists():
            raise IndexNotBuiltError(f"no vector index in {directory}")
        try:
            vectors = np.load(path)
            hnsw = None
            if (directory / HNSW_FILE).exists():
                import faiss

                hnsw = faiss.read_index(str(directory / HNSW_FILE))
        except (OSError, ValueError, RuntimeError) as exc:
            raise RetrievalError(f"cannot read the vector index in {directory}: {exc}") from exc
        if hnsw is not None and hnsw.ntotal != len(vectors):
            raise RetrievalError(
                f"{directory}: {HNSW_FILE} holds {hnsw.ntotal} vectors, {VECTORS_FILE} "
                f"{len(vectors)}; rebuild the index"
            )
        return cls(vectors, hnsw, ef_search=ef_search)

    def _check(self, queries: np.ndarray) -> np.ndarray:
        if queries.ndim != 2 or queries.shape[1] != self.dim:
            raise ValueError(f"queries must have shape (n, {self.dim}), got {queries.shape}")
        return np.ascontiguousarray(queries, dtype=np.float32)
