"""A weighted blend of other recommenders' per-user standardised scores."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix

from recommenders import readings
from recommenders.base import Recommender
from recommenders.errors import RecommenderError
from recommenders.registry import get_recommender

DEFAULT_COMPONENTS: tuple[tuple[str, dict[str, Any], float], ...] = (
    ("ease", {"l2": 500.0}, 1.0),
    ("rp3beta", {"alpha": 0.5, "beta": 0.5, "neighbours": 300}, 1.0),
    ("als", {"factors": 32, "regularization": 1.0}, 1.0),
)
"""Chosen on MovieLens-100k validation among models that read plain interaction weights
(the protocol's best uses `time_ease`, which reads times, and members fitted on ratings;
see benchmarks/recs_eval.py)."""
INPUTS = ("interactions", "ratings", "ratings>=T")
"""What a component can be fitted on (T: a number, the lowest rating kept)."""
_MISSING = -5.0
"""The standardised score of an item a component cannot score (-inf), among those it can."""


class BlendRecommender(Recommender):
    """Sum over `components` (name, params, weight[, input]) of weight x the component's
    scores, standardised per user (z-score over the items outside the user's history).

    Scores and similarities are -inf only where every component has none. `explain` is the
    explanation of the component with the largest weight. With a sequential component (one
    that reads time from the weights, such as `time_ease`) the blend is sequential too: that
    component is fitted on the weights as given, the others on each interaction as 1.

    `input` says what a component is fitted on (see `INPUTS`): "interactions" (the default,
    as above), "ratings" (the rating values) or "ratings>=T" (1 where the rating is at least
    T: what the user liked). The last two need `fit_with(..., ratings=...)`; every component
    is still queried with the same history, so ratings are needed only for training.
    Components fitted on "interactions" also get the ratings (of the same cells), for models
    that read both (time_ease's rating kernel); `item_features` go to every component.
    """

    name = "blend"

    def __init__(self, components: Sequence[Sequence[Any]] = DEFAULT_COMPONENTS) -> None:
        if not components:
            raise RecommenderError("blend needs at least one component")
        self.components = [(str(c[0]), dict(c[1]), float(c[2])) for c in components]
        self.inputs = [str(c[3]) if len(c) > 3 else "interactions" for c in components]
        for spec in self.inputs:
            _check_input(spec)
        if any(weight <= 0 for _, _, weight in self.components):
            raise RecommenderError("blend weights must be > 0")
        if any(name == self.name for name, _, _ in self.components):
            raise RecommenderError("a blend cannot contain a blend")
        self._models = [get_recommender(n, **p) for n, p, _ in self.components]
        for model, spec in zip(self._models, self.inputs, strict=True):
            if model.sequential and spec != "interactions":
                raise RecommenderError(f"{model.name} reads times: it cannot be fitted on {spec}")
        self.sequential = any(model.sequential for model in self._models)
        self._is_fitted = False

    @property
    def params(self) -> dict[str, Any]:
        return {
            "components": [
                [n, p, w] if spec == "interactions" else [n, p, w, spec]
                for (n, p, w), spec in zip(self.components, self.inputs, strict=True)
            ]
        }

    def fit(self, user_items: csr_matrix) -> None:
        self.fit_with(user_items)

    def fit_with(
        self,
        user_items: csr_matrix,
        *,
        ratings: csr_matrix | None = None,
        item_features: np.ndarray | None = None,
    ) -> None:
        """`fit`, with the components whose input is "ratings" or "ratings>=T" fitted on
        `ratings` (same shape as `user_items`) and the side data passed on (see the class)."""
        if ratings is not None and ratings.shape != user_items.shape:
            raise RecommenderError("ratings need the shape of user_items")
        plain = _ones(user_items) if self.sequential else user_items
        matrices = [  # all first, so that missing ratings fail before any fitting
            (user_items if model.sequential else plain)
            if spec == "interactions"
            else _rated(ratings, spec)
            for model, spec in zip(self._models, self.inputs, strict=True)
        ]
        for model, matrix, spec in zip(self._models, matrices, self.inputs, strict=True):
            side_ratings = ratings if spec == "interactions" else None
            model.fit_with(matrix, ratings=side_ratings, item_features=item_features)
        self._is_fitted = True

    def scores(self, user_rows: np.ndarray, user_items: csr_matrix) -> np.ndarray:
        self._fitted(self._is_fitted or None)
        history = csr_matrix(user_items)
        seen = np.zeros(history.shape, dtype=bool)
        coo = history.tocoo()
        seen[coo.row[coo.data != 0], coo.col[coo.data != 0]] = True
        parts = [model.scores(user_rows, user_items) for model in self._models]
        return self._combine(parts, seen)

    def similarities(self, items: np.ndarray) -> np.ndarray:
        self._fitted(self._is_fitted or None)
        parts = [model.similarities(items) for model in self._models]
        return self._combine(parts, np.zeros(parts[0].shape, dtype=bool))

    def explain(
        self, user_row: int, user_items: csr_matrix, item: int, top: int = 3
    ) -> list[tuple[int, float]]:
        self._fitted(self._is_fitted or None)
        weights = [weight for _, _, weight in self.components]
        return self._models[int(np.argmax(weights))].explain(user_row, user_items, item, top)

    def _combine(self, parts: list[np.ndarray], seen: np.ndarray) -> np.ndarray:
        total = np.zeros(parts[0].shape, dtype=np.float64)
        scored = np.zeros(parts[0].shape, dtype=bool)
        for (_, _, weight), part in zip(self.components, parts, strict=True):
            finite = np.isfinite(part)
            total += weight * _standardised(part, finite & ~seen, finite)
            scored |= finite
        total[~scored] = -np.inf
        return total.astype(np.float32)

    def _state(self) -> dict[str, np.ndarray]:
        self._fitted(self._is_fitted or None)
        return {
            f"{index}.{key}": value
            for index, model in enumerate(self._models)
            for key, value in model._state().items()
        }

    def _restore(self, state: Mapping[str, np.ndarray]) -> None:
        for index, model in enumerate(self._models):
            prefix = f"{index}."
            model._restore(
                {
                    key[len(prefix) :]: value
                    for key, value in state.items()
                    if key.startswith(prefix)
                }
            )
        self._is_fitted = True


def _ones(user_items: csr_matrix) -> csr_matrix:
    """`user_items` with every non-zero weight replaced by 1."""
    return readings.read(user_items, readings.BINARY)


def _check_input(spec: str) -> None:
    """`RecommenderError` unless `spec` is one of `INPUTS`."""
    if not re.fullmatch(r"interactions|ratings|ratings>=-?\d+(\.\d+)?", spec):
        raise RecommenderError(f"blend input must be one of {', '.join(INPUTS)}, not {spec!r}")


def _rated(ratings: csr_matrix | None, spec: str) -> csr_matrix:
    """The matrix a component with input `spec` ("ratings" or "ratings>=T") is fitted on."""
    if ratings is None:
        raise RecommenderError(f"blend components fitted on {spec!r} need ratings")
    if spec == "ratings":
        return readings.read(ratings, readings.WEIGHTED)
    return readings.read(ratings, readings.liked(float(spec.removeprefix("ratings>="))))


def _standardised(scores: np.ndarray, counted: np.ndarray, finite: np.ndarray) -> np.ndarray:
    """Per row, (score - mean) / std over the `counted` cells; _MISSING where not finite."""
    values = np.where(counted, scores, 0.0).astype(np.float64)
    count = np.maximum(counted.sum(axis=1, keepdims=True), 1)
    mean = values.sum(axis=1, keepdims=True) / count
    spread = np.sqrt(
        (np.where(counted, values - mean, 0.0) ** 2).sum(axis=1, keepdims=True) / count
    )
    with np.errstate(invalid="ignore"):
        standard = (np.where(finite, scores, 0.0) - mean) / (spread + 1e-12)
    return np.where(finite, standard, _MISSING)
