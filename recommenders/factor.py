"""What the matrix-factorisation models on `implicit` (ALS, BPR) share: fitting with BLAS held
to one thread, the mask of items seen in training, item similarities, and saving/restoring
the factors."""

from __future__ import annotations

import logging
import time
from abc import abstractmethod
from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from threadpoolctl import threadpool_limits

from recommenders.base import Recommender

logger = logging.getLogger(__name__)


class ImplicitFactorRecommender(Recommender):
    """A recommender backed by one `implicit` factor model (`_implicit()` builds it)."""

    _model: Any = None
    _known: np.ndarray | None = None

    @abstractmethod
    def _implicit(self) -> Any:
        """A new, unfitted `implicit` model with this recommender's parameters."""

    def fit(self, user_items: csr_matrix) -> None:
        matrix = csr_matrix(user_items, dtype=np.float32, copy=True)
        matrix.eliminate_zeros()
        started = time.perf_counter()
        # implicit parallelises itself over `threads`; a threaded BLAS under it oversubscribes.
        with threadpool_limits(limits=1, user_api="blas"):
            model = self._implicit()
            model.fit(matrix, show_progress=False)
        logger.info(
            "%s: fitted %d users x %d items (%d interactions) in %.2fs",
            self.name,
            *matrix.shape,
            matrix.nnz,
            time.perf_counter() - started,
        )
        self._model = model
        self._known = np.diff(matrix.tocsc().indptr) > 0

    @abstractmethod
    def _fold_in(self, history: csr_matrix) -> np.ndarray:
        """User vectors (one row per history row) for users the model was not trained on."""

    def scores(self, user_rows: np.ndarray, user_items: csr_matrix) -> np.ndarray:
        """Trained users score with their own vectors, row -1 with one folded in from
        `user_items` (no history: no scores); untrained items get none."""
        model = self._fitted(self._model)
        rows = np.asarray(user_rows, dtype=np.int64).reshape(-1)
        trained = rows >= 0
        users = np.zeros((len(rows), model.item_factors.shape[1]), dtype=np.float32)
        users[trained] = model.user_factors[rows[trained]]
        fresh = np.flatnonzero(~trained)
        if len(fresh):
            users[fresh] = self._fold_in(csr_matrix(user_items[fresh], dtype=np.float32))
        scores = users @ model.item_factors.T
        scores[:, ~self._known_items()] = -np.inf
        scores[fresh[np.diff(user_items[fresh].indptr) == 0]] = -np.inf
        return scores

    def similarities(self, items: np.ndarray) -> np.ndarray:
        """Cosine similarity of the item factors (with BPR's bias column, as implicit does);
        none for items without training interactions."""
        model = self._fitted(self._model)
        items = np.asarray(items, dtype=np.int64).reshape(-1)
        norms = model.item_norms
        with np.errstate(divide="ignore", invalid="ignore"):
            similarities = (model.item_factors[items] @ model.item_factors.T) / np.outer(
                norms[items], norms
            )
        known = self._known_items()
        similarities[:, ~known] = -np.inf
        similarities[~known[items]] = -np.inf
        return similarities

    def _known_items(self) -> np.ndarray:
        """Items with at least one training interaction (the others get no score)."""
        return self._fitted(self._known)

    def _state(self) -> dict[str, np.ndarray]:
        model = self._fitted(self._model)
        return {
            "user_factors": model.user_factors,
            "item_factors": model.item_factors,
            "known_items": self._known_items(),
        }

    def _restore(self, state: Mapping[str, np.ndarray]) -> None:
        with threadpool_limits(limits=1, user_api="blas"):
            model = self._implicit()
        model.user_factors = np.asarray(state["user_factors"], dtype=np.float32)
        model.item_factors = np.asarray(state["item_factors"], dtype=np.float32)
        self._model = model
        self._known = np.asarray(state["known_items"], dtype=bool)
