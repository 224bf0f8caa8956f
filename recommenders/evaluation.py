"""Offline evaluation on a users x items matrix: hold out part of each user's items, rank
every item for them, score the top k (with `retrieval.metrics`, as the published protocols
do). `train --algorithm auto` chooses a model with it (`recommenders.selection`)."""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix

from recommenders.base import Recommender
from retrieval.metrics import binary_metrics


def holdout(
    user_items: csr_matrix,
    fraction: float = 0.2,
    *,
    times: csr_matrix | None = None,
    seed: int = 0,
) -> tuple[csr_matrix, csr_matrix]:
    """Split the cells of `user_items` into (train, test): each user with two items or more
    holds out `fraction` of them (rounded, at least one, never all).

    With `times` (same cells, the latest time of each), a user's latest items are held out,
    as a store would meet them: what comes next. Without, a seeded random choice (the
    "stratified split" of the Microsoft Recommenders benchmarks).
    """
    matrix = csr_matrix(user_items, copy=True)
    matrix.sum_duplicates()
    counts = np.diff(matrix.indptr)
    rows = np.repeat(np.arange(matrix.shape[0]), counts)
    tie = np.random.default_rng(seed).random(matrix.nnz)
    if times is None:
        order = np.lexsort((tie, rows))
    else:
        aligned = csr_matrix(times, copy=True)
        aligned.sum_duplicates()
        same_cells = np.array_equal(aligned.indptr, matrix.indptr) and np.array_equal(
            aligned.indices, matrix.indices
        )
        if aligned.shape != matrix.shape or not same_cells:
            raise ValueError("times need the cells of user_items")
        order = np.lexsort((tie, -aligned.data, rows))
    rank = np.empty(matrix.nnz, dtype=np.int64)
    rank[order] = np.arange(matrix.nnz) - matrix.indptr[rows[order]]
    held = np.where(counts >= 2, np.clip(np.rint(fraction * counts), 1, counts - 1), 0)
    test_cells = rank < held[rows]
    return _cells(matrix, ~test_cells), _cells(matrix, test_cells)


def sample_users(user_items: csr_matrix, max_cells: int, seed: int = 0) -> np.ndarray:
    """Rows of a random sample of users holding at most `max_cells` cells in all (every row
    when the whole matrix does), in row order."""
    counts = np.diff(user_items.indptr)
    if counts.sum() <= max_cells:
        return np.arange(user_items.shape[0])
    shuffled = np.random.default_rng(seed).permutation(user_items.shape[0])
    kept = shuffled[np.cumsum(counts[shuffled]) <= max_cells]
    return np.sort(kept)


def evaluate(
    model: Recommender,
    history: csr_matrix,
    relevant: csr_matrix,
    k: int = 10,
    *,
    exclude: csr_matrix | None = None,
) -> dict[str, float]:
    """`retrieval.metrics.binary_metrics` at `k` of `model` (fitted, with one row per user of
    `history`) for the users with `relevant` items, queried with their `history`, leaving
    out `exclude` (default: the history's items)."""
    users = np.flatnonzero(np.diff(relevant.indptr) > 0)
    seen = history if exclude is None else exclude
    ids, _ = model.recommend(users, history[users], k, exclude=seen[users])
    return {"users": len(users), **binary_metrics(ids, relevant[users])}


def _cells(matrix: csr_matrix, keep: np.ndarray) -> csr_matrix:
    """`matrix` with only the cells (in storage order) that `keep` marks."""
    kept = matrix.copy()
    kept.data = np.where(keep, kept.data, 0).astype(matrix.dtype)
    kept.eliminate_zeros()
    return kept
