"""Item-based nearest neighbours: items are scored by their similarity to the user's history."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.sparse import csr_matrix

from recommenders.base import row_batches
from recommenders.errors import RecommenderError
from recommenders.item_item import ItemItemRecommender, TopNeighbours

SIMILARITIES = ("cosine", "jaccard")


class ItemKNNRecommender(ItemItemRecommender):
    """Item-item similarity on the columns of the user-item matrix, top `neighbours` per item.

    `cosine`: a.b / (|a| |b| + shrink) on the weights; `jaccard`: |A & B| / (|A | B| + shrink)
    on who interacted. An item's score for a user is the sum over the user's history of
    weight x similarity, counting only the item's own `neighbours` most similar items.
    """

    name = "itemknn"

    def __init__(self, similarity: str = "cosine", neighbours: int = 100, shrink: float = 10.0):
        if similarity not in SIMILARITIES:
            raise RecommenderError(
                f"unknown similarity {similarity!r}; use one of {', '.join(SIMILARITIES)}"
            )
        if neighbours < 1 or shrink < 0:
            raise RecommenderError("itemknn needs neighbours >= 1 and shrink >= 0")
        self.similarity = similarity
        self.neighbours = neighbours
        self.shrink = shrink

    @property
    def params(self) -> dict[str, Any]:
        return {"similarity": self.similarity, "neighbours": self.neighbours, "shrink": self.shrink}

    def fit(self, user_items: csr_matrix) -> None:
        matrix = csr_matrix(user_items, dtype=np.float64, copy=True)
        matrix.eliminate_zeros()
        if self.similarity == "jaccard":
            matrix.data[:] = 1.0
        item_users = matrix.T.tocsr()
        size = np.asarray(item_users.multiply(item_users).sum(axis=1)).reshape(-1)
        if self.similarity == "cosine":
            size = np.sqrt(size)
        n_items = matrix.shape[1]
        neighbours = TopNeighbours(self.neighbours)
        for batch in row_batches(n_items, n_items):
            overlap = (item_users[batch] @ matrix).toarray()
            items = np.arange(n_items)[batch]
            if self.similarity == "cosine":
                denominator = np.outer(size[batch], size) + self.shrink
            else:
                denominator = size[batch, None] + size[None, :] - overlap + self.shrink
            with np.errstate(divide="ignore", invalid="ignore"):
                similarity = np.where(overlap != 0, overlap / denominator, -np.inf)
            similarity[np.arange(len(items)), items] = -np.inf
            neighbours.add(items, similarity)
        self._set(neighbours.matrix(n_items))

    def scores(self, user_rows: np.ndarray, user_items: csr_matrix) -> np.ndarray:
        transposed = self._fitted(self._transposed)
        scores = (csr_matrix(user_items, dtype=np.float32) @ transposed).toarray()
        scores[scores == 0] = -np.inf
        return scores

    def similarities(self, items: np.ndarray) -> np.ndarray:
        """Each item's kept neighbours with their similarity; -inf for the rest."""
        neighbours = self._fitted(self._weights)
        similarities = neighbours[np.asarray(items)].toarray()
        similarities[similarities == 0] = -np.inf
        return similarities
