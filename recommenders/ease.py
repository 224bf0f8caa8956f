"""EASE (Steck 2019): a closed-form linear item-item model with a zero diagonal.

B = argmin |X - XB|² + λ|B|² subject to diag(B) = 0 has the closed form
P = (XᵀX + λI)⁻¹, B = -P / diag(P) (column-wise), diag(B) = 0; a user's scores are x·B.

With item features (`fit_with(..., item_features=F)`) and `feature_prior` c > 0, XᵀX is
first multiplied cell by cell by 1 + c·cos(F_i, F_j): co-occurrence counts are noisy for
items few users share, and items alike in content (genres) are likelier to belong together,
so their counts weigh up to 1 + c times more. Subclasses that build another Gram (time_ease)
get the same prior.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

import numpy as np
import scipy.linalg
from scipy.sparse import csr_matrix
from threadpoolctl import threadpool_limits

from recommenders.base import Recommender
from recommenders.errors import RecommenderError

logger = logging.getLogger(__name__)

_FIT_BYTES_PER_CELL = 28
"""Peak memory of a fit per items² cell: the float64 Gram matrix, its inverse and the
weights, then B in float32."""


class EASERecommender(Recommender):
    """Embarrassingly shallow autoencoder: dense item-item weights B from one matrix inverse.

    `l2` is λ; Steck uses a few hundred on MovieLens-sized data. Memory is items² x 4 bytes
    for B and up to items² x 28 while fitting: a fit that would not fit in the memory
    available is refused with a `RecommenderError` before it starts (use als or itemknn).
    BLAS runs on at most `threads` threads while fitting. `similarities(items)[i, h]` is
    B[h, item_i], the weight history item h gives the item, so the inherited `explain`
    (history weight x B[h, item], largest first) splits a score exactly into its parts.
    `feature_prior` is c above; it only acts when `fit_with` is given item features.
    """

    name = "ease"

    def __init__(self, l2: float = 500.0, threads: int = 1, feature_prior: float = 0.0) -> None:
        if l2 <= 0 or threads < 1 or feature_prior < 0:
            raise RecommenderError("ease needs l2 > 0, threads >= 1 and feature_prior >= 0")
        self.l2 = l2
        self.threads = threads
        self.feature_prior = feature_prior
        self._weights: np.ndarray | None = None
        self._known: np.ndarray | None = None

    @property
    def params(self) -> dict[str, Any]:
        return {"l2": self.l2, "threads": self.threads, "feature_prior": self.feature_prior}

    def fit(self, user_items: csr_matrix) -> None:
        self.fit_with(user_items)

    def fit_with(
        self,
        user_items: csr_matrix,
        *,
        ratings: csr_matrix | None = None,
        item_features: np.ndarray | None = None,
    ) -> None:
        """`fit`, with the feature prior applied when `item_features` are given and the
        ratings handed to `_gram` (EASE's own Gram does not use them)."""
        matrix = csr_matrix(user_items, dtype=np.float64, copy=True)
        matrix.eliminate_zeros()
        n_items = matrix.shape[1]
        if not fits_in_memory(n_items):
            needed, available = n_items**2 * _FIT_BYTES_PER_CELL, _available_memory() or 0
            raise RecommenderError(
                f"{self.name} on {n_items:,} items needs about {needed / 1e9:.1f} GB while "
                f"fitting, more than the {available / 1e9:.1f} GB available; train als or "
                "itemknn instead, which grow with the interactions, not with items²"
            )
        started = time.perf_counter()
        gram = self._gram(matrix, ratings)
        if item_features is not None and self.feature_prior > 0:
            gram *= _feature_prior(item_features, n_items, self.feature_prior)
        gram[np.diag_indices(n_items)] += self.l2
        with threadpool_limits(limits=self.threads, user_api="blas"):
            precision = _spd_inverse(gram)
        del gram
        weights = precision / -np.diag(precision)
        weights[np.diag_indices(n_items)] = 0.0
        self._weights = weights.astype(np.float32)
        self._known = np.diff(matrix.tocsc().indptr) > 0
        logger.info(
            "ease: fitted %d users x %d items in %.2fs",
            *matrix.shape,
            time.perf_counter() - started,
        )

    def _gram(self, matrix: csr_matrix, ratings: csr_matrix | None) -> np.ndarray:
        """The dense items x items matrix that takes XᵀX's place in the closed form
        (`ratings`: those of `matrix`'s cells, where known)."""
        return np.asarray((matrix.T @ matrix).toarray())

    def scores(self, user_rows: np.ndarray, user_items: csr_matrix) -> np.ndarray:
        """x·B from the history alone (EASE keeps no per-user state); -inf for items nobody
        interacted with and for users without history."""
        weights = self._fitted(self._weights)
        history = csr_matrix(user_items, dtype=np.float32)
        scores = np.asarray(history @ weights, dtype=np.float32)
        scores[:, ~self._fitted(self._known)] = -np.inf
        scores[np.diff(history.indptr) == 0] = -np.inf
        return scores

    def similarities(self, items: np.ndarray) -> np.ndarray:
        """Row i holds B[h, items[i]] over h; -inf where the weight is zero."""
        weights = self._fitted(self._weights)
        similarities = np.ascontiguousarray(weights[:, np.asarray(items, dtype=np.int64)].T)
        similarities[similarities == 0] = -np.inf
        return similarities

    def _state(self) -> dict[str, np.ndarray]:
        return {"weights": self._fitted(self._weights), "known_items": self._fitted(self._known)}

    def _restore(self, state: Mapping[str, np.ndarray]) -> None:
        self._weights = np.asarray(state["weights"], dtype=np.float32)
        self._known = np.asarray(state["known_items"], dtype=bool)


def _feature_prior(item_features: np.ndarray, n_items: int, strength: float) -> np.ndarray:
    """1 + strength x the cosine of every two items' feature rows (0 for an item without
    features, so its co-occurrences keep their weight)."""
    features = np.asarray(item_features, dtype=np.float64)
    if features.ndim != 2 or features.shape[0] != n_items:
        raise RecommenderError(f"item_features need one row per item ({n_items})")
    norms = np.linalg.norm(features, axis=1, keepdims=True)
    unit = np.divide(features, norms, out=np.zeros_like(features), where=norms > 0)
    prior = unit @ unit.T
    prior *= strength
    prior += 1.0
    return prior


def _spd_inverse(matrix: np.ndarray) -> np.ndarray:
    """The inverse of a symmetric positive definite matrix via Cholesky (LAPACK potrf/potri)."""
    potrf, potri = scipy.linalg.get_lapack_funcs(("potrf", "potri"), (matrix,))
    factor, info = potrf(matrix, lower=True, overwrite_a=True, clean=False)
    if info != 0:
        raise RecommenderError(f"ease: XᵀX + λI is not positive definite (potrf info {info})")
    inverse, info = potri(factor, lower=True, overwrite_c=True)
    if info != 0:
        raise RecommenderError(f"ease: cannot invert XᵀX + λI (potri info {info})")
    lower = np.tril(inverse)
    return lower + np.tril(inverse, -1).T


def fits_in_memory(n_items: int) -> bool:
    """Whether an EASE fit on `n_items` items fits in the memory available now."""
    available = _available_memory()
    return available is None or n_items**2 * _FIT_BYTES_PER_CELL <= available


def _available_memory() -> int | None:
    """Bytes of memory available to a new allocation (Linux MemAvailable), if known."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None
