"""EASE weights, scores and explanations against numpy brute force on a seeded matrix."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from recommenders import RecommenderError
from recommenders.ease import EASERecommender

from .reference import ease_weights


@pytest.fixture(scope="module")
def dense() -> np.ndarray:
    rng = np.random.default_rng(11)
    values = (rng.random((50, 12)) < 0.35).astype(np.float64)
    values[:, 11] = 0  # an item nobody touched
    values[0] = 0  # a user without history
    return values


def _reference(dense: np.ndarray, l2: float) -> np.ndarray:
    return ease_weights(dense.T @ dense, l2)


@pytest.mark.parametrize("l2", [0.5, 20.0])
def test_weights_and_scores_match_brute_force(dense: np.ndarray, l2: float) -> None:
    model = EASERecommender(l2=l2)
    model.fit(csr_matrix(dense))
    weights = _reference(dense, l2)
    similarities = model.similarities(np.arange(12))
    np.testing.assert_allclose(
        np.where(np.isneginf(similarities), 0.0, similarities), weights.T, rtol=1e-5, atol=1e-6
    )
    scores = model.scores(np.arange(50), csr_matrix(dense))
    expected = dense @ weights
    assert np.isneginf(scores[0]).all()
    assert np.isneginf(scores[:, 11]).all()
    np.testing.assert_allclose(scores[1:, :11], expected[1:, :11], rtol=1e-4, atol=1e-5)


def test_explain_splits_the_score_into_history_weights(dense: np.ndarray) -> None:
    model = EASERecommender(l2=2.0)
    model.fit(csr_matrix(dense))
    history = csr_matrix(dense[5:6])
    item = int(np.flatnonzero(dense[5] == 0)[0])
    reasons = model.explain(5, history, item, top=20)
    weights = _reference(dense, 2.0)
    expected = {int(h): dense[5, h] * weights[h, item] for h in np.flatnonzero(dense[5])}
    assert {h for h, _ in reasons} == {h for h, value in expected.items() if value != 0}
    for source, value in reasons:
        assert value == pytest.approx(expected[source], rel=1e-4)
    assert [value for _, value in reasons] == sorted((v for _, v in reasons), reverse=True)


def test_rejects_bad_parameters_and_fits_too_large_for_memory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(RecommenderError):
        EASERecommender(l2=0)
    monkeypatch.setattr("recommenders.ease._available_memory", lambda: 6**2 * 28 - 1)
    with pytest.raises(RecommenderError, match="6 items needs about .* GB"):
        EASERecommender().fit(csr_matrix(np.eye(6)))
    monkeypatch.setattr("recommenders.ease._available_memory", lambda: 6**2 * 28)
    EASERecommender().fit(csr_matrix(np.eye(6)))
