"""Offline evaluation: hold out part of each user's items, rank, score the ranking at k."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from recommenders.base import Recommender
from recommenders.interactions import Event, InteractionMatrix


@dataclass
class Split:
    """Events for training and the held-out events to rank."""

    train: list[Event]
    test: list[Event]


def split_per_user(
    events: Iterable[Event], test_fraction: float = 0.25, *, by_time: bool = False, seed: int = 0
) -> Split:
    """Hold out `test_fraction` of each user's distinct items (at least one; users with a
    single item stay in training). All events of a user-item pair fall on the same side.

    `by_time` holds out each user's latest items (by timestamp, then by order of appearance),
    otherwise a seeded random choice (the "stratified split" of the Microsoft Recommenders
    benchmarks); `test_fraction=0` with `by_time` is leave-last-out.
    """
    rng = np.random.default_rng(seed)
    pairs: dict[tuple[str, str], list[Event]] = {}
    for event in events:
        pairs.setdefault((event.user_id, event.item_id), []).append(event)
    by_user: dict[str, list[tuple[str, str]]] = {}
    for pair in pairs:
        by_user.setdefault(pair[0], []).append(pair)
    held_out: set[tuple[str, str]] = set()
    for user_pairs in by_user.values():
        if len(user_pairs) < 2:
            continue
        count = min(len(user_pairs) - 1, max(1, round(len(user_pairs) * test_fraction)))
        if by_time:
            order = sorted(range(len(user_pairs)), key=lambda i: _last_time(pairs[user_pairs[i]]))
        else:
            order = list(rng.permutation(len(user_pairs)))
        held_out.update(user_pairs[i] for i in order[-count:])
    split = Split([], [])
    for pair, pair_events in pairs.items():
        (split.test if pair in held_out else split.train).extend(pair_events)
    return split


def _last_time(events: Sequence[Event]) -> float:
    times = [event.timestamp for event in events if event.timestamp is not None]
    return max(times) if times else -math.inf


@dataclass
class RankingMetrics:
    """Means over the evaluated users of the top-`k` ranking metrics (binary relevance)."""

    k: int
    users: int
    """Users with held-out items who are also in the training data."""
    precision: float
    recall: float
    """Hits over the number of held-out items."""
    ndcg: float
    map: float
    """Mean average precision at k, normalised by min(held-out items, k)."""
    hit_rate: float
    coverage: float
    """Share of all items recommended to anyone."""

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def evaluate(
    model: Recommender, train: InteractionMatrix, test: Iterable[Event], k: int = 10
) -> RankingMetrics:
    """Rank every item for the test users with `model` (fitted on `train.user_items`),
    leaving out each user's training items, and score the top `k` against `test`."""
    if k < 1:
        raise ValueError("k must be at least 1")
    users = {user: row for row, user in enumerate(train.user_ids)}
    items = {item: column for column, item in enumerate(train.item_ids)}
    relevant: dict[int, set[int]] = {}
    unknown: dict[int, int] = {}
    for event in test:
        row = users.get(event.user_id)
        if row is None:
            continue
        column = items.get(event.item_id)
        if column is None:  # cannot be recommended, still counts as missed
            unknown[row] = unknown.get(row, 0) + 1
        else:
            relevant.setdefault(row, set()).add(column)
        relevant.setdefault(row, set())
    rows = np.array(sorted(relevant), dtype=np.int64)
    history = train.user_items[rows]
    ids, _ = model.recommend(rows, history, k, exclude=history)
    hits = np.array([np.isin(ids[i], list(relevant[row])) for i, row in enumerate(rows)])
    hits = hits.reshape(len(rows), k) & (ids >= 0)
    sizes = np.array([len(relevant[row]) + unknown.get(row, 0) for row in rows], dtype=np.float64)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    ideal = np.cumsum(discounts)[np.minimum(sizes, k).astype(np.int64) - 1]
    precision_at = np.cumsum(hits, axis=1) / np.arange(1, k + 1)
    recommended = np.unique(ids[ids >= 0])

    def mean(values: np.ndarray) -> float:
        return float(values.mean()) if len(values) else 0.0

    return RankingMetrics(
        k=k,
        users=len(rows),
        precision=mean(hits.sum(axis=1) / k),
        recall=mean(hits.sum(axis=1) / sizes),
        ndcg=mean((hits * discounts).sum(axis=1) / ideal),
        map=mean((precision_at * hits).sum(axis=1) / np.minimum(sizes, k)),
        hit_rate=mean(np.asarray(hits.any(axis=1))),
        coverage=len(recommended) / max(len(train.item_ids), 1),
    )
