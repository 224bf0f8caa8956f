"""What every model built on a sparse item-item weight matrix W shares: holding W and its
transpose, and saving/restoring W."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from scipy.sparse import csr_matrix

from recommenders.base import Recommender


class ItemItemRecommender(Recommender):
    """A recommender whose model is a sparse item x item matrix `W` (scores = history · W)."""

    _weights: csr_matrix | None = None
    _transposed: csr_matrix | None = None

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
