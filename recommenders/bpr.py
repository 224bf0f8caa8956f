"""Bayesian personalised ranking (Rendle et al. 2009) on implicit's CPU BPR.

implicit learns `factors + 1` columns: the last is an item bias, matched by a constant 1 in
every user vector, so a score is user · item over all columns.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from implicit.cpu.bpr import BayesianPersonalizedRanking
from scipy.sparse import csr_matrix

from recommenders.base import explain_row, largest
from recommenders.errors import RecommenderError
from recommenders.factor import ImplicitFactorRecommender

logger = logging.getLogger(__name__)


class BPRRecommender(ImplicitFactorRecommender):
    """Matrix factorisation trained by SGD on sampled (user, seen item, unseen item) triples.

    Only which items a user interacted with matters (weights are not confidences). A user
    given as row -1 is folded in as the weighted mean of their history's item vectors (BPR
    has no closed-form user solve); `explain` splits such a score exactly into those parts,
    and uses the same fold-in for trained users. Items without interactions get no score.
    """

    name = "bpr"

    def __init__(
        self,
        factors: int = 64,
        learning_rate: float = 0.01,
        regularization: float = 0.01,
        iterations: int = 100,
        threads: int = 1,
        random_state: int | None = 0,
    ) -> None:
        if factors < 1 or iterations < 1 or threads < 0 or regularization < 0:
            raise RecommenderError(
                "bpr needs factors >= 1, iterations >= 1, threads >= 0 and regularization >= 0"
            )
        if learning_rate <= 0:
            raise RecommenderError("bpr needs learning_rate > 0")
        self.factors = factors
        self.learning_rate = learning_rate
        self.regularization = regularization
        self.iterations = iterations
        self.threads = threads
        self.random_state = random_state

    @property
    def params(self) -> dict[str, Any]:
        return {
            "factors": self.factors,
            "learning_rate": self.learning_rate,
            "regularization": self.regularization,
            "iterations": self.iterations,
            "threads": self.threads,
            "random_state": self.random_state,
        }

    def explain(
        self, user_row: int, user_items: csr_matrix, item: int, top: int = 3
    ) -> list[tuple[int, float]]:
        """With the fold-in user vector sum_h w_h y_h / sum_h w_h (bias column 1), history item
        h contributes w_h (y_h · y_item) / sum_h w_h: the parts sum to the fold-in score less
        the item's bias."""
        model = self._fitted(self._model)
        history = explain_row(user_items)
        if not self._known_items()[item] or history.nnz == 0:
            return []
        weights = history.data.astype(np.float64)
        factors = model.item_factors[:, :-1].astype(np.float64)
        contributions = weights * (factors[history.indices] @ factors[item]) / weights.sum()
        return largest(history.indices, contributions, top)

    def _fold_in(self, history: csr_matrix) -> np.ndarray:
        model = self._fitted(self._model)
        totals = np.asarray(history.sum(axis=1), dtype=np.float32).reshape(-1, 1)
        users = np.ones((history.shape[0], model.item_factors.shape[1]), dtype=np.float32)
        with np.errstate(divide="ignore", invalid="ignore"):
            users[:, :-1] = np.nan_to_num((history @ model.item_factors[:, :-1]) / totals)
        return users

    def _implicit(self) -> BayesianPersonalizedRanking:
        return BayesianPersonalizedRanking(
            factors=self.factors,
            learning_rate=self.learning_rate,
            regularization=self.regularization,
            iterations=self.iterations,
            num_threads=self.threads,
            random_state=self.random_state,
        )
