"""Implicit-feedback matrix factorisation (Hu, Koren & Volinsky 2008) on implicit's CPU ALS."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import scipy.linalg
from implicit.cpu.als import AlternatingLeastSquares
from scipy.sparse import csr_matrix

from recommenders.base import explain_row, largest
from recommenders.errors import RecommenderError
from recommenders.factor import ImplicitFactorRecommender

logger = logging.getLogger(__name__)


class ALSRecommender(ImplicitFactorRecommender):
    """Alternating least squares with the conjugate-gradient solver.

    The user-item weights, times `alpha`, are the confidences. OpenBLAS is held to one thread
    while fitting (implicit parallelises itself over `threads`). Items without interactions
    get no score; a user given as row -1 is solved from their history on the fly.
    """

    name = "als"

    def __init__(
        self,
        factors: int = 64,
        regularization: float = 0.05,
        iterations: int = 15,
        alpha: float = 5.0,
        threads: int = 1,
        random_state: int | None = 0,
    ) -> None:
        if factors < 1 or iterations < 1 or threads < 0 or regularization < 0 or alpha <= 0:
            raise RecommenderError(
                "als needs factors >= 1, iterations >= 1, threads >= 0, regularization >= 0 "
                "and alpha > 0"
            )
        self.factors = factors
        self.regularization = regularization
        self.iterations = iterations
        self.alpha = alpha
        self.threads = threads
        self.random_state = random_state

    @property
    def params(self) -> dict[str, Any]:
        return {
            "factors": self.factors,
            "regularization": self.regularization,
            "iterations": self.iterations,
            "alpha": self.alpha,
            "threads": self.threads,
            "random_state": self.random_state,
        }

    def explain(
        self, user_row: int, user_items: csr_matrix, item: int, top: int = 3
    ) -> list[tuple[int, float]]:
        """implicit's `explain`, vectorised: with W = (YᵀCY + λI)⁻¹ solved from the user's
        history, history item j contributes c_j · y_itemᵀ W y_j, and these sum to the score."""
        model = self._fitted(self._model)
        history = explain_row(user_items)
        if not self._known_items()[item] or history.nnz == 0:
            return []
        confidence = self.alpha * history.data.astype(np.float64)
        factors = model.item_factors[history.indices].astype(np.float64)
        system = (
            model.YtY.astype(np.float64)
            + self.regularization * np.eye(self.factors)
            + (factors.T * (np.abs(confidence) - 1.0)) @ factors
        )
        try:
            weighted = scipy.linalg.cho_solve(
                scipy.linalg.cho_factor(system), model.item_factors[item].astype(np.float64)
            )
        except scipy.linalg.LinAlgError:
            logger.warning("als: cannot explain item %d for user row %d", item, user_row)
            return []
        contributions = np.where(confidence > 0, (factors @ weighted) * confidence, 0.0)
        return largest(history.indices, contributions, top)

    def _fold_in(self, history: csr_matrix) -> np.ndarray:
        model = self._fitted(self._model)
        return model.recalculate_user(np.arange(history.shape[0]), history)

    def _implicit(self) -> AlternatingLeastSquares:
        return AlternatingLeastSquares(
            factors=self.factors,
            regularization=self.regularization,
            alpha=self.alpha,
            iterations=self.iterations,
            num_threads=self.threads,
            random_state=self.random_state,
        )
