"""Splits and ranking metrics against hand-computed answers, and a real-data sanity bar."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from recommenders import Event, InteractionMatrix, Recommender, get_recommender
from recommenders.evaluation import evaluate, split_per_user

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
    train = InteractionMatrix.from_events(
        [Event("a", "i0"), Event("a", "i5"), Event("b", "i1"), Event("b", "i2"), Event("b", "i3")],
        items=[f"i{n}" for n in range(6)],
    )
    model = _FixedScores()
    model.fit(train.user_items)
    test = [
        Event("a", "i2"),  # a's ranking without i0: i1 i2 -> a hit at rank 2
        Event("a", "i9"),  # not in training: a miss that still counts
        Event("b", "i0"),  # b's ranking without i1..i3: i0 i4 -> a hit at rank 1
        Event("stranger", "i0"),  # not in training: not evaluated
    ]
    metrics = evaluate(model, train, test, k=2)
    assert metrics.users == 2
    assert metrics.precision == pytest.approx((1 / 2 + 1 / 2) / 2)
    assert metrics.recall == pytest.approx((1 / 2 + 1) / 2)
    ndcg_a = (1 / math.log2(3)) / (1 + 1 / math.log2(3))
    assert metrics.ndcg == pytest.approx((ndcg_a + 1) / 2)
    assert metrics.map == pytest.approx(((1 / 2) / 2 + 1) / 2)
    assert metrics.hit_rate == 1.0
    assert metrics.coverage == pytest.approx(4 / 6)


def test_split_per_user() -> None:
    events = [Event(f"u{u}", f"i{i}", timestamp=float(i)) for u in range(3) for i in range(8)]
    events += [Event("u0", "i7", "purchase", timestamp=1.0), Event("solo", "i1")]
    by_time = split_per_user(events, 0.25, by_time=True)
    held_out = {(e.user_id, e.item_id) for e in by_time.test}
    assert held_out == {(f"u{u}", f"i{i}") for u in range(3) for i in (6, 7)}
    assert sum(e.item_id == "i7" and e.user_id == "u0" for e in by_time.test) == 2  # whole pair
    assert [e.user_id for e in by_time.train].count("solo") == 1
    random = split_per_user(events, 0.25, seed=1)
    assert len(random.train) + len(random.test) == len(events)
    assert split_per_user(events, 0.25, seed=1) == random
    last = split_per_user(events, 0.0, by_time=True)
    assert {(e.user_id, e.item_id) for e in last.test} == {(f"u{u}", "i7") for u in range(3)}


@pytest.mark.skipif(not MOVIELENS.is_file(), reason="shared MovieLens data not available")
def test_personalised_models_beat_popularity_on_movielens() -> None:
    """MovieLens 100K, 75/25 random split per user, top 10, seen items removed."""
    ratings = np.loadtxt(MOVIELENS, dtype=np.int64)
    split = split_per_user((Event(str(u), str(i)) for u, i, _, _ in ratings), 0.25, seed=42)
    train = InteractionMatrix.from_events(split.train)
    ndcg = {}
    for name in ("popularity", "itemknn", "als"):
        model = get_recommender(name)
        model.fit(train.user_items)
        ndcg[name] = evaluate(model, train, split.test, k=10).ndcg
    assert ndcg["popularity"] == pytest.approx(0.245, abs=0.03)
    assert ndcg["itemknn"] > 0.40 and ndcg["als"] > 0.35
