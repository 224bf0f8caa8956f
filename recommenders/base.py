"""The interface shared by every recommender, and the behaviour built once on top of it.

Conventions (those of implicit): users and items are row/column indexes of a users x items
CSR matrix of interaction weights. Calls are batch-first: `user_rows` is an array and
`user_items` has one row per entry of it, that user's history. A row of -1 is a user the
model was not trained on, or whose history changed since; models with per-user state then
work from `user_items` alone. Results are `(ids, scores)` arrays padded with -1 / -inf.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import numpy as np
from scipy.sparse import csr_matrix

from recommenders.errors import ModelNotTrainedError
from retrieval.ranking import top_k

_BLOCK_CELLS = 1 << 21
"""Dense scores are computed for at most this many user x item cells at a time."""

SAVED_ALGORITHM = "__algorithm__"
SAVED_PARAMS = "__params__"
"""The entries of a saved model file besides its state arrays: the algorithm's name and its
JSON parameters (see `Recommender.save`)."""

_T = TypeVar("_T")


class Recommender(ABC):
    """A recommendation algorithm: `fit`, `scores` and `similarities` are all it must define."""

    name: ClassVar[str]
    personalised: ClassVar[bool] = True
    """False for models whose scores do not depend on the user (popularity)."""
    sequential: bool = False
    """True for models whose `fit` reads each user's order from the weights (larger = later);
    the protocols then train them on the interactions' times (in seconds) or positions
    instead of binary weights. A blend is sequential when one of its components is."""

    @abstractmethod
    def fit(self, user_items: csr_matrix) -> None:
        """Learn from a users x items matrix of interaction weights."""

    def fit_with(
        self,
        user_items: csr_matrix,
        *,
        ratings: csr_matrix | None = None,
        item_features: np.ndarray | None = None,
    ) -> None:
        """`fit`, where side data is known too: explicit `ratings` (users x items, the cells
        of `user_items`) and/or `item_features` (items x features, e.g. genre flags).

        Only models that can use them (a blend with members fitted on ratings, EASE with a
        feature prior, time_ease with a rating kernel) override this; the default ignores
        them, so the protocols can pass whatever side data the dataset has to any model.
        """
        self.fit(user_items)

    @abstractmethod
    def scores(self, user_rows: np.ndarray, user_items: csr_matrix) -> np.ndarray:
        """A new (len(user_rows), n_items) array of scores, -inf where the model has none."""

    @abstractmethod
    def similarities(self, items: np.ndarray) -> np.ndarray:
        """A new (len(items), n_items) array of item-item similarities, -inf where none."""

    @property
    @abstractmethod
    def params(self) -> dict[str, Any]:
        """The constructor arguments, JSON-serialisable, that rebuild this model."""

    @abstractmethod
    def _state(self) -> dict[str, np.ndarray]:
        """The fitted state as named arrays (what `save` writes)."""

    @abstractmethod
    def _restore(self, state: Mapping[str, np.ndarray]) -> None:
        """Set the fitted state from what `_state` returned."""

    def recommend(
        self,
        user_rows: np.ndarray,
        user_items: csr_matrix,
        k: int,
        *,
        exclude: csr_matrix | None = None,
        allowed: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-`k` items per user as `(item_ids, scores)`, each of shape (len(user_rows), k).

        `exclude` (one row per user) removes items per user, `allowed` (bool over items) keeps
        only those items for everyone. Rows with fewer than `k` candidates end in -1 / -inf.
        """
        user_rows = np.asarray(user_rows, dtype=np.int64).reshape(-1)
        n_items = user_items.shape[1]
        if user_items.shape[0] != len(user_rows):
            raise ValueError("user_items needs one row per entry of user_rows")
        if exclude is not None and exclude.shape != user_items.shape:
            raise ValueError("exclude needs the shape of user_items")
        blocked = None if allowed is None else ~_item_mask(allowed, n_items)
        parts = []
        for batch in row_batches(len(user_rows), n_items):
            block = self.scores(user_rows[batch], user_items[batch])
            if blocked is not None:
                block[:, blocked] = -np.inf
            if exclude is not None:
                excluded = exclude[batch].tocoo()
                nonzero = excluded.data != 0
                block[excluded.row[nonzero], excluded.col[nonzero]] = -np.inf
            parts.append(_padded_top_k(block, k))
        return _stack(parts, k)

    def similar_items(
        self, items: np.ndarray, k: int, *, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The `k` items most similar to each of `items` (never the item itself)."""
        items = np.asarray(items, dtype=np.int64).reshape(-1)
        parts = []
        start, size = 0, 1  # the first block tells how many items there are
        while start < len(items):
            batch = items[start : start + size]
            block = self.similarities(batch)
            block[np.arange(len(batch)), batch] = -np.inf
            if allowed is not None:
                block[:, ~_item_mask(allowed, block.shape[1])] = -np.inf
            parts.append(_padded_top_k(block, k))
            start += size
            size = _block_rows(block.shape[1])
        return _stack(parts, k)

    def explain(
        self, user_row: int, user_items: csr_matrix, item: int, top: int = 3
    ) -> list[tuple[int, float]]:
        """The user's history items that add most to `item`'s score, as (item, contribution),
        largest first; `user_items` is the user's history (one row).

        This default suits neighbourhood models, whose score is the sum over the history of
        weight x similarity(item, history item): that product is each item's contribution.
        """
        history = explain_row(user_items)
        similarity = self.similarities(np.array([item]))[0, history.indices]
        with np.errstate(invalid="ignore"):
            contributions = history.data.astype(np.float64) * similarity
        return largest(history.indices, contributions, top)

    def save(self, path: Path | str) -> None:
        """Write the model to one `.npz` file (arrays and JSON parameters, no pickle), which
        `recommenders.registry.load_recommender` reads back."""
        arrays: dict[str, Any] = {
            SAVED_ALGORITHM: np.array(self.name),
            SAVED_PARAMS: np.array(json.dumps(self.params)),
            **self._state(),
        }
        with Path(path).open("wb") as handle:
            np.savez(handle, **arrays)

    def _fitted(self, value: _T | None) -> _T:
        """`value`, or `ModelNotTrainedError` when the model has not been fitted yet."""
        if value is None:
            raise ModelNotTrainedError(f"the {self.name} model has not been fitted")
        return value


def _padded_top_k(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """`top_k` in this module's result convention: exactly `k` columns, -1 / -inf where a
    row has fewer than `k` items scored (a -inf or NaN score is none)."""
    n, m = scores.shape
    ids = np.full((n, k), -1, dtype=np.int64)
    values = np.full((n, k), -np.inf, dtype=np.float32)
    if k == 0 or n == 0 or m == 0:
        return ids, values
    best, best_scores = top_k(scores, k)
    valid = best_scores > -np.inf
    kept = best.shape[1]
    ids[:, :kept] = np.where(valid, best, -1)
    values[:, :kept] = np.where(valid, best_scores, -np.inf)
    return ids, values


def largest(items: np.ndarray, values: np.ndarray, top: int) -> list[tuple[int, float]]:
    """For `explain`: the `top` (item, value) pairs with the largest finite non-zero values."""
    keep = np.isfinite(values) & (values != 0)
    items, values = items[keep], values[keep]
    order = np.argsort(-values, kind="stable")[:top]
    return [(int(items[i]), float(values[i])) for i in order]


def explain_row(user_items: csr_matrix) -> csr_matrix:
    """The single history row that `explain` takes, checked."""
    if user_items.shape[0] != 1:
        raise ValueError("explain needs the user's history as a single row")
    return csr_matrix(user_items)


def _item_mask(allowed: np.ndarray, n_items: int) -> np.ndarray:
    mask = np.asarray(allowed, dtype=bool)
    if mask.shape != (n_items,):
        raise ValueError(f"allowed must be a bool mask over the {n_items} items")
    return mask


def _block_rows(width: int) -> int:
    return max(1, _BLOCK_CELLS // max(width, 1))


def row_batches(n: int, width: int) -> list[slice]:
    """Slices over `n` rows so that a dense block of rows x `width` stays small."""
    size = _block_rows(width)
    return [slice(start, min(start + size, n)) for start in range(0, n, size)]


def _stack(parts: list[tuple[np.ndarray, np.ndarray]], k: int) -> tuple[np.ndarray, np.ndarray]:
    if not parts:
        return np.empty((0, k), dtype=np.int64), np.empty((0, k), dtype=np.float32)
    return np.concatenate([ids for ids, _ in parts]), np.concatenate([s for _, s in parts])
