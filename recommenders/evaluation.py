"""Offline evaluation on a users x items matrix: hold out part of each user's items, rank
every item for them, score the top k. `train --algorithm auto` chooses a model with it
(`recommenders.selection`) and the published protocols report with its metrics."""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix

from recommenders.base import Recommender


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
    """`ranking_metrics` of `model` (fitted, with one row per user of `history`) for the
    users with `relevant` items, queried with their `history`, leaving out `exclude`
    (default: the history's items)."""
    users = np.flatnonzero(np.diff(relevant.indptr) > 0)
    seen = history if exclude is None else exclude
    ids, _ = model.recommend(users, history[users], k, exclude=seen[users])
    return {"users": len(users), **ranking_metrics(ids, relevant[users], k)}


def ranking_metrics(ids: np.ndarray, relevant: csr_matrix, k: int) -> dict[str, float]:
    """Means over users of binary-relevance metrics of the ranked `ids` (one row per user,
    -1 padded) against the `relevant` items (one row per user), as Microsoft Recommenders
    defines them: `ndcg`, `precision`, `recall`, `hit_rate`; `map` divides each user's
    summed precision-at-hit by the number of relevant items (their `map_at_k` until 1.2,
    which their published table used), `map_at_k` by min(k, relevant)."""
    hits = np.zeros(ids.shape, dtype=bool)
    for row in range(len(ids)):
        targets = relevant.indices[relevant.indptr[row] : relevant.indptr[row + 1]]
        hits[row] = np.isin(ids[row], targets) & (ids[row] >= 0)
    sizes = np.diff(relevant.indptr).astype(np.float64)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    ideal = np.cumsum(discounts)[np.minimum(sizes, k).astype(np.int64) - 1]
    precision_at_hits = (np.cumsum(hits, axis=1) / np.arange(1, k + 1) * hits).sum(axis=1)
    count = hits.sum(axis=1)

    def mean(values: np.ndarray) -> float:
        return float(values.mean()) if len(values) else 0.0

    return {
        "ndcg": mean((hits * discounts).sum(axis=1) / ideal),
        "precision": mean(count / k),
        "recall": mean(count / sizes),
        "map": mean(precision_at_hits / sizes),
        "map_at_k": mean(precision_at_hits / np.minimum(sizes, k)),
        "hit_rate": mean(count > 0),
    }


def _cells(matrix: csr_matrix, keep: np.ndarray) -> csr_matrix:
    """`matrix` with only the cells (in storage order) that `keep` marks."""
    kept = matrix.copy()
    kept.data = np.where(keep, kept.data, 0).astype(matrix.dtype)
    kept.eliminate_zeros()
    return kept
