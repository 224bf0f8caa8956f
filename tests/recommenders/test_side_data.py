"""Side data against hand-computed answers: time_ease's rating kernel, the item-feature
prior shared by EASE and time_ease, their path through blends, and MovieLens genres."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from recommenders import RecommenderError
from recommenders.blend import BlendRecommender
from recommenders.ease import EASERecommender
from recommenders.protocols import _read_u_item_genres, movielens_100k
from recommenders.time_ease import TimeEASERecommender

from .reference import ease_weights, item_weights

TIMES = np.array([[1.0, 61.0, 601.0], [1.0, 0.0, 301.0]])
"""Two users' interaction times in seconds (0: none) on three items."""
INTERACTIONS = (TIMES > 0).astype(np.float64)
RATINGS = np.array([[5.0, 4.0, 1.0], [2.0, 0.0, 2.0]])
FEATURES = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
"""Items 0 and 1 share a genre (cosine 1/√2); item 2 has none."""
COSINE = np.array([[1.0, 0.5**0.5, 0.0], [0.5**0.5, 1.0, 0.0], [0.0, 0.0, 0.0]])


def _kernel_gram() -> np.ndarray:
    """Σ_u n_u^-0.5 · exp(-|Δt| / 300) · exp(-|Δr| / 2), written out pair by pair."""
    first, second = 3**-0.5, 2**-0.5
    g01 = first * np.exp(-60 / 300) * np.exp(-1 / 2)
    g02 = first * np.exp(-600 / 300) * np.exp(-4 / 2) + second * np.exp(-300 / 300)
    g12 = first * np.exp(-540 / 300) * np.exp(-3 / 2)
    return np.array([[first + second, g01, g02], [g01, first, g12], [g02, g12, first + second]])


def test_rating_kernel_weighs_each_pair_by_its_rating_gap() -> None:
    model = TimeEASERecommender(l2=1.0, rating_scale=2.0)
    model.fit_with(csr_matrix(TIMES), ratings=csr_matrix(RATINGS))
    np.testing.assert_allclose(item_weights(model, 3), ease_weights(_kernel_gram(), 1.0), rtol=1e-5)


def test_rating_kernel_is_off_without_a_scale_or_without_ratings() -> None:
    plain = TimeEASERecommender(l2=1.0)
    plain.fit(csr_matrix(TIMES))
    ignoring = TimeEASERecommender(l2=1.0)
    ignoring.fit_with(csr_matrix(TIMES), ratings=csr_matrix(RATINGS))
    unrated = TimeEASERecommender(l2=1.0, rating_scale=2.0)
    unrated.fit(csr_matrix(TIMES))
    for model in (ignoring, unrated):
        np.testing.assert_array_equal(item_weights(model, 3), item_weights(plain, 3))
    with pytest.raises(RecommenderError, match="shape"):
        unrated.fit_with(csr_matrix(TIMES), ratings=csr_matrix(RATINGS[:1]))


@pytest.mark.parametrize(
    ("model", "gram"),
    [
        (EASERecommender(l2=1.0, feature_prior=2.0), INTERACTIONS.T @ INTERACTIONS),
        (TimeEASERecommender(l2=1.0, rating_scale=2.0, feature_prior=2.0), _kernel_gram()),
    ],
)
def test_feature_prior_multiplies_the_gram_by_one_plus_c_cosine(
    model: EASERecommender, gram: np.ndarray
) -> None:
    matrix = TIMES if model.name == "time_ease" else INTERACTIONS
    model.fit_with(csr_matrix(matrix), ratings=csr_matrix(RATINGS), item_features=FEATURES)
    np.testing.assert_allclose(
        item_weights(model, 3), ease_weights(gram * (1 + 2.0 * COSINE), 1.0), rtol=1e-5
    )


def test_without_features_or_prior_the_weights_are_unchanged() -> None:
    interactions = csr_matrix(INTERACTIONS)
    plain = EASERecommender(l2=1.0)
    plain.fit(interactions)
    no_features = EASERecommender(l2=1.0, feature_prior=2.0)
    no_features.fit(interactions)
    no_prior = EASERecommender(l2=1.0)
    no_prior.fit_with(interactions, item_features=FEATURES)
    for model in (no_features, no_prior):
        np.testing.assert_array_equal(item_weights(model, 3), item_weights(plain, 3))
    with pytest.raises(RecommenderError, match="one row per item"):
        no_features.fit_with(interactions, item_features=FEATURES[:2])
    with pytest.raises(RecommenderError):
        EASERecommender(feature_prior=-1.0)


def test_blend_passes_ratings_to_interaction_components_and_features_to_all() -> None:
    timed_params = {"l2": 1.0, "rating_scale": 2.0, "feature_prior": 2.0}
    blend = BlendRecommender(
        [
            ["time_ease", timed_params, 1.0],
            ["ease", {"l2": 1.0, "feature_prior": 2.0}, 0.5, "ratings>=2"],
        ]
    )
    blend.fit_with(csr_matrix(TIMES), ratings=csr_matrix(RATINGS), item_features=FEATURES)
    timed, liked = blend._models
    liked_matrix = (RATINGS >= 2).astype(np.float64)
    np.testing.assert_allclose(
        item_weights(timed, 3), ease_weights(_kernel_gram() * (1 + 2.0 * COSINE), 1.0), rtol=1e-5
    )
    np.testing.assert_allclose(
        item_weights(liked, 3),
        ease_weights(liked_matrix.T @ liked_matrix * (1 + 2.0 * COSINE), 1.0),
        rtol=1e-5,
    )


def _write_u_item(path: Path, genres: dict[int, list[int]]) -> None:
    path.write_text(
        "".join(
            f"{item}|Film {item} (1995)|01-Jan-1995||http://example.org|"
            + "|".join(map(str, flags))
            + "\n"
            for item, flags in genres.items()
        ),
        encoding="latin-1",
    )


def test_u_item_genres_follow_the_protocols_item_columns(tmp_path: Path) -> None:
    """Rows follow the sorted ids of u.data, not id - 1; ids u.item lacks get zeros, ids only
    u.item lists are dropped."""
    path = tmp_path / "u.item"
    _write_u_item(path, {10: [0, 1, 0], 3: [1, 0, 0], 99: [0, 0, 1], 7: [1, 1, 0]})
    genres = _read_u_item_genres(path, np.array([3, 7, 10, 12]))
    np.testing.assert_array_equal(genres, [[1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 0]])
    assert _read_u_item_genres(tmp_path / "missing", np.array([3])) is None


def test_movielens_protocol_passes_u_item_genres_when_present(tmp_path: Path) -> None:
    """Users take a few items of a 24-item catalogue at random; with u.item next to u.data a
    strong feature prior changes EASE's results, without it (or with prior 0) nothing does."""
    rng = np.random.default_rng(1)
    lines = [
        f"{user}\t{2 * item + 5}\t{rng.integers(1, 6)}\t{900 + 60 * n}\n"
        for n, (user, item) in enumerate(
            (user, item) for user in range(1, 31) for item in rng.choice(24, 8, replace=False)
        )
    ]
    path = tmp_path / "u.data"
    path.write_text("".join(lines))

    def ndcg(prior: float) -> float:
        params = {"l2": 1.0, "feature_prior": prior}
        return movielens_100k(path, algorithm="ease", params=params, k=5)["ndcg"]

    without = ndcg(0.0), ndcg(50.0)
    assert without[0] == without[1]
    _write_u_item(tmp_path / "u.item", {2 * item + 5: [item % 2, item // 12] for item in range(24)})
    assert ndcg(0.0) == without[0]
    assert ndcg(50.0) != without[0]
