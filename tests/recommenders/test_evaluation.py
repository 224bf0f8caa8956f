"""Splits and ranking metrics against hand-computed answers, and a real-data sanity bar."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from recommenders import Event, InteractionMatrix, Recommender, get_recommender
from recommenders.evaluation import evaluate, holdout, sample_users

MOVIELENS = Path(__file__).parents[2] / ".." / "shared" / "data" / "movielens-100k" / "u.data"


class _FixedScores(Recommender):
    """Scores every user the same: item 0 best, then 1, 2, ..."""

    name = "fixed"

    def fit(self, user_items: csr_matrix) -> None:
        self._n_items = user_items.shape[1]

    def scores(self, user_rows: np.ndarray, user_items: csr_matrix) -> np.ndarray:
        return np.tile(-np.arange(self._n_items, dtype=np.float64), (len(user_rows), 1))

    def similarities(self, items: np.ndarray) -> np.ndarray:
        return np.full((len(items), self._n_items), -np.inf)

    @property
    def params(self) -> dict[str, object]:
        return {}

    def _state(self) -> dict[str, np.ndarray]:
        return {}

    def _restore(self, state: object) -> None:
        pass


def test_metrics_match_a_hand_computed_ranking() -> None:
    train = csr_matrix(np.array([[1, 0, 0, 0, 0, 1], [0, 1, 1, 1, 0, 0], [1, 0, 0, 0, 0, 0]]))
    relevant = csr_matrix(np.array([[0, 0, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0], [0] * 6]))
    model = _FixedScores()
    model.fit(train)
    # a's ranking without i0, i5: i1 i2 -> a hit at rank 2; b's without i1..i3: i0 i4 -> a
    # hit at rank 1; c has nothing held out: not evaluated.
    metrics = evaluate(model, train, relevant, k=2)
    assert metrics["users"] == 2
    assert metrics["precision"] == pytest.approx((1 / 2 + 1 / 2) / 2)
    assert metrics["recall"] == pytest.approx(1.0)
    ndcg_a = (1 / math.log2(3)) / 1
    assert metrics["ndcg"] == pytest.approx((ndcg_a + 1) / 2)
    assert metrics["map"] == pytest.approx((1 / 2 + 1) / 2)
    assert metrics["hit_rate"] == 1.0


def test_holdout_takes_each_users_latest_items_or_a_seeded_random_part() -> None:
    events = [Event(f"u{u}", f"i{i}", timestamp=float(i)) for u in range(3) for i in range(8)]
    events += [Event("u0", "i7", "purchase", timestamp=1.0), Event("solo", "i1")]
    matrix = InteractionMatrix.from_events(events)
    assert matrix.times is not None
    train, test = holdout(matrix.user_items, 0.25, times=matrix.times)
    held = {(matrix.user_ids[r], matrix.item_ids[c]) for r, c in zip(*test.nonzero(), strict=True)}
    assert held == {(f"u{u}", f"i{i}") for u in range(3) for i in (6, 7)}
    assert (train + test != matrix.user_items).nnz == 0  # every cell on one side, weights kept
    solo = matrix.user_ids.index("solo")
    assert train[solo].nnz == 1 and test[solo].nnz == 0  # a single item stays in training
    random, again = (
        holdout(matrix.user_items, 0.25, seed=1),
        holdout(matrix.user_items, 0.25, seed=1),
    )
    assert (random[1] != again[1]).nnz == 0 and random[1].nnz == test.nnz
    assert (random[1] != test).nnz > 0


def test_sample_users_keeps_whole_users_within_the_cells_asked() -> None:
    matrix = csr_matrix(np.eye(100) + np.eye(100, k=1))
    assert len(sample_users(matrix, 10_000)) == 100
    rows = sample_users(matrix, 50, seed=3)
    assert matrix[rows].nnz <= 50 and len(rows) >= 20
    assert np.all(np.diff(rows) > 0)


@pytest.mark.skipif(not MOVIELENS.is_file(), reason="shared MovieLens data not available")
def test_personalised_models_beat_popularity_on_movielens() -> None:
    """MovieLens 100K, 75/25 random split per user, top 10, seen items removed."""
    ratings = np.loadtxt(MOVIELENS, dtype=np.int64)
    matrix = InteractionMatrix.from_events(Event(str(u), str(i)) for u, i, _, _ in ratings)
    train, test = holdout(matrix.user_items, 0.25, seed=42)
    ndcg = {}
    for name in ("popularity", "itemknn", "als"):
        model = get_recommender(name)
        model.fit(train)
        ndcg[name] = evaluate(model, train, test, k=10)["ndcg"]
    assert ndcg["popularity"] == pytest.approx(0.245, abs=0.03)
    assert ndcg["itemknn"] > 0.40 and ndcg["als"] > 0.35
