"""What the assistant and the CLI use: string ids in, ranked items with a reason out."""

from __future__ import annotations

import functools
import itertools
import json
import logging
import os
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse
from scipy.sparse import csr_matrix

from recommenders import readings, selection
from recommenders.base import Recommender
from recommenders.errors import (
    InteractionsError,
    ModelNotTrainedError,
    RecommenderError,
    UnknownItemError,
)
from recommenders.histories import Histories
from recommenders.interactions import EVENT_KINDS, Event, InteractionMatrix
from recommenders.popularity import PopularityRecommender
from recommenders.registry import get_recommender, load_recommender
from retrieval.text import category_leaf

logger = logging.getLogger(__name__)

_BECAUSE = {
    "purchase": "because you bought {title}",
    "rating": "because you rated {title}",
    "cart": "because you added {title} to your cart",
    "wishlist": "because you saved {title}",
    "view": "because you viewed {title}",
    "interaction": "because of your interest in {title}",
}
_AGAIN = {
    "purchase": "you bought this before",
    "rating": "you rated this",
    "cart": "still in your cart",
    "wishlist": "on your wishlist",
    "view": "you viewed this",
    "interaction": "you showed interest in this",
}
"""Reasons for an item whose own history weighs most in its score."""
_FROM_HISTORY = "based on your shopping history"
_SIMILAR = "shoppers who liked {title} also liked this"
_FORMAT = 1
AUTO = "auto"
"""The algorithm chosen on the store's own interactions (`recommenders.selection`)."""


@dataclass(frozen=True)
class Recommendation:
    """One recommended item. Lists are ranked; scores compare only within one `source`."""

    item_id: str
    score: float
    reason: str
    """Short, human and true: names the history item that contributes most, or why else."""
    source: str = "personal"
    """`personal` (the model, from the user's history), `popular` or `similar`."""


