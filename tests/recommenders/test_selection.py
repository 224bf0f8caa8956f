"""`auto`: candidates judged on held-out interactions, within a budget, the best one kept."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from recommenders import Event, RecommendationService, readings, selection
from recommenders.errors import RecommenderError


def _tastes(seed: int = 3) -> list[Event]:
    """Two groups of users, each rating its own half of 40 items high (with times), the
    other half low: a model must tell the groups apart to rank well."""
    rng = np.random.default_rng(seed)
    events = []
    for user in range(60):
        group = user % 2
        for t, item in enumerate(rng.choice(40, 12, replace=False)):
            liked = (item < 20) == (group == 0)
            rating = float(rng.integers(4, 6) if liked else rng.integers(1, 3))
            events.append(Event(f"u{user}", f"i{item}", "rating", rating, float(t)))
    return events


EVENTS = _tastes()


def test_auto_keeps_a_best_trial_and_says_what_it_tried(
    tmp_path: Path,
) -> None:
    service = RecommendationService.train(EVENTS, algorithm="auto")
    chosen = service.summary["chosen_by"]
    trials = chosen["trials"]
    assert chosen["validation"]["split"] == "latest"  # the events have times
    assert trials == sorted(trials, key=lambda t: -t["ndcg@10"])
    assert {t["algorithm"] for t in trials} >= {"popularity", "itemknn", "ease", "als"}
    assert {t["reading"] for t in trials} >= {"binary", "weighted", "liked>=4", "times"}
    assert {t["algorithm"] for t in trials} >= {"transitions", "time_ease"}  # sequential
    kept = next(
        t
        for t in trials
        if (t["algorithm"], t["reading"]) == (service.model.name, service.reading)
        and t["ndcg@10"] >= (1 - selection.TIE) * trials[0]["ndcg@10"] - 1e-4
    )
    assert service.summary["algorithm"] == kept["algorithm"]
    assert service.summary["reading"] == kept["reading"]
    assert kept["ndcg@10"] > next(t for t in trials if t["algorithm"] == "popularity")["ndcg@10"]
    service.save(tmp_path)
    assert RecommendationService.load(tmp_path).reading == service.reading


def test_a_store_without_times_is_judged_on_a_random_part() -> None:
    untimed = [Event(e.user_id, e.item_id, e.event, e.weight) for e in EVENTS]
    service = RecommendationService.train(untimed, algorithm="auto")
    chosen = service.summary["chosen_by"]
    assert chosen["validation"]["split"] == "random"
    assert all(t["reading"] != "times" for t in chosen["trials"])  # nothing to read times from


def test_the_budget_bounds_the_search_and_ease_is_left_out_when_too_big(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    matrix = csr_matrix(np.eye(30, dtype=np.float32) + np.eye(30, k=1, dtype=np.float32))
    floor = selection.choose(matrix, budget=0.0)
    assert [t.candidate.algorithm for t in floor.trials] == ["popularity"]
    monkeypatch.setattr(selection, "EASE_MAX_ITEMS", 10)
    tried = {t.candidate.algorithm for t in selection.choose(matrix).trials}
    assert "ease" not in tried and "itemknn" in tried


def test_nobody_with_two_items_leaves_popularity() -> None:
    choice = selection.choose(csr_matrix(np.eye(5, dtype=np.float32)))
    assert choice.best.algorithm == "popularity" and choice.trials == []


def test_readings() -> None:
    ratings = csr_matrix(np.array([[5, 1, 0], [4, 0, 2]], dtype=np.float32))
    assert readings.candidates(ratings) == ["binary", "weighted", "liked>=4"]
    assert readings.read(ratings, "binary").toarray().tolist() == [[1, 1, 0], [1, 0, 1]]
    assert readings.read(ratings, "liked>=4").toarray().tolist() == [[1, 0, 0], [1, 0, 0]]
    assert (readings.read(ratings, "weighted") != ratings).nnz == 0
    assert readings.candidates(readings.read(ratings, "binary")) == ["binary"]
    with pytest.raises(RecommenderError, match="reading"):
        readings.read(ratings, "loved")


def test_the_reading_applies_to_the_histories_queried_too() -> None:
    """Trained on binary, a user's next recommendations do not depend on her weights."""
    heavy = [*EVENTS, Event("new", "i1", "rating", 5.0), Event("new", "i30", "rating", 1.0)]
    light = [*EVENTS, Event("new", "i1", "rating", 1.0), Event("new", "i30", "rating", 5.0)]
    picks = [
        [
            r.item_id
            for r in RecommendationService.train(
                events, algorithm="ease", reading="binary"
            ).recommend("new", 5)
        ]
        for events in (heavy, light)
    ]
    assert picks[0] == picks[1]


def test_a_sequential_choice_is_fitted_on_times_and_queried_as_binary(tmp_path: Path) -> None:
    service = RecommendationService.train(EVENTS, algorithm="time_ease", reading="times")
    assert service.reading == "times"
    assert len(service.recommend("u0", 5)) == 5
    service.save(tmp_path)
    assert RecommendationService.load(tmp_path).recommend("u0", 5) == service.recommend("u0", 5)
    untimed = [Event(e.user_id, e.item_id, e.event, e.weight) for e in EVENTS]
    with pytest.raises(RecommenderError, match="timestamps"):
        RecommendationService.train(untimed, algorithm="time_ease", reading="times")


def test_a_much_cheaper_trial_within_the_tie_is_kept_over_the_best() -> None:
    def trial(name: str, ndcg: float, seconds: float) -> selection.Trial:
        return selection.Trial(selection.Candidate(name), ndcg, seconds)

    blend, transitions = trial("blend", 0.0551, 24.0), trial("transitions", 0.0541, 3.2)
    assert selection.keep([blend, transitions]).candidate.algorithm == "transitions"
    slower = trial("transitions", 0.0541, 20.0)  # not half the cost: the best stays
    assert selection.keep([blend, slower]).candidate.algorithm == "blend"
    worse = trial("popularity", 0.0500, 0.1)  # cheap, but not within the tie
    assert selection.keep([blend, worse]).candidate.algorithm == "blend"


def test_the_times_reading_is_seconds_since_the_earliest_plus_one() -> None:
    """Kept to the second at unix-time scale (float64), so sequential models see order."""
    times = csr_matrix(
        (
            np.array([1_600_000_000, 1_600_000_007, 1_600_000_001, 1_700_000_000], np.float64),
            (np.array([0, 0, 1, 1]), np.array([0, 1, 0, 2])),
        ),
        shape=(2, 3),
    )
    fitted = readings.fitted_on(times, readings.TIMES, times)
    np.testing.assert_array_equal(fitted.toarray(), [[1, 8, 0], [2, 0, 100_000_001]])
    assert readings.read(times, readings.TIMES).toarray().tolist() == [[1, 1, 0], [1, 0, 1]]
