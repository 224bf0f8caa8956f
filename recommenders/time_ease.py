"""Time-aware EASE: EASE on co-occurrences weighted by how close in time a user made them.

People rate or buy in sittings, a page of items at a time, so two items one user took
within minutes of each other say more about each other than two taken months apart. Here
EASE's XᵀX becomes

    G[i, j] = Σ_u n_u^-p · exp(-|t_ui - t_uj| / tau)

over the users u who interacted with both items (t: the time of the interaction, n_u: the
user's number of items, p: `user_power`, so that long histories do not dominate), and B
follows from G + λI exactly as in EASE. The diagonal counts each user once (n_u^-p); with
tau → ∞ and p = 0, G is XᵀX and the model is EASE. Scoring, similarities and explanations
are EASE's: a history x (0/1, or recency weights) scores x·B.

With `rating_scale` s and ratings (`fit_with(..., ratings=R)`), each pair also weighs
exp(-|r_ui - r_uj| / s): two items a user rated alike (both loved, both panned) say more
about each other than a 5 next to a 1 from the same sitting. Without ratings the factor is
1. EASE's `feature_prior` applies to G as it does to XᵀX.

The times come from the weights (larger = later, in seconds), which is why the model is
`sequential`: the protocols then train it on each interaction's time (see
`Recommender.sequential`). An event-weighted matrix carries no time; trained on one, the
model reads the weights as seconds, so pass times when they matter.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.sparse import csr_matrix

from recommenders.ease import EASERecommender
from recommenders.errors import RecommenderError


class TimeEASERecommender(EASERecommender):
    """EASE whose co-occurrences decay with the time between them (`tau` seconds)."""

    name = "time_ease"
    sequential = True

    def __init__(
        self,
        l2: float = 10.0,
        tau: float = 300.0,
        user_power: float = 0.5,
        threads: int = 1,
        rating_scale: float | None = None,
        feature_prior: float = 0.0,
    ) -> None:
        super().__init__(l2=l2, threads=threads, feature_prior=feature_prior)
        if tau <= 0 or user_power < 0 or (rating_scale is not None and rating_scale <= 0):
            raise RecommenderError(
                "time_ease needs tau > 0, user_power >= 0 and rating_scale > 0 (or None)"
            )
        self.tau = tau
        self.user_power = user_power
        self.rating_scale = rating_scale

    @property
    def params(self) -> dict[str, Any]:
        return {
            **super().params,
            "tau": self.tau,
            "user_power": self.user_power,
            "rating_scale": self.rating_scale,
        }

    def _gram(self, matrix: csr_matrix, ratings: csr_matrix | None) -> np.ndarray:
        """G[i, j] = Σ_u n_u^-user_power · exp(-|t_ui - t_uj| / tau) (· the rating kernel),
        one user at a time."""
        n_items = matrix.shape[1]
        gram = np.zeros((n_items, n_items))
        rated = None
        if self.rating_scale is not None and ratings is not None:
            rated = _cell_ratings(matrix, ratings)
        for row in np.flatnonzero(np.diff(matrix.indptr)):
            start, end = matrix.indptr[row], matrix.indptr[row + 1]
            items, times = matrix.indices[start:end], matrix.data[start:end]
            closeness = np.exp(-np.abs(times[:, None] - times[None, :]) / self.tau)
            if rated is not None:
                values = rated[start:end]
                closeness *= np.exp(-np.abs(values[:, None] - values[None, :]) / self.rating_scale)
            gram[np.ix_(items, items)] += closeness * float(end - start) ** -self.user_power
        return gram


def _cell_ratings(matrix: csr_matrix, ratings: csr_matrix) -> np.ndarray:
    """The rating of each stored cell of `matrix`, in the order of `matrix.data`."""
    if ratings.shape != matrix.shape:
        raise RecommenderError("time_ease: ratings need the shape of the interactions")
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    return np.asarray(csr_matrix(ratings)[rows, matrix.indices], dtype=np.float64).ravel()
