"""RP3beta (Paudel et al. 2017): three-step random walks item -> user -> item, popularity
penalised, as a sparse item-item model."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.sparse import csr_matrix, diags

from recommenders.base import row_batches
from recommenders.errors import RecommenderError
from recommenders.item_item import ItemItemRecommender, TopNeighbours


class RP3betaRecommender(ItemItemRecommender):
    """W[i, j] = sum_u P(u | i)^alpha P(j | u)^alpha / popularity(j)^beta, top `neighbours`
    per item i; a user's scores are history weights x W.

    P(u | i) and P(j | u) are the row-normalised binary interactions. `beta` > 0 lowers
    popular items; `alpha` < 1 flattens the walk. The inherited `explain` applies:
    `similarities(items)[i, h]` is W[h, items[i]], what history item h gives the item.
    """

    name = "rp3beta"

    def __init__(self, alpha: float = 0.5, beta: float = 0.5, neighbours: int = 300) -> None:
        if alpha <= 0 or beta < 0 or neighbours < 1:
            raise RecommenderError("rp3beta needs alpha > 0, beta >= 0 and neighbours >= 1")
        self.alpha = alpha
        self.beta = beta
        self.neighbours = neighbours

    @property
    def params(self) -> dict[str, Any]:
        return {"alpha": self.alpha, "beta": self.beta, "neighbours": self.neighbours}

    def fit(self, user_items: csr_matrix) -> None:
        matrix = csr_matrix(user_items, dtype=np.float64, copy=True)
        matrix.eliminate_zeros()
        matrix.data[:] = 1.0
        user_degree = np.asarray(matrix.sum(axis=1)).reshape(-1)
        item_degree = np.asarray(matrix.sum(axis=0)).reshape(-1)
        to_item = diags(1.0 / np.maximum(user_degree, 1.0)) @ matrix
        to_user = (matrix @ diags(1.0 / np.maximum(item_degree, 1.0))).T.tocsr()
        to_item.data **= self.alpha
        to_user.data **= self.alpha
        penalty = 1.0 / np.maximum(item_degree, 1.0) ** self.beta
        n_items = matrix.shape[1]
        neighbours = TopNeighbours(self.neighbours)
        for batch in row_batches(n_items, n_items):
            walk = (to_user[batch] @ to_item).toarray() * penalty
            items = np.arange(n_items)[batch]
            walk[walk <= 0] = -np.inf
            walk[np.arange(len(items)), items] = -np.inf
            neighbours.add(items, walk)
        self._set(neighbours.matrix(n_items))

    def similarities(self, items: np.ndarray) -> np.ndarray:
        """Row i holds W[h, items[i]] over h; -inf where zero."""
        transposed = self._fitted(self._transposed)
        similarities = transposed[np.asarray(items, dtype=np.int64)].toarray()
        similarities[similarities <= 0] = -np.inf
        return similarities