class RecommendationService:
    """A trained recommender with its interactions, for string ids and explained results.

    Known users get the model's top items minus what they already bought; unknown users, and
    any shortfall, are filled with popular items. `record` adds new events to a user's history
    so that the next recommendations reflect them without retraining.
    """

    def __init__(
        self,
        model: Recommender,
        popularity: Recommender,
        interactions: InteractionMatrix,
        *,
        item_titles: Mapping[str, str] | None = None,
        item_categories: Mapping[str, str] | None = None,
        event_weights: Mapping[str, float] | None = None,
        summary: Mapping[str, Any] | None = None,
        trained_users: int | None = None,
        changed_users: Collection[int] = (),
        reading: str = readings.WEIGHTED,
    ) -> None:
        self.model = model
        self.reading = readings.check(reading)
        """How the model reads weights (`recommenders.readings`), in fitting and queries."""
        self.summary: dict[str, Any] = dict(summary or {})
        self._popularity = popularity
        self._histories = Histories(interactions, changed_users)
        self._item_ids = interactions.item_ids
        self._items = {item: column for column, item in enumerate(self._item_ids)}
        self._interacted = np.diff(interactions.user_items.tocsc().indptr) > 0
        titles, categories = item_titles or {}, item_categories or {}
        self._titles = {item: titles[item] for item in self._item_ids if item in titles}
        self.title_of: Callable[[str], str | None] = self._titles.get
        """How reasons name an item (by default the titles given at training); the shop
        points it at its live catalog, so renamed or later-indexed products read right."""
        self._categories = {
            item: categories[item] for item in self._item_ids if categories.get(item)
        }
        names = {name: code for code, name in enumerate(dict.fromkeys(self._categories.values()))}
        self._category_codes = np.array(
            [names.get(self._categories.get(item, ""), -1) for item in self._item_ids],
            dtype=np.int64,
        )
        self._event_weights = dict(event_weights or {})
        self._trained_users = len(interactions.user_ids) if trained_users is None else trained_users

    @classmethod
    def train(
        cls,
        events: Sequence[Event],
        *,
        algorithm: str = "als",
        params: Mapping[str, Any] | None = None,
        item_titles: Mapping[str, str] | None = None,
        item_categories: Mapping[str, str] | None = None,
        items: Sequence[str] | None = None,
        event_weights: Mapping[str, float] | None = None,
        reading: str = readings.WEIGHTED,
        budget: float = selection.BUDGET_SECONDS,
    ) -> RecommendationService:
        """Fit `algorithm` (see `registry.algorithms()`) reading the weights as `reading`,
        and popularity, on `events`. `auto` chooses the algorithm, its settings and the
        reading on a held-out part of `events` within `budget` seconds (see
        `recommenders.selection`); the summary then lists what it tried.

        `items` (the catalog's ids) lets items without interactions be looked up too;
        `item_categories` are normalised paths ("A > B > C", as `Product.category` holds them).
        """
        started = time.perf_counter()
        matrix = InteractionMatrix.from_events(events, event_weights, items)
        if matrix.user_items.nnz == 0:
            raise InteractionsError("no usable interactions to train on")
        chosen: dict[str, Any] = {}
        if algorithm.strip().lower() == AUTO:
            choice = selection.choose(matrix.user_items, times=matrix.times, budget=budget)
            algorithm, params, reading = (
                choice.best.algorithm,
                choice.best.params,
                choice.best.reading,
            )
            chosen = {"chosen_by": choice.summary()}
        model = get_recommender(algorithm, **(params or {}))
        fitted_on = readings.fitted_on(matrix.user_items, reading, matrix.times)
        model.fit_with(fitted_on, ratings=matrix.user_items)
        popularity: Recommender = model
        if not isinstance(model, PopularityRecommender):
            popularity = PopularityRecommender()
            popularity.fit(matrix.user_items)
        seconds = time.perf_counter() - started
        summary = {
            "algorithm": model.name,
            "params": model.params,
            "reading": reading,
            "users": len(matrix.user_ids),
            "items": len(matrix.item_ids),
            "interactions": len(events),
            "seconds": round(seconds, 3),
            **chosen,
        }
        logger.info("trained %s recommender: %s", model.name, summary)
        return cls(
            model,
            popularity,
            matrix,
            item_titles=item_titles,
            item_categories=item_categories,
            event_weights=event_weights,
            summary=summary,
            reading=reading,
        )

    def save(self, directory: Path | str) -> None:
        """Write everything to `directory` (npz arrays and JSON; `meta.json` goes last)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        histories = self._histories
        matrix = histories.merged()
        _replace(directory / "model.npz", self.model.save)
        _replace(directory / "popularity.npz", self._popularity.save)
        for name in ("user_items", "purchased", "event_kinds"):
            part = getattr(matrix, name)
            _replace(
                directory / f"{name}.npz", functools.partial(scipy.sparse.save_npz, matrix=part)
            )
        meta = {
            "format": _FORMAT,
            "summary": self.summary,
            "user_ids": matrix.user_ids,
            "item_ids": matrix.item_ids,
            "titles": self._titles,
            "categories": self._categories,
            "event_weights": self._event_weights,
            "trained_users": self._trained_users,
            "changed_users": sorted(histories.changed),
            "reading": self.reading,
        }
        _replace(directory / "meta.json", lambda path: path.write_text(json.dumps(meta)))

    @classmethod
    def load(cls, directory: Path | str) -> RecommendationService:
        """Read what `save` wrote; `ModelNotTrainedError` when nothing was saved there."""
        directory = Path(directory)
        if not (directory / "meta.json").is_file():
            raise ModelNotTrainedError(
                f"no trained recommender in {directory}: train one from an interactions file"
            )
        try:
            meta = json.loads((directory / "meta.json").read_text())
            if meta.get("format") != _FORMAT:
                raise RecommenderError(f"unsupported format {meta.get('format')!r}")
            parts = {
                name: csr_matrix(scipy.sparse.load_npz(directory / f"{name}.npz"))
                for name in ("user_items", "purchased", "event_kinds")
            }
            matrix = InteractionMatrix(meta["user_ids"], meta["item_ids"], **parts)
            model = load_recommender(directory / "model.npz")
            popularity = load_recommender(directory / "popularity.npz")
        except (OSError, ValueError, KeyError, TypeError, RecommenderError) as exc:
            raise RecommenderError(
                f"the recommender in {directory} is unreadable ({exc}); train it again"
            ) from exc
        return cls(
            model,
            popularity,
            matrix,
            item_titles=meta["titles"],
            item_categories=meta["categories"],
            event_weights=meta["event_weights"],
            summary=meta["summary"],
            trained_users=meta["trained_users"],
            changed_users=meta["changed_users"],
            reading=meta.get("reading", readings.WEIGHTED),
        )

    @property
    def item_ids(self) -> list[str]:
        """Every item the model has a column for."""
        return self._item_ids

    def knows_user(self, user_id: str) -> bool:
        return user_id in self._histories.users

    def knows_item(self, item_id: str) -> bool:
        """Whether the model has interactions with `item_id` (events on other items cannot
        change its recommendations)."""
        column = self._items.get(item_id)
        return column is not None and bool(self._interacted[column])

    def history(self, user_id: str) -> list[str]:
        """Items the user interacted with, largest total weight first."""
        histories = self._histories
        row = histories.users.get(user_id)
        if row is None:
            return []
        history = histories.rows("user_items", np.array([row]))
        order = np.lexsort((history.indices, -history.data))
        return [self._item_ids[item] for item in history.indices[order]]

    def recommend(
        self,
        user_id: str,
        k: int = 10,
        *,
        allowed: Collection[str] | None = None,
        excluded: Collection[str] = (),
    ) -> list[Recommendation]:
        """Top `k` for one user, only among `allowed` item ids when given, never `excluded`."""
        return self.recommend_many([user_id], k, allowed=allowed, excluded=excluded)[user_id]

    def recommend_many(
        self,
        user_ids: Sequence[str],
        k: int = 10,
        *,
        allowed: Collection[str] | None = None,
        excluded: Collection[str] = (),
    ) -> dict[str, list[Recommendation]]:
        """Top `k` for each user, scored in batches, only among `allowed` item ids if given,
        never among `excluded` ones (such as what is out of stock)."""
        histories = self._histories
        mask = self._mask(allowed, excluded)
        rows = np.array([histories.users.get(user, -1) for user in user_ids], dtype=np.int64)
        picks: list[list[Recommendation]] = [[] for _ in user_ids]
        known = np.flatnonzero(rows >= 0)
        if self.model.personalised and len(known) and k > 0:
            history = readings.read(histories.rows("user_items", rows[known]), self.reading)
            model_rows = self._model_rows(rows[known], histories.changed)
            purchased = histories.rows("purchased", rows[known])
            kinds = histories.rows("event_kinds", rows[known])
            ids, scores = self.model.recommend(
                model_rows, history, k, exclude=purchased, allowed=mask
            )
            for i, position in enumerate(known):
                reasons = _Reasons(self, kinds[i], history[i], model_rows[i])
                picks[position] = [
                    Recommendation(self._item_ids[item], float(score), reasons.why(item))
                    for item, score in zip(ids[i], scores[i], strict=True)
                    if item >= 0
                ]
        short = [position for position, chosen in enumerate(picks) if len(chosen) < k]
        if short:
            owned = histories.rows("purchased", rows[short])
            taken = _marks(
                [[self._items[p.item_id] for p in picks[i]] for i in short], owned.shape[1]
            )
            ids, scores = self._popular(csr_matrix(owned + taken, dtype=bool), k, mask)
            for i, user in enumerate(short):
                missing = k - len(picks[user])
                picks[user] += self._popular_picks(ids[i], scores[i])[:missing]
        return dict(zip(user_ids, picks, strict=True))

    def similar(
        self, item_id: str, k: int = 10, *, allowed: Collection[str] | None = None
    ) -> list[Recommendation]:
        """Items most often chosen by the same shoppers as `item_id`; popular items of its
        category fill any shortfall. `UnknownItemError` for an item the model does not have."""
        item = self._items.get(item_id)
        if item is None:
            raise UnknownItemError(f"unknown item {item_id!r}")
        mask = self._mask(allowed)
        ids, scores = self.model.similar_items(np.array([item]), k, allowed=mask)
        reason = _SIMILAR.format(title=self._title(item))
        found = [
            Recommendation(self._item_ids[other], float(score), reason, "similar")
            for other, score in zip(ids[0], scores[0], strict=True)
            if other >= 0
        ]
        category = self._category_codes[item]
        if len(found) < k and category >= 0:
            same = self._category_codes == category
            taken = _marks([[item, *ids[0][ids[0] >= 0]]], len(self._item_ids))
            ids, scores = self._popular(
                taken, k - len(found), same if mask is None else mask & same
            )
            found += self._popular_picks(ids[0], scores[0])
        return found

    def record(self, events: Sequence[Event]) -> None:
        """Add events (a view, a purchase) to users' histories, adding new users.

        These users' next recommendations come from their new history (a factor model solves
        their factors again on the fly). Events for items unknown to the model are skipped.
        The cost is that of these users' own histories, whatever the number of interactions
        the model was trained on.
        """
        self._histories.record(events, self._event_weights)

    def _model_rows(self, rows: np.ndarray, changed: Collection[int]) -> np.ndarray:
        """Training rows for the model; -1 for users added or changed since training."""
        stale = np.array([int(row) in changed for row in rows], dtype=bool)
        return np.where(stale | (rows >= self._trained_users), -1, rows)

    def _popular(
        self, excluded: csr_matrix, k: int, mask: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Popular items per row of `excluded`, without those it marks."""
        rows = np.full(excluded.shape[0], -1)
        return self._popularity.recommend(
            rows, csr_matrix(excluded.shape), k, exclude=excluded, allowed=mask
        )

    def _popular_picks(self, ids: np.ndarray, scores: np.ndarray) -> list[Recommendation]:
        return [
            Recommendation(
                self._item_ids[item], float(score), self._popular_reason(item), "popular"
            )
            for item, score in zip(ids, scores, strict=True)
            if item >= 0
        ]

    def _popular_reason(self, item: int) -> str:
        leaf = category_leaf(self._categories.get(self._item_ids[item], ""))
        return f"popular in {leaf}" if leaf else "popular with shoppers"

    def _title(self, item: int) -> str:
        item_id = self._item_ids[item]
        return self.title_of(item_id) or self._titles.get(item_id) or item_id

    def _mask(
        self, allowed: Collection[str] | None, excluded: Collection[str] = ()
    ) -> np.ndarray | None:
        if allowed is None and not excluded:
            return None
        mask = np.ones(len(self._item_ids), dtype=bool)
        if allowed is not None:
            mask[:] = False
            mask[[self._items[item] for item in allowed if item in self._items]] = True
        mask[[self._items[item] for item in excluded if item in self._items]] = False
        return mask


