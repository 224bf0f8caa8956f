"""Popularity: the same ranking for everyone, the fallback for unknown users."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix

from recommenders.base import Recommender


class PopularityRecommender(Recommender):
    """Items ranked by how many distinct users interacted with them, ties broken by total
    weight. The score is that user count plus a fraction (< 1) that orders ties."""

    name = "popularity"
    personalised = False

    def __init__(self) -> None:
        self._scores: np.ndarray | None = None

    @property
    def params(self) -> dict[str, Any]:
        return {}

    def fit(self, user_items: csr_matrix) -> None:
        matrix = csr_matrix(user_items)
        users = np.asarray((matrix != 0).sum(axis=0), dtype=np.float64).reshape(-1)
        weight = np.asarray(matrix.sum(axis=0), dtype=np.float64).reshape(-1)
        distinct, ranks = np.unique(weight, return_inverse=True)
        scores = users + (ranks + 1) / (len(distinct) + 1)
        scores[users == 0] = -np.inf
        self._scores = scores

    def scores(self, user_rows: np.ndarray, user_items: csr_matrix) -> np.ndarray:
        scores = self._fitted(self._scores)
        return np.tile(scores, (len(user_rows), 1))

    def similarities(self, items: np.ndarray) -> np.ndarray:
        """Popularity knows no item similarity: all -inf."""
        scores = self._fitted(self._scores)
        return np.full((len(items), len(scores)), -np.inf, dtype=np.float32)

    def _state(self) -> dict[str, np.ndarray]:
        return {"scores": self._fitted(self._scores)}

    def _restore(self, state: Mapping[str, np.ndarray]) -> None:
        self._scores = np.asarray(state["scores"], dtype=np.float64)
