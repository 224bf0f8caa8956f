"""Popularity against a hand-computed answer."""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix

from recommenders.popularity import PopularityRecommender


def test_ranks_by_distinct_users_then_total_weight() -> None:
    # item:        0  1  2  3  4
    user_items = csr_matrix(
        np.array(
            [
                [1, 9, 1, 0, 0],
                [1, 0, 1, 0, 0],
                [1, 0, 0, 2, 0],
                [0, 0, 3, 2, 0],
            ],
            dtype=np.float32,
        )
    )
    # users per item: 3, 1, 3, 2, 0; item 2 (weight 5) beats item 0 (weight 3) on the tie
    model = PopularityRecommender()
    model.fit(user_items)
    ids, scores = model.recommend(np.array([0, 3]), user_items[[0, 3]], 5)
    np.testing.assert_array_equal(ids, [[2, 0, 3, 1, -1], [2, 0, 3, 1, -1]])
    np.testing.assert_array_equal(np.floor(scores[:, :4]), [[3, 3, 2, 1], [3, 3, 2, 1]])
    assert np.isneginf(scores[:, 4]).all()


def test_same_ranking_for_everyone_minus_exclusions() -> None:
    user_items = csr_matrix(np.array([[1, 1, 0], [0, 1, 1], [0, 1, 0]], dtype=np.float32))
    model = PopularityRecommender()
    model.fit(user_items)
    ids, _ = model.recommend(np.arange(3), user_items, 3, exclude=user_items)
    np.testing.assert_array_equal(ids, [[2, -1, -1], [0, -1, -1], [0, 2, -1]])