class _Reasons:
    """Why the model picked items for one user: the history item that contributes most."""

    def __init__(
        self, service: RecommendationService, kinds: csr_matrix, history: csr_matrix, model_row: int
    ) -> None:
        """`kinds`: the user's row of `event_kinds`; `history`: the row the model read."""
        self._service = service
        self._history = history
        self._model_row = model_row
        self._kinds = dict(zip(kinds.indices.tolist(), kinds.data.tolist(), strict=True))

    def why(self, item: int) -> str:
        service = self._service
        top = service.model.explain(self._model_row, self._history, item, top=1)
        if not top or top[0][1] <= 0:
            return _FROM_HISTORY
        source = top[0][0]
        kind = EVENT_KINDS[self._kinds.get(source, 0)]
        if source == item:
            return _AGAIN[kind]
        return _BECAUSE[kind].format(title=service._title(source))


def _marks(items_per_row: Sequence[Sequence[int]], n_items: int) -> csr_matrix:
    """A bool matrix with row i marking the items of `items_per_row[i]`."""
    indptr = np.cumsum([0, *map(len, items_per_row)])
    indices = np.fromiter(itertools.chain.from_iterable(items_per_row), dtype=np.int64)
    data = np.ones(len(indices), dtype=bool)
    return csr_matrix((data, indices, indptr), shape=(len(items_per_row), n_items))


def _replace(path: Path, write: Callable[[Path], object]) -> None:
    """Write through a temporary file next to `path` (same suffix), then swap it in."""
    temporary = path.with_name(f".{os.getpid()}.{path.name}")
    write(temporary)
    os.replace(temporary, path)
