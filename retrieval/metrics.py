"""Ranking metrics: the one module that search evaluation, recommender model selection and
the published recommender protocols score with.

Two families, because the two kinds of judgment differ on purpose:

* graded, one ranking at a time (`ndcg`, `recall`, `reciprocal_rank`): the search judged set
  grades products 0-3 per query, and nDCG gains 2**grade - 1;
* binary, a batch of users at a time (`binary_metrics` and its parts): a held-out item is
  relevant or not, as Microsoft Recommenders defines the metrics (their published
  MovieLens-100k table) and SASRec / S3-Rec use them (HR@k, nDCG@k for one held-out item).

It lives in `retrieval`, below `recommenders` (which already reads its tables through
`retrieval.readers`), and needs numpy and scipy only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from scipy.sparse import csr_matrix

RELEVANT = 2
"""The lowest grade that counts as relevant for graded Recall and MRR (grades are 0-3: 3
exactly what was asked for, 2 a good substitute, 1 related, 0 wrong)."""


def ndcg(ranked: Sequence[str], judgments: Mapping[str, int], k: int) -> float:
    """Normalised discounted cumulative gain at ``k`` with gains ``2**grade - 1``;
    the ideal ranking orders every judged product by grade. 0 when nothing is relevant."""
    ideal = sorted((g for g in judgments.values() if g > 0), reverse=True)[:k]
    best = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    if best == 0:
        return 0.0
    gained = sum(
        (2 ** judgments.get(pid, 0) - 1) / math.log2(i + 2) for i, pid in enumerate(ranked[:k])
    )
    return gained / best


def recall(ranked: Sequence[str], judgments: Mapping[str, int], k: int) -> float:
    """Share of the relevant products (grade >= :data:`RELEVANT`) in the top ``k``."""
    relevant = {pid for pid, g in judgments.items() if g >= RELEVANT}
    if not relevant:
        return 0.0
    return len(relevant & set(ranked[:k])) / len(relevant)


def reciprocal_rank(ranked: Sequence[str], judgments: Mapping[str, int]) -> float:
    """1 / the rank of the first relevant product; 0 when none is ranked."""
    for rank, pid in enumerate(ranked, start=1):
        if judgments.get(pid, 0) >= RELEVANT:
            return 1.0 / rank
    return 0.0


def binary_hits(ids: np.ndarray, relevant: csr_matrix) -> np.ndarray:
    """Which of the ranked `ids` (users x k, -1 padded) are among each user's `relevant`
    items (one row per user): a bool array shaped like `ids`."""
    hits = np.zeros(ids.shape, dtype=bool)
    for row in range(len(ids)):
        targets = relevant.indices[relevant.indptr[row] : relevant.indptr[row + 1]]
        hits[row] = np.isin(ids[row], targets) & (ids[row] >= 0)
    return hits


def binary_ndcg(hits: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Per user, nDCG@k of `hits` (users x k) with gain 1 per hit, the ideal placing the
    user's `sizes` relevant items (at most k) first: graded `ndcg` with every grade 1."""
    k = hits.shape[1]
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    ideal = np.cumsum(discounts)[np.minimum(sizes, k).astype(np.int64) - 1]
    return (hits * discounts).sum(axis=1) / ideal


def average_precision(hits: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Per user, the precision at each hit summed, over the number of relevant items:
    Microsoft Recommenders' `map_at_k` until 1.2, which their published MovieLens-100k
    table used (reported as `map`)."""
    return _precision_at_hits(hits) / sizes


def average_precision_at_k(hits: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Per user, the precision at each hit summed, over min(k, number of relevant items):
    Microsoft Recommenders' later `map_at_k` and the usual AP@k (reported as `map_at_k`)."""
    return _precision_at_hits(hits) / np.minimum(sizes, hits.shape[1])


def binary_metrics(ids: np.ndarray, relevant: csr_matrix) -> dict[str, float]:
    """Means over users of the binary metrics at k (the columns of `ids`, -1 padded) against
    each user's `relevant` items (one row per user): `ndcg`, `precision`, `recall`, `map`
    (`average_precision`), `map_at_k` (`average_precision_at_k`), `hit_rate`."""
    hits = binary_hits(ids, relevant)
    sizes = np.diff(relevant.indptr).astype(np.float64)
    count = hits.sum(axis=1)

    def mean(values: np.ndarray) -> float:
        return float(values.mean()) if len(values) else 0.0

    return {
        "ndcg": mean(binary_ndcg(hits, sizes)),
        "precision": mean(count / hits.shape[1]),
        "recall": mean(count / sizes),
        "map": mean(average_precision(hits, sizes)),
        "map_at_k": mean(average_precision_at_k(hits, sizes)),
        "hit_rate": mean(count > 0),
    }


def _precision_at_hits(hits: np.ndarray) -> np.ndarray:
    """Per user, the sum over the ranks holding a hit of the precision at that rank."""
    return (np.cumsum(hits, axis=1) / np.arange(1, hits.shape[1] + 1) * hits).sum(axis=1)
