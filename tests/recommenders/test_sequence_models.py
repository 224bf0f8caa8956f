"""Transitions, RP3beta, blend and BPR checked against known answers or numpy references."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from recommenders.blend import BlendRecommender
from recommenders.bpr import BPRRecommender
from recommenders.protocols import BEST, run
from recommenders.rp3beta import RP3betaRecommender
from recommenders.transitions import TransitionRecommender


def test_transitions_follow_the_order_in_the_weights() -> None:
    """Users 0-1 go 0 -> 1 -> 2, user 2 goes 0 -> 3: after 0 comes 1 (twice) before 3."""
    order = np.array([[1, 2, 3, 0], [1, 2, 3, 0], [1, 0, 0, 2]], dtype=np.float32)
    model = TransitionRecommender(window=1)
    model.fit(csr_matrix(order))
    weights = model._fitted(model._weights).toarray()
    np.testing.assert_allclose(weights[0], [0, 1, 0, 0.5])
    np.testing.assert_allclose(weights[1], [0, 0, 1, 0])
    assert not weights[2].any() and not weights[3].any()
    ids, _ = model.recommend(np.array([-1]), csr_matrix([[1.0, 0, 0, 0]]), 3)
    assert ids[0].tolist() == [1, 3, -1]
    assert model.explain(-1, csr_matrix([[0.5, 1.0, 0, 0]]), 2) == [(1, 1.0)]


def test_transitions_backward_and_window() -> None:
    model = TransitionRecommender(window=2, backward=0.5)
    model.fit(csr_matrix(np.array([[1, 2, 3]], dtype=np.float32)))
    weights = model._fitted(model._weights).toarray()
    # 0 -> 1 (1), 0 -> 2 (gap 2: 0.5); row max 1
    np.testing.assert_allclose(weights[0], [0, 1, 0.5])
    # 1 -> 2 (1), 1 <- 0 backward (0.5)
    np.testing.assert_allclose(weights[1], [0.5, 0, 1])


def test_rp3beta_matches_dense_numpy() -> None:
    rng = np.random.default_rng(3)
    dense = (rng.random((40, 25)) < 0.3).astype(np.float64)
    model = RP3betaRecommender(alpha=0.7, beta=0.4, neighbours=25)
    model.fit(csr_matrix(dense))
    to_item = dense / np.maximum(dense.sum(1, keepdims=True), 1)
    to_user = dense.T / np.maximum(dense.T.sum(1, keepdims=True), 1)
    expected = (to_user**0.7) @ (to_item**0.7) / np.maximum(dense.sum(0), 1) ** 0.4
    np.fill_diagonal(expected, 0)
    np.testing.assert_allclose(model._fitted(model._weights).toarray(), expected, rtol=1e-5)


def test_single_component_blend_ranks_like_the_component(blocks) -> None:
    blend = BlendRecommender([["ease", {"l2": 10.0}, 2.0]])
    blend.fit(blocks.user_items)
    ease = blend._models[0]
    rows = np.arange(10)
    history = blocks.user_items[rows]
    ours, _ = blend.recommend(rows, history, 5, exclude=history)
    theirs, _ = ease.recommend(rows, history, 5, exclude=history)
    np.testing.assert_array_equal(ours, theirs)


def test_bpr_explain_sums_to_the_fold_in_score(blocks) -> None:
    model = BPRRecommender(factors=4, learning_rate=0.05, iterations=50)
    model.fit(blocks.user_items)
    history = blocks.user_items[[2]]
    score = model.scores(np.array([-1]), history)[0]
    bias = model._fitted(model._model).item_factors[:, -1]
    for item in (0, 5, 30):
        parts = model.explain(-1, history, item, top=100)
        assert sum(value for _, value in parts) == pytest.approx(score[item] - bias[item], abs=1e-4)


def test_run_uses_the_best_setting(tmp_path: Path) -> None:
    lines = [
        f"{user} {' '.join(str(1 + (user + i) % 6) for i in range(5))}\n" for user in range(30)
    ]
    path = tmp_path / "Beauty.txt"
    path.write_text("".join(lines))
    result = run("amazon_beauty", path, split="validation")
    assert (result["algorithm"], result["params"]) == BEST["amazon_beauty"]
    assert result["hit_rate"] == 1.0  # every sequence is the cycle 1..6
    with pytest.raises(ValueError, match="protocol"):
        run("netflix", path)
