"""The ranking metrics against hand-computed answers: graded (search) and binary (recommenders)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from retrieval.metrics import (
    average_precision,
    average_precision_at_k,
    binary_hits,
    binary_metrics,
    binary_ndcg,
    ndcg,
    recall,
    reciprocal_rank,
)


def test_graded_metrics_against_hand_computed_values() -> None:
    judgments = {"a": 3, "b": 2, "c": 0, "d": 1}
    ideal = 7 + 3 / math.log2(3) + 1 / 2
    assert ndcg(["a", "b", "d"], judgments, 10) == pytest.approx(1.0)
    assert ndcg(["c", "a"], judgments, 10) == pytest.approx((7 / math.log2(3)) / ideal)
    assert ndcg(["x"], {}, 10) == 0.0
    assert recall(["b", "x"], judgments, 50) == 0.5  # grade >= 2 counts
    assert reciprocal_rank(["c", "d", "b"], judgments) == pytest.approx(1 / 3)
    assert reciprocal_rank(["c"], judgments) == 0.0


def test_binary_metrics_against_hand_computed_values() -> None:
    """At k = 3, user 0 has 3 relevant items and hits at ranks 1 and 3; user 1 has one,
    hit at rank 2; -1 (padding) never hits."""
    ids = np.array([[4, 0, 2], [1, 3, -1]])
    relevant = csr_matrix(np.array([[0, 0, 1, 0, 1, 1], [0, 0, 0, 1, 0, 0]]))
    hits = binary_hits(ids, relevant)
    assert hits.tolist() == [[True, False, True], [False, True, False]]
    sizes = np.array([3.0, 1.0])
    discount = [1 / math.log2(r + 2) for r in range(3)]
    np.testing.assert_allclose(
        binary_ndcg(hits, sizes),
        [(discount[0] + discount[2]) / sum(discount), discount[1] / discount[0]],
    )
    # Precision at the hits: user 0 1/1 + 2/3, user 1 1/2.
    np.testing.assert_allclose(average_precision(hits, sizes), [(1 + 2 / 3) / 3, 1 / 2])
    np.testing.assert_allclose(average_precision_at_k(hits, sizes), [(1 + 2 / 3) / 3, 1 / 2])
    two = hits[:, :2]  # at k = 2 the MAPs differ: user 0 over 3 relevant, or over min(2, 3)
    np.testing.assert_allclose(average_precision(two, sizes), [1 / 3, 1 / 2])
    np.testing.assert_allclose(average_precision_at_k(two, sizes), [1 / 2, 1 / 2])
    metrics = binary_metrics(ids, relevant)
    assert metrics["precision"] == pytest.approx((2 / 3 + 1 / 3) / 2)
    assert metrics["recall"] == pytest.approx((2 / 3 + 1) / 2)
    assert metrics["hit_rate"] == 1.0
    assert metrics["map"] == pytest.approx(((1 + 2 / 3) / 3 + 1 / 2) / 2)


def test_binary_ndcg_is_graded_ndcg_with_every_grade_one() -> None:
    rng = np.random.default_rng(0)
    for _ in range(20):
        relevant_items = set(rng.choice(12, rng.integers(1, 8), replace=False).tolist())
        ranked = rng.permutation(12)[:5]
        hits = np.isin(ranked, list(relevant_items))[None]
        graded = ndcg([str(i) for i in ranked], {str(i): 1 for i in relevant_items}, 5)
        assert binary_ndcg(hits, np.array([len(relevant_items)]))[0] == pytest.approx(graded)


def test_no_users_give_zeros() -> None:
    metrics = binary_metrics(np.empty((0, 3), dtype=np.int64), csr_matrix((0, 5)))
    assert set(metrics.values()) == {0.0}
