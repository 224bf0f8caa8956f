"""`train --algorithm auto`: choose the recommender on the store's own interactions.

Part of each user's items is held out (the latest ones when the events have times,
else a random part: `evaluation.holdout`); each candidate, a model with settings and a
reading of the weights (`recommenders.readings`), is fitted on the rest and scored by
nDCG@10 on what was held out; then the best two and three different models are tried as
blends. The best is kept, or a much cheaper trial within `TIE` of it.
Candidates run cheapest first while the time budget lasts; a large store is judged on a
sample of its users (`VALIDATION_CELLS`, `VALIDATION_USERS`), and models whose fit grows
with items² are left out above `QUADRATIC_MAX_ITEMS`. The winner is what `RecommendationService`
then fits on everything; the table of trials is kept in its summary.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse
from scipy.sparse import csr_matrix

from recommenders import ease, readings
from recommenders.errors import RecommenderError
from recommenders.evaluation import evaluate, holdout, sample_users
from recommenders.registry import get_recommender

logger = logging.getLogger(__name__)

BUDGET_SECONDS = 120.0
"""How long the choice may take, fits and scoring together (the final fit comes after)."""
VALIDATION_CELLS = 300_000
"""A store with more interactions is judged on a random sample of users holding this many
(and on the items they met), so that the choice costs little more at any size. A sample
gives each model less to learn from than the final fit has, which favours popularity on
sparse data: on 10M interactions over 1M items, 100,000 cells chose popularity where
300,000 chose transitions (docs/benchmarks.md, "recs-scale")."""
VALIDATION_USERS = 3_000
"""At most this many users' held-out items score each trial."""
QUADRATIC_MAX_ITEMS = 30_000
"""Item-kNN and RP3beta, whose fit grows with items², are candidates up to this many items
(20,000 items take 5 s to fit on two cores, 80,000 items over a minute)."""
HOLDOUT = 0.2
K = 10
TIE = 0.02
"""Trials within this share of the best nDCG are as good, and one of them that costs at
most half as much as each better one is kept instead (a blend 1% better on one
validation split is noise, and costs its members' fits and scoring in every
recommendation)."""
EASE_MAX_ITEMS = 10_000
_DENSE = ("ease", "time_ease")
"""EASE is a candidate up to this many items (its time grows with items³, memory items²)."""
_EASE_SECONDS_PER_GIGA_ITEMS3 = 0.03
"""An EASE fit's seconds per 10⁹ items³ on one core (12,101 items: about 46 s), to skip it
when it cannot fit in what is left of the budget."""


@dataclass(frozen=True)
class Candidate:
    """A model, its settings, and how it reads the weights."""

    algorithm: str
    params: dict[str, Any] = field(default_factory=dict)
    reading: str = readings.BINARY

    @property
    def label(self) -> str:
        settings = ", ".join(f"{k}={v}" for k, v in self.params.items() if k != "components")
        if self.algorithm == "blend":
            settings = " + ".join(
                f"{c[2]:g} {c[0]}({_input(c)})" for c in self.params["components"]
            )
        return f"{self.algorithm}({settings}) on {self.reading}"


@dataclass
class Trial:
    candidate: Candidate
    ndcg: float
    seconds: float

    def row(self) -> dict[str, Any]:
        c = self.candidate
        return {
            "algorithm": c.algorithm,
            "params": c.params,
            "reading": c.reading,
            "ndcg@10": round(self.ndcg, 4),
            "seconds": round(self.seconds, 2),
        }


@dataclass
class Choice:
    """What `choose` found: the candidate kept (the best, or a much cheaper one within `TIE`
    of it) and every trial, best first."""

    best: Candidate
    trials: list[Trial]
    users: int
    """Users whose held-out items scored the trials."""
    split: str
    """"latest" (by time) or "random"."""
    seconds: float

    def summary(self) -> dict[str, Any]:
        return {
            "validation": {
                "split": self.split,
                "held_out": HOLDOUT,
                "users": self.users,
                "seconds": round(self.seconds, 2),
            },
            "trials": [trial.row() for trial in self.trials],
        }


