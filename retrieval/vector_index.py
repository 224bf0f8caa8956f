"""Inner-product nearest-neighbour search over unit vectors: exact with numpy for small
collections, FAISS HNSW over 8-bit vectors for large ones."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from . import ranking
from .errors import IndexNotBuiltError, RetrievalError

logger = logging.getLogger(__name__)

VECTORS_FILE = "vectors.npy"
HNSW_FILE = "hnsw.faiss"

# Cap on the size of one (queries x vectors) score block, in floats (64 MiB).
_BLOCK = 1 << 24
# Vectors decoded at once from the 8-bit HNSW storage when re-scoring (24 MiB at 384 dims).
_DECODE_ROWS = 1 << 14
# Vectors the 8-bit quantiser's per-dimension ranges are trained on.
_TRAIN_ROWS = 100_000
EXACT_THRESHOLD = 50_000
"""From this many vectors on, an index is an HNSW graph rather than exact."""
HNSW_M = 32
EF_CONSTRUCTION = 200


def default_ef_search(count: int) -> int:
    """efSearch for an HNSW graph of ``count`` vectors: 256 up to 100k, then in
    proportion to the count, up to 1024. Measured on a million (docs/benchmarks.md,
    "search-speed"): recall@10 0.63 at 256, 0.87 at 1024 (0.993 within epsilon 0.01),
    for 1.1 ms a query."""
    return int(min(1024, max(256, 256 * count / 100_000)))


def _hnsw_graph(vectors: np.ndarray, m: int, ef_construction: int) -> Any:
    """A FAISS HNSW graph (``m`` links a node) over ``vectors`` quantised to 8 bits."""
    import faiss

    hnsw = faiss.IndexHNSWSQ(
        vectors.shape[1],
        faiss.ScalarQuantizer.QT_8bit,  # type: ignore[arg-type]  # an enum int in SWIG
        m,
        faiss.METRIC_INNER_PRODUCT,
    )
    hnsw.hnsw.efConstruction = ef_construction
    hnsw.train(vectors[:: max(1, len(vectors) // _TRAIN_ROWS)])
    hnsw.add(vectors)
    logger.info("built HNSW index (M=%d, 8-bit) over %d vectors", m, len(vectors))
    return hnsw


class VectorIndex:
    """Top-k inner-product search over a set of unit-length vectors, addressed by
    position (row number).

    Below ``exact_threshold`` vectors the index is a float32 matrix and search is exact
    (a numpy matrix product, which beats FAISS flat for single queries at this size).
    From it on, a FAISS HNSW graph (``hnsw_m`` links per node) answers approximately,
    and it holds the only copy of the vectors, scalar-quantised to one byte per
    dimension (ranges trained on the vectors it is built from): at a million 384-d
    vectors that is 0.4 GB instead of 1.5 GB for float32, or 3 GB for float32 kept
    both in numpy and in FAISS. Exact re-scoring (:meth:`scores`) decodes the 8-bit
    vectors, so it agrees with the graph's own scores.

    Measured at 100k vectors mixed from real MiniLM embeddings (with noise 0.02, harder
    than real embeddings), recall@10 against exact float32 search: at efConstruction
    100 the 8-bit graph recalls nearly as well as a float32 one (0.916 vs 0.924 at
    efSearch 256) and builds in 46 s instead of 69 s; efConstruction 200 lifts it to
    0.955.
    """

    def __init__(
        self,
        vectors: np.ndarray | None = None,
        hnsw: Any = None,
        *,
        ef_search: int | None = None,
        exact_threshold: int = EXACT_THRESHOLD,
    ) -> None:
        if (vectors is None) == (hnsw is None):
            raise ValueError("give either vectors (exact index) or an HNSW graph")
        if vectors is not None:
            if vectors.ndim != 2:
                raise ValueError(f"vectors must be 2-D, got shape {vectors.shape}")
            vectors = np.ascontiguousarray(vectors, dtype=np.float32)
            self._dim = int(vectors.shape[1])
        else:
            self._dim = int(hnsw.d)
        self._buffer = vectors
        """Exact index: rows ``[:len(self)]`` are the vectors; the rest is room to grow
        into, shared with the index that :meth:`added` returns."""
        self._count = len(vectors) if vectors is not None else int(hnsw.ntotal)
        self._hnsw = hnsw
        self._ef_search = ef_search
        self.exact_threshold = exact_threshold
        """An exact index grown to this size by :meth:`added` is saved as an HNSW graph."""

    @classmethod
    def build(
        cls,
        vectors: np.ndarray,
        *,
        exact_threshold: int = EXACT_THRESHOLD,
        hnsw_m: int = HNSW_M,
        ef_construction: int = EF_CONSTRUCTION,
        ef_search: int | None = None,
    ) -> VectorIndex:
        """Index ``vectors`` (n, d); builds an HNSW graph when n >= ``exact_threshold``."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if len(vectors) < exact_threshold:
            return cls(vectors, ef_search=ef_search, exact_threshold=exact_threshold)
        hnsw = _hnsw_graph(vectors, hnsw_m, ef_construction)
        return cls(hnsw=hnsw, ef_search=ef_search, exact_threshold=exact_threshold)

    def __len__(self) -> int:
        return self._count

    def added(self, vectors: np.ndarray) -> VectorIndex:
        """A new index with ``vectors`` appended at the next positions, without copying
        the existing ones: an HNSW graph grows in place (so this index must not be
        searched afterwards), an exact one appends into spare room in its matrix (grown
        by half when full), so this index must not be extended again."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[1] != self.dim:
            raise ValueError(f"vectors must have shape (n, {self.dim}), got {vectors.shape}")
        if self._hnsw is not None:
            if len(vectors):
                self._hnsw.add(vectors)
            return VectorIndex(
                hnsw=self._hnsw, ef_search=self._ef_search, exact_threshold=self.exact_threshold
            )
        assert self._buffer is not None
        count = self._count + len(vectors)
        buffer = self._buffer
        if count > len(buffer):
            buffer = np.empty((max(count, len(buffer) * 3 // 2), self.dim), dtype=np.float32)
            buffer[: self._count] = self._buffer[: self._count]
        buffer[self._count : count] = vectors
        index = VectorIndex(buffer, ef_search=self._ef_search, exact_threshold=self.exact_threshold)
        index._count = count
        return index

    @property
    def ef_search(self) -> int:
        """How many candidates an HNSW search explores: as set, or
        :func:`default_ef_search` for the index's size."""
        return default_ef_search(len(self)) if self._ef_search is None else self._ef_search

    @ef_search.setter
    def ef_search(self, value: int) -> None:
        self._ef_search = value

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def is_exact(self) -> bool:
        """True when :meth:`search` is exact (no HNSW graph)."""
        return self._hnsw is None

    def vector(self, position: int) -> np.ndarray:
        """The (decoded) vector at ``position``."""
        return self.vectors_at(np.array([position]))[0]

    def vectors_at(self, positions: np.ndarray) -> np.ndarray:
        """The (decoded) vectors at ``positions``: float32, ``(len(positions), dim)``."""
        positions = np.asarray(positions, dtype=np.int64)
        if self._hnsw is None:
            return self._matrix[positions]
        if len(positions) == 0:
            return np.empty((0, self.dim), dtype=np.float32)
        return self._hnsw.reconstruct_batch(positions)

    @property
    def _matrix(self) -> np.ndarray:
        assert self._buffer is not None
        return self._buffer[: self._count]

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
        matrix = self._matrix
        rows = max(1, _BLOCK // max(len(self), 1))
        blocks = [
            ranking.top_k(queries[start : start + rows] @ matrix.T, k)
            for start in range(0, len(queries), rows)
        ]
        positions = np.concatenate([block[0] for block in blocks]).astype(np.int64)
        scores = np.concatenate([block[1] for block in blocks])
        return scores, positions

    def scores(self, queries: np.ndarray, positions: np.ndarray | None = None) -> np.ndarray:
        """Exact inner products of each query with the vectors at ``positions`` (all
        vectors when None): shape ``(len(queries), len(positions))``. From an HNSW
        index the vectors are decoded a block at a time, never all at once."""
        queries = self._check(queries)
        if self._hnsw is None:
            matrix = self._matrix
            return queries @ (matrix if positions is None else matrix[positions]).T
        if positions is None:
            positions = np.arange(len(self))
        return np.concatenate(
            [
                queries @ self.vectors_at(positions[start : start + _DECODE_ROWS]).T
                for start in range(0, len(positions), _DECODE_ROWS)
            ]
            or [np.empty((len(queries), 0), dtype=np.float32)],
            axis=1,
        )

    def save(self, directory: Path) -> None:
        """Write ``vectors.npy`` (exact index) or ``hnsw.faiss`` (HNSW) to ``directory``.
        An exact index that upserts have grown to :attr:`exact_threshold` becomes an HNSW
        graph here (built once, while searches go on with the matrix, which is kept:
        one may be under way) and is saved as one."""
        directory.mkdir(parents=True, exist_ok=True)
        graph, matrix = directory / HNSW_FILE, directory / VECTORS_FILE
        if self._hnsw is None and len(self) >= self.exact_threshold:
            self._hnsw = _hnsw_graph(self._matrix, HNSW_M, EF_CONSTRUCTION)
        if self._hnsw is not None:
            import faiss

            faiss.write_index(self._hnsw, str(graph))
            matrix.unlink(missing_ok=True)
        else:
            np.save(matrix, self._matrix)
            graph.unlink(missing_ok=True)

    @classmethod
    def load(cls, directory: Path, *, ef_search: int | None = None) -> VectorIndex:
        """Read an index written by :meth:`save`."""
        graph, matrix = directory / HNSW_FILE, directory / VECTORS_FILE
        if not graph.exists() and not matrix.exists():
            raise IndexNotBuiltError(f"no vector index in {directory}")
        try:
            if graph.exists():
                import faiss

                return cls(hnsw=faiss.read_index(str(graph)), ef_search=ef_search)
            return cls(np.load(matrix), ef_search=ef_search)
        except (OSError, ValueError, RuntimeError) as exc:
            raise RetrievalError(f"cannot read the vector index in {directory}: {exc}") from exc

    def _check(self, queries: np.ndarray) -> np.ndarray:
        if queries.ndim != 2 or queries.shape[1] != self.dim:
            raise ValueError(f"queries must have shape (n, {self.dim}), got {queries.shape}")
        return np.ascontiguousarray(queries, dtype=np.float32)
