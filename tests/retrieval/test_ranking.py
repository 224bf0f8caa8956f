"""The one row-wise top-k, checked against a full stable sort."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.ranking import top_k


def test_top_k_orders_best_first() -> None:
    scores = np.array([[0.1, 0.9, 0.5, 0.9, -1.0]])
    columns, best = top_k(scores, 3)
    assert columns.tolist() == [[1, 3, 2]]  # ties keep the lower column first
    assert best.tolist() == [[0.9, 0.9, 0.5]]
    assert top_k(scores, 10)[0].shape == (1, 5)


@pytest.mark.parametrize("k", [1, 4, 7, 30])
def test_top_k_matches_a_full_sort(k: int) -> None:
    rng = np.random.default_rng(3)
    scores = rng.permutation(40 * 7).reshape(40, 7).astype(np.float32)
    scores[rng.random(scores.shape) < 0.2] = -np.inf
    columns, best = top_k(scores, k)
    order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    np.testing.assert_array_equal(columns, order)
    np.testing.assert_array_equal(best, np.take_along_axis(scores, order, axis=1))
    assert best.dtype == np.float32 and columns.dtype == np.int64


def test_tied_picks_are_listed_in_column_order() -> None:
    rng = np.random.default_rng(4)
    scores = rng.integers(0, 3, (50, 9)).astype(np.float64)
    columns, best = top_k(scores, 4)
    np.testing.assert_array_equal(best, -np.sort(-scores, axis=1)[:, :4])
    np.testing.assert_array_equal(np.take_along_axis(scores, columns, axis=1), best)
    tied = best[:, 1:] == best[:, :-1]
    assert (columns[:, 1:][tied] > columns[:, :-1][tied]).all()


def test_top_k_needs_a_positive_k() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        top_k(np.zeros((1, 3)), 0)