def choose(
    user_items: csr_matrix,
    *,
    times: csr_matrix | None = None,
    budget: float = BUDGET_SECONDS,
    seed: int = 0,
) -> Choice:
    """The candidate with the best validation nDCG@10 on `user_items` (raw weights; `times`:
    the latest time of each cell, when known)."""
    started = time.perf_counter()
    rows = sample_users(user_items, VALIDATION_CELLS, seed)
    items = np.unique(user_items[rows].indices)
    sample = csr_matrix(user_items[rows][:, items])
    sample_times = None if times is None else csr_matrix(times[rows][:, items])
    train, test = holdout(sample, HOLDOUT, times=sample_times, seed=seed)
    test = _some_users(test, VALIDATION_USERS, seed)
    if test.nnz == 0:  # nobody has two items: nothing to judge on
        best = Candidate("popularity")
        return Choice(best, [], 0, "none", time.perf_counter() - started)
    train_times = None
    if sample_times is not None:
        since = readings.fitted_on(sample, readings.TIMES, sample_times)
        train_times = csr_matrix(since.multiply(train != 0))
    judge = _Judge(train, test, train_times)
    judge.run(Candidate("popularity"))  # the floor, whatever the budget
    deadline = started + budget
    for candidate in _singles(train, user_items.shape[1], timed=times is not None):
        if judge.affordable(candidate, deadline):
            judge.run(candidate)
    for candidate in _blends(judge.trials):
        if judge.affordable(candidate, deadline):
            judge.run(candidate)
    trials = sorted(judge.trials, key=lambda t: -t.ndcg)
    if not trials:
        raise RecommenderError("no candidate recommender could be fitted")
    users = int((test.getnnz(axis=1) > 0).sum())
    split = "random" if times is None else "latest"
    return Choice(keep(trials).candidate, trials, users, split, time.perf_counter() - started)


def keep(trials: list[Trial]) -> Trial:
    """Of `trials` (best first), the best, or a trial within `TIE` of it that costs at most
    half as much as each better one kept before it."""
    kept = trials[0]
    for trial in trials[1:]:
        if trial.ndcg >= (1 - TIE) * trials[0].ndcg and trial.seconds <= kept.seconds / 2:
            kept = trial
    return kept


class _Judge:
    """Fits candidates on the training part and scores them on the held-out part."""

    def __init__(self, train: csr_matrix, test: csr_matrix, times: csr_matrix | None) -> None:
        self.train, self.test, self.times = train, test, times
        self.trials: list[Trial] = []
        self._seconds: dict[str, float] = {}
        """Seconds of the last trial of each algorithm: what the next one may cost."""

    def affordable(self, candidate: Candidate, deadline: float) -> bool:
        expected = self._expected(candidate)
        return time.perf_counter() + expected <= deadline

    def run(self, candidate: Candidate) -> None:
        started = time.perf_counter()
        try:
            model = get_recommender(candidate.algorithm, **candidate.params)
            fitted_on = readings.fitted_on(self.train, candidate.reading, self.times)
            model.fit_with(fitted_on, ratings=self.train)
            history = readings.read(self.train, candidate.reading)
            ndcg = evaluate(model, history, self.test, K, exclude=self.train)["ndcg"]
        except (RecommenderError, MemoryError) as exc:
            logger.warning("auto: %s failed: %s", candidate.label, exc)
            return
        seconds = time.perf_counter() - started
        self._seconds[candidate.algorithm] = seconds
        self.trials.append(Trial(candidate, ndcg, seconds))
        logger.info("auto: %s nDCG@10 %.4f (%.1f s)", candidate.label, ndcg, seconds)

    def _expected(self, candidate: Candidate) -> float:
        if candidate.algorithm == "blend":
            members = candidate.params["components"]
            return sum(self._seconds.get(str(m[0]), 0.0) for m in members)
        if candidate.algorithm in _DENSE and candidate.algorithm not in self._seconds:
            return _EASE_SECONDS_PER_GIGA_ITEMS3 * (self.train.shape[1] / 1000) ** 3
        return self._seconds.get(candidate.algorithm, 0.0)


