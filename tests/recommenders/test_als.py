"""ALS: explanations checked against implicit's own `explain`, and the BLAS thread guard."""

from __future__ import annotations

import warnings

import implicit.utils
import numpy as np
import pytest
from scipy.sparse import csr_matrix
from threadpoolctl import threadpool_limits

from recommenders.als import ALSRecommender


@pytest.fixture(scope="module")
def fitted() -> tuple[ALSRecommender, csr_matrix]:
    rng = np.random.default_rng(11)
    dense = rng.integers(1, 6, size=(80, 30)).astype(np.float32)
    dense[rng.random(dense.shape) < 0.8] = 0
    user_items = csr_matrix(dense)
    model = ALSRecommender(factors=8, regularization=0.1, iterations=10, alpha=2.0)
    model.fit(user_items)
    return model, user_items


def test_explain_matches_implicit(fitted: tuple[ALSRecommender, csr_matrix]) -> None:
    model, user_items = fitted
    implicit_model = model._model
    assert implicit_model is not None
    for user in range(0, 80, 7):
        history = user_items[[user]]
        ids, _ = model.recommend(np.array([user]), history, 3, exclude=history)
        for item in ids[0]:
            ours = model.explain(user, history, int(item), top=5)
            total, theirs, _ = implicit_model.explain(0, history, int(item), N=5)
            assert [source for source, _ in ours] == [source for source, _ in theirs]
            np.testing.assert_allclose(
                [value for _, value in ours], [value for _, value in theirs], rtol=1e-3
            )
            everything = model.explain(user, history, int(item), top=100)
            assert sum(value for _, value in everything) == pytest.approx(total, rel=1e-3)


def test_top_contributor_really_contributes_most(
    fitted: tuple[ALSRecommender, csr_matrix],
) -> None:
    """Recompute each history item's share of the score from the closed-form user factor."""
    model, user_items = fitted
    implicit_model = model._model
    assert implicit_model is not None
    factors = implicit_model.item_factors.astype(np.float64)
    history = user_items[[5]]
    confidence = model.alpha * history.data
    weights = np.diag(np.abs(confidence) - 1)
    observed = factors[history.indices]
    system = factors.T @ factors + model.regularization * np.eye(model.factors)
    system += observed.T @ weights @ observed
    user_factor = np.linalg.solve(system, observed.T @ confidence)
    for item in range(30):
        shares = confidence * (observed @ np.linalg.solve(system, factors[item]))
        assert shares.sum() == pytest.approx(user_factor @ factors[item], rel=1e-6, abs=1e-9)
        top = model.explain(5, history, item, top=1)
        if shares.max() > 0:
            assert top[0][0] == history.indices[np.argmax(shares)]


def test_fit_holds_blas_to_one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(implicit.utils, "_checked_blas_config", False)
    user_items = csr_matrix(np.eye(6, dtype=np.float32))
    with threadpool_limits(limits=2, user_api="blas"), warnings.catch_warnings():
        warnings.simplefilter("error")
        ALSRecommender(factors=2, iterations=2).fit(user_items)


def test_items_without_interactions_get_no_score() -> None:
    user_items = csr_matrix(np.array([[1, 1, 0], [1, 0, 0]], dtype=np.float32))
    model = ALSRecommender(factors=2, iterations=3)
    model.fit(user_items)
    scores = model.scores(np.array([0, 1]), user_items)
    assert np.isneginf(scores[:, 2]).all()
    assert np.isfinite(scores[:, :2]).all()
    assert model.explain(0, user_items[[0]], 2) == []
