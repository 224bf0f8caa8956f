"""Blend components fitted on ratings: each gets the matrix its input names, checked against
models fitted on that matrix by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from recommenders import RecommenderError, get_recommender, load_recommender
from recommenders.als import ALSRecommender
from recommenders.blend import BlendRecommender
from recommenders.ease import EASERecommender
from recommenders.protocols import movielens_100k

from .reference import ease_weights, item_weights

RATED = [
    ["ease", {"l2": 5.0}, 1.0],
    ["ease", {"l2": 5.0}, 0.5, "ratings>=4"],
    ["als", {"factors": 4, "regularization": 5.0}, 2.0, "ratings"],
]


@pytest.fixture(scope="module")
def ratings() -> csr_matrix:
    """Users x items ratings 1-5 (0: not rated)."""
    rng = np.random.default_rng(3)
    rated = rng.random((40, 15)) < 0.4
    return csr_matrix(np.where(rated, rng.integers(1, 6, size=rated.shape), 0).astype(np.float32))


def _gram(dense: np.ndarray) -> np.ndarray:
    return dense.T.astype(np.float64) @ dense


def test_each_component_is_fitted_on_its_input(ratings: csr_matrix) -> None:
    blend = BlendRecommender(RATED)
    interactions = (ratings > 0).astype(np.float32)
    blend.fit_with(interactions, ratings=ratings)
    plain, liked, als = blend._models
    dense = ratings.toarray()
    n_items = dense.shape[1]
    np.testing.assert_allclose(
        item_weights(plain, n_items), ease_weights(_gram(dense > 0), 5.0), atol=1e-5
    )
    np.testing.assert_allclose(
        item_weights(liked, n_items), ease_weights(_gram(dense >= 4), 5.0), atol=1e-5
    )
    expected = ALSRecommender(factors=4, regularization=5.0)
    expected.fit(ratings)
    assert isinstance(als, ALSRecommender)
    rows = np.arange(5)
    np.testing.assert_allclose(
        als.scores(rows, interactions[rows]), expected.scores(rows, interactions[rows]), rtol=1e-5
    )


def test_rating_inputs_need_ratings(ratings: csr_matrix) -> None:
    blend = BlendRecommender(RATED)
    with pytest.raises(RecommenderError, match="need ratings"):
        blend.fit(ratings)
    with pytest.raises(RecommenderError, match="shape"):
        blend.fit_with(ratings, ratings=ratings[:5])
    for spec in ("rating", "ratings>=", "ratings>=four", "ratings>4"):
        with pytest.raises(RecommenderError, match="input"):
            BlendRecommender([["ease", {}, 1.0, spec]])
    with pytest.raises(RecommenderError, match="reads times"):
        BlendRecommender([["time_ease", {}, 1.0, "ratings"]])


def test_params_keep_the_inputs_and_rebuild_the_blend(ratings: csr_matrix, tmp_path: Path) -> None:
    blend = BlendRecommender(RATED)
    assert blend.params["components"][0] == ["ease", {"l2": 5.0}, 1.0]
    assert blend.params["components"][1][3] == "ratings>=4"
    assert get_recommender("blend", **blend.params).params == blend.params
    blend.fit_with((ratings > 0).astype(np.float32), ratings=ratings)
    blend.save(tmp_path / "blend.npz")
    loaded = load_recommender(tmp_path / "blend.npz")
    rows = np.arange(4)
    np.testing.assert_array_equal(
        loaded.scores(rows, ratings[rows]), blend.scores(rows, ratings[rows])
    )


def test_models_without_rating_inputs_ignore_ratings(ratings: csr_matrix) -> None:
    interactions = (ratings > 0).astype(np.float32)
    with_ratings, without = EASERecommender(l2=5.0), EASERecommender(l2=5.0)
    with_ratings.fit_with(interactions, ratings=ratings)
    without.fit(interactions)
    n_items = ratings.shape[1]
    np.testing.assert_array_equal(
        item_weights(with_ratings, n_items), item_weights(without, n_items)
    )


def test_movielens_protocol_passes_ratings_and_draws_validation_splits(tmp_path: Path) -> None:
    """A blend whose only component learns from the liked (>= 4) ratings runs; validation
    splits with other seeds come from the same training part."""
    rng = np.random.default_rng(0)
    lines = [
        f"{user}\t{item}\t{rng.integers(1, 6)}\t{900 + 60 * n}\n"
        for n, (user, item) in enumerate(
            (user, (user + item) % 12 + 1) for user in range(1, 21) for item in range(8)
        )
    ]
    path = tmp_path / "u.data"
    path.write_text("".join(lines))
    params = {"components": [["ease", {"l2": 1.0}, 1.0, "ratings>=4"]]}
    result = movielens_100k(path, algorithm="blend", params=params, split="validation")
    assert 0 <= result["ndcg"] <= 1
    sizes = {
        seed: movielens_100k(
            path, algorithm="popularity", split="validation", validation_seed=seed
        )["train_interactions"]
        for seed in (1, 2)
    }
    assert sizes[1] == sizes[2] == result["train_interactions"]