def _singles(train: csr_matrix, n_items: int, *, timed: bool) -> Iterator[Candidate]:
    """Every personalised model under every reading worth trying, cheapest first; with
    times, the sequential models too."""
    ways = readings.candidates(train)
    dense = n_items <= EASE_MAX_ITEMS and ease.fits_in_memory(n_items)
    if timed:
        for window, backward in ((1, 0.0), (3, 0.5)):
            params = {"window": window, "backward": backward}
            yield Candidate("transitions", params, readings.TIMES)
    models: list[tuple[str, dict[str, Any]]] = [
        ("als", {"factors": 64, "regularization": 0.05, "alpha": 5.0, "threads": 0})
    ]
    if n_items <= QUADRATIC_MAX_ITEMS:
        models += [
            ("itemknn", {"similarity": "cosine", "neighbours": 100, "shrink": 10.0}),
            ("rp3beta", {"alpha": 0.5, "beta": 0.5, "neighbours": 300}),
        ]
    if dense:
        models += [("ease", {"l2": l2}) for l2 in (100.0, 500.0, 2000.0)]
    for algorithm, params in models:
        for reading in ways:
            yield Candidate(algorithm, params, reading)
    if timed and dense:
        for tau in (300.0, 3600.0):
            params = {"l2": 10.0, "tau": tau, "user_power": 0.5}
            yield Candidate("time_ease", params, readings.TIMES)


def _blends(trials: list[Trial]) -> Iterator[Candidate]:
    """Blends of the best trials of the best different models: two equal, two uneven,
    then three equal."""
    best: dict[str, Trial] = {}
    for trial in sorted(trials, key=lambda t: -t.ndcg):
        if trial.candidate.algorithm != "popularity":
            best.setdefault(trial.candidate.algorithm, trial)
    leaders = [trial.candidate for trial in list(best.values())[:3]]
    if len(leaders) < 2:
        return
    weightings: list[tuple[float, ...]] = [(1.0, 1.0), (2.0, 1.0), (1.0, 2.0)]
    if len(leaders) == 3:
        weightings.append((1.0, 1.0, 1.0))
    for weights in weightings:
        members = leaders[: len(weights)]
        components = [_member(c, w) for c, w in zip(members, weights, strict=False)]
        timed = any(c.reading == readings.TIMES for c in members)
        reading = readings.TIMES if timed else readings.BINARY
        yield Candidate("blend", {"components": components}, reading)


def _some_users(test: csr_matrix, most: int, seed: int) -> csr_matrix:
    """`test` with the held-out items of at most `most` of its users (a random choice)."""
    users = np.flatnonzero(np.diff(test.indptr) > 0)
    if len(users) <= most:
        return test
    kept = np.zeros(test.shape[0])
    kept[np.random.default_rng(seed).choice(users, most, replace=False)] = 1.0
    return csr_matrix(scipy.sparse.diags(kept) @ test)


def _member(candidate: Candidate, weight: float) -> list[Any]:
    """A blend component fitted on what `candidate` read (the blend reads binary and gets
    the raw weights as its ratings)."""
    spec = {
        readings.BINARY: "interactions",
        readings.TIMES: "interactions",  # a sequential member gets the times the blend gets
        readings.WEIGHTED: "ratings",
    }.get(candidate.reading, candidate.reading.replace("liked", "ratings"))
    member: list[Any] = [candidate.algorithm, dict(candidate.params), weight]
    return member if spec == "interactions" else [*member, spec]


def _input(component: list[Any]) -> str:
    return str(component[3]) if len(component) > 3 else "interactions"
