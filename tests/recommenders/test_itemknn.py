"""Item-kNN similarities and scores against numpy brute force on a seeded matrix."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from recommenders import RecommenderError
from recommenders.itemknn import ItemKNNRecommender


@pytest.fixture(scope="module")
def dense() -> np.ndarray:
    rng = np.random.default_rng(3)
    values = rng.integers(1, 5, size=(40, 15)).astype(np.float64)
    values[rng.random(values.shape) < 0.7] = 0
    values[:, 14] = 0  # an item nobody touched
    return values


def _cosine(dense: np.ndarray, shrink: float) -> np.ndarray:
    norms = np.linalg.norm(dense, axis=0)
    with np.errstate(invalid="ignore"):
        similarity = dense.T @ dense / (np.outer(norms, norms) + shrink)
    np.fill_diagonal(similarity, 0)
    return np.nan_to_num(similarity)


def _jaccard(dense: np.ndarray, shrink: float) -> np.ndarray:
    binary = (dense > 0).astype(np.float64)
    overlap = binary.T @ binary
    counts = binary.sum(axis=0)
    union = counts[:, None] + counts[None, :] - overlap
    with np.errstate(invalid="ignore"):
        similarity = overlap / (union + shrink)
    np.fill_diagonal(similarity, 0)
    return np.nan_to_num(similarity)


def _as_matrix(similarities: np.ndarray) -> np.ndarray:
    return np.where(np.isneginf(similarities), 0.0, similarities)


@pytest.mark.parametrize(("similarity", "reference"), [("cosine", _cosine), ("jaccard", _jaccard)])
@pytest.mark.parametrize("shrink", [0.0, 5.0])
def test_similarities_match_brute_force(
    dense: np.ndarray, similarity: str, reference, shrink: float
) -> None:
    model = ItemKNNRecommender(similarity=similarity, neighbours=100, shrink=shrink)
    model.fit(csr_matrix(dense))
    found = _as_matrix(model.similarities(np.arange(dense.shape[1])))
    np.testing.assert_allclose(found, reference(dense, shrink), rtol=1e-5, atol=1e-7)


def test_keeps_only_the_top_neighbours_and_scores_with_them(dense: np.ndarray) -> None:
    model = ItemKNNRecommender(neighbours=3, shrink=0.0)
    model.fit(csr_matrix(dense))
    full = _cosine(dense, 0.0)
    expected = np.zeros_like(full)
    for item, row in enumerate(full):
        top = np.argsort(-row, kind="stable")[:3]
        top = top[row[top] > 0]
        expected[item, top] = row[top]
    found = _as_matrix(model.similarities(np.arange(dense.shape[1])))
    np.testing.assert_allclose(found, expected, rtol=1e-5)
    scores = model.scores(np.arange(5), csr_matrix(dense[:5]))
    brute = dense[:5] @ expected.T
    np.testing.assert_allclose(_as_matrix(scores), brute, rtol=1e-5)
    assert np.isneginf(scores[brute == 0]).all()


def test_explain_is_the_exact_split_of_the_score(dense: np.ndarray) -> None:
    model = ItemKNNRecommender(neighbours=5)
    model.fit(csr_matrix(dense))
    history = csr_matrix(dense[[0]])
    scores = model.scores(np.array([0]), history)[0]
    item = int(np.argmax(scores))
    contributions = model.explain(0, history, item, top=100)
    assert sum(value for _, value in contributions) == pytest.approx(float(scores[item]))
    assert max(contributions, key=lambda pair: pair[1]) == contributions[0]


def test_rejects_bad_parameters() -> None:
    with pytest.raises(RecommenderError, match="similarity"):
        ItemKNNRecommender(similarity="pearson")
    with pytest.raises(RecommenderError, match="neighbours"):
        ItemKNNRecommender(neighbours=0)
