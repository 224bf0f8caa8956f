"""Time-aware EASE against a numpy reference, and its place in blends and the protocols."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from recommenders import RecommenderError
from recommenders.blend import BlendRecommender
from recommenders.ease import EASERecommender
from recommenders.time_ease import TimeEASERecommender

from .reference import ease_weights, item_weights

DAY = 86_400.0


@pytest.fixture(scope="module")
def times() -> np.ndarray:
    """Users x items interaction times in seconds (0: no interaction), a few sittings each."""
    rng = np.random.default_rng(5)
    taken = rng.random((40, 15)) < 0.4
    sittings = rng.integers(0, 3, size=taken.shape) * DAY + rng.integers(0, 600, size=taken.shape)
    return np.where(taken, 1.0 + sittings, 0.0)


def _reference(times: np.ndarray, l2: float, tau: float, user_power: float) -> np.ndarray:
    n_items = times.shape[1]
    gram = np.zeros((n_items, n_items))
    for row in times:
        taken = np.flatnonzero(row)
        for i in taken:
            for j in taken:
                gram[i, j] += np.exp(-abs(row[i] - row[j]) / tau) / len(taken) ** user_power
    return ease_weights(gram, l2)


@pytest.mark.parametrize(("tau", "user_power"), [(300.0, 0.5), (DAY, 1.0)])
def test_weights_match_brute_force(times: np.ndarray, tau: float, user_power: float) -> None:
    model = TimeEASERecommender(l2=2.0, tau=tau, user_power=user_power)
    model.fit(csr_matrix(times))
    np.testing.assert_allclose(
        item_weights(model, times.shape[1]),
        _reference(times, 2.0, tau, user_power),
        rtol=1e-4,
        atol=1e-6,
    )


def test_without_time_or_user_weighting_it_is_ease(times: np.ndarray) -> None:
    model = TimeEASERecommender(l2=5.0, tau=1e15, user_power=0.0)
    model.fit(csr_matrix(times))
    ease = EASERecommender(l2=5.0)
    ease.fit(csr_matrix((times > 0).astype(np.float64)))
    n_items = times.shape[1]
    np.testing.assert_allclose(item_weights(model, n_items), item_weights(ease, n_items), atol=1e-6)


def test_items_taken_in_one_sitting_weigh_more() -> None:
    """Every user takes items 0, 1 and 2; item 1 within a minute of item 0, item 2 a day
    later. EASE cannot tell them apart; time-aware EASE ties 0 to 1."""
    times = np.tile([1.0, 60.0, DAY], (10, 1))
    model = TimeEASERecommender(l2=1.0)
    model.fit(csr_matrix(times))
    weights = item_weights(model, 3)
    assert weights[0, 1] > 0.1 > 100 * abs(weights[0, 2])
    ease = EASERecommender(l2=1.0)
    ease.fit(csr_matrix(np.ones_like(times)))
    assert item_weights(ease, 3)[0, 1] == pytest.approx(item_weights(ease, 3)[0, 2])


def test_rejects_bad_parameters() -> None:
    rejected: list[dict[str, Any]] = [
        {"tau": 0.0},
        {"user_power": -1.0},
        {"l2": 0.0},
        {"rating_scale": 0.0},
        {"feature_prior": -1.0},
    ]
    for params in rejected:
        with pytest.raises(RecommenderError):
            TimeEASERecommender(**params)
    assert TimeEASERecommender().params == {
        "l2": 10.0,
        "threads": 1,
        "feature_prior": 0.0,
        "tau": 300.0,
        "user_power": 0.5,
        "rating_scale": None,
    }


def test_blend_passes_times_to_sequential_components_only(times: np.ndarray) -> None:
    blend = BlendRecommender([["ease", {"l2": 5.0}, 1.0], ["time_ease", {"l2": 2.0}, 1.0]])
    assert blend.sequential
    assert not BlendRecommender([["ease", {}, 1.0], ["rp3beta", {}, 1.0]]).sequential
    blend.fit(csr_matrix(times))
    ease, timed = blend._models
    expected_ease = EASERecommender(l2=5.0)
    expected_ease.fit(csr_matrix((times > 0).astype(np.float64)))
    expected_timed = TimeEASERecommender(l2=2.0)
    expected_timed.fit(csr_matrix(times))
    n_items = times.shape[1]
    assert isinstance(ease, EASERecommender) and isinstance(timed, TimeEASERecommender)
    np.testing.assert_allclose(item_weights(ease, n_items), item_weights(expected_ease, n_items))
    np.testing.assert_allclose(item_weights(timed, n_items), item_weights(expected_timed, n_items))
