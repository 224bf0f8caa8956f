"""Next-item transitions: an item-item model of what users take next, for ordered histories.

W[i, j] counts how often j follows i within `window` steps of a user's history (a step of
gap g weighs 0.5**(g - 1); j preceding i counts `backward` times as much), and each row is
scaled to a largest value of 1. A user's scores are their history weights times W, so
recency-weighted histories (the last item weighing most) make it a first-order Markov chain
smoothed over the recent past.

Order comes from the weights: `fit` reads each user's history oldest first as their items
sorted by increasing weight (ties keep column order, i.e. carry no order). Matrices made
for this model should therefore weigh later events more, e.g. position / length (what the
protocols pass, see `Recommender.sequential`); queries work best with decay**distance.
The service's event-weighted matrix carries no such order: trained from it, the model
counts transitions in column order among equally weighted events, so give it a matrix whose
weights grow with the event time when order matters.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.sparse import csr_matrix, diags

from recommenders.base import explain_row, largest
from recommenders.errors import RecommenderError
from recommenders.item_item import ItemItemRecommender

GAP_DECAY = 0.5
"""A transition over gap g (g - 1 items in between) weighs GAP_DECAY ** (g - 1)."""


class TransitionRecommender(ItemItemRecommender):
    """Item-to-next-item counts, row-max normalised; see the module docstring for order."""

    name = "transitions"
    sequential = True

    def __init__(self, window: int = 1, backward: float = 0.0) -> None:
        if window < 1 or backward < 0:
            raise RecommenderError("transitions needs window >= 1 and backward >= 0")
        self.window = window
        self.backward = backward

    @property
    def params(self) -> dict[str, Any]:
        return {"window": self.window, "backward": self.backward}

    def fit(self, user_items: csr_matrix) -> None:
        matrix = csr_matrix(user_items, dtype=np.float64, copy=True)
        matrix.eliminate_zeros()
        matrix.sort_indices()
        n_items = matrix.shape[1]
        sources, targets, values = [], [], []
        lengths = np.diff(matrix.indptr)
        for row in np.flatnonzero(lengths > 1):
            start, end = matrix.indptr[row], matrix.indptr[row + 1]
            ordered = matrix.indices[start:end][np.argsort(matrix.data[start:end], kind="stable")]
            for gap in range(1, min(self.window, len(ordered) - 1) + 1):
                weight = GAP_DECAY ** (gap - 1)
                earlier, later = ordered[:-gap], ordered[gap:]
                sources += [earlier, later]
                targets += [later, earlier]
                values += [
                    np.full(len(earlier), weight),
                    np.full(len(earlier), weight * self.backward),
                ]
        if sources:
            counts = csr_matrix(
                (np.concatenate(values), (np.concatenate(sources), np.concatenate(targets))),
                shape=(n_items, n_items),
            )
        else:
            counts = csr_matrix((n_items, n_items))
        counts.sum_duplicates()
        counts.setdiag(0)
        counts.eliminate_zeros()
        largest_count = counts.max(axis=1).toarray().reshape(-1)
        largest_count[largest_count == 0] = 1.0
        self._set(csr_matrix(diags(1.0 / largest_count) @ counts, dtype=np.float32))

    def similarities(self, items: np.ndarray) -> np.ndarray:
        """Row i: W[items[i]], what tends to follow the item; -inf where nothing does."""
        weights = self._fitted(self._weights)
        similarities = weights[np.asarray(items, dtype=np.int64)].toarray()
        similarities[similarities <= 0] = -np.inf
        return similarities

    def explain(
        self, user_row: int, user_items: csr_matrix, item: int, top: int = 3
    ) -> list[tuple[int, float]]:
        """History item h contributes weight_h x W[h, item]; the parts sum to the score."""
        history = explain_row(user_items)
        column = self._fitted(self._transposed)[item].toarray().reshape(-1)
        contributions = history.data.astype(np.float64) * column[history.indices]
        return largest(history.indices, contributions, top)
