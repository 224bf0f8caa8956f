"""What every model built on a sparse item-item weight matrix W shares: holding W and its
transpose, and saving/restoring W."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from scipy.sparse import csr_matrix

from recommenders.base import Recommender
from retrieval.ranking import top_k


class TopNeighbours:
    """Collects each item's `k` best-scoring other items, batch by batch, into a sparse W."""

    def __init__(self, k: int) -> None:
        self.k = k
        self._rows: list[np.ndarray] = []
        self._columns: list[np.ndarray] = []
        self._values: list[np.ndarray] = []

    def add(self, items: np.ndarray, scores: np.ndarray) -> None:
        """`scores[i]` scores every item for `items[i]` (-inf: never a neighbour)."""
        ids, best = top_k(scores, self.k)
        kept = best > -np.inf
        self._rows.append(np.broadcast_to(items[:, None], ids.shape)[kept])
        self._columns.append(ids[kept])
        self._values.append(best[kept])

    def matrix(self, n_items: int) -> csr_matrix:
        return csr_matrix(
            (
                np.concatenate(self._values),
                (np.concatenate(self._rows), np.concatenate(self._columns)),
            ),
            shape=(n_items, n_items),
            dtype=np.float32,
        )


class ItemItemRecommender(Recommender):
    """A recommender whose model is a sparse item x item matrix `W` (scores = history · W)."""

    _weights: csr_matrix | None = None
    _transposed: csr_matrix | None = None

    def scores(self, user_rows: np.ndarray, user_items: csr_matrix) -> np.ndarray:
        """History weights x W; -inf where nothing in the history leads to the item."""
        weights = self._fitted(self._weights)
        scores = (csr_matrix(user_items, dtype=np.float32) @ weights).toarray()
        scores[scores <= 0] = -np.inf
        return scores

    def _set(self, weights: csr_matrix) -> None:
        weights.sort_indices()
        self._weights = weights
        self._transposed = weights.T.tocsr()

    def _state(self) -> dict[str, np.ndarray]:
        weights = self._fitted(self._weights)
        return {
            "data": weights.data,
            "indices": weights.indices,
            "indptr": weights.indptr,
            "shape": np.asarray(weights.shape),
        }

    def _restore(self, state: Mapping[str, np.ndarray]) -> None:
        shape = tuple(int(n) for n in state["shape"])
        self._set(csr_matrix((state["data"], state["indices"], state["indptr"]), shape=shape))
