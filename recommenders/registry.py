"""Recommenders by name: the one place that knows which module implements which algorithm."""

from __future__ import annotations

import importlib
from typing import Any

from recommenders.base import Recommender
from recommenders.errors import RecommenderError, UnknownAlgorithmError

_ALGORITHMS = {
    "popularity": ("recommenders.popularity", "PopularityRecommender"),
    "itemknn": ("recommenders.itemknn", "ItemKNNRecommender"),
    "als": ("recommenders.als", "ALSRecommender"),
    "ease": ("recommenders.ease", "EASERecommender"),
    "time_ease": ("recommenders.time_ease", "TimeEASERecommender"),
    "bpr": ("recommenders.bpr", "BPRRecommender"),
    "transitions": ("recommenders.transitions", "TransitionRecommender"),
    "rp3beta": ("recommenders.rp3beta", "RP3betaRecommender"),
    "blend": ("recommenders.blend", "BlendRecommender"),
}


def algorithms() -> tuple[str, ...]:
    """The names `get_recommender` accepts."""
    return tuple(_ALGORITHMS)


def recommender_class(name: str) -> type[Recommender]:
    """The class registered as `name` (imported only now)."""
    try:
        module, attribute = _ALGORITHMS[name.strip().lower()]
    except KeyError:
        raise UnknownAlgorithmError(
            f"unknown recommender {name!r}; known: {', '.join(_ALGORITHMS)}"
        ) from None
    cls: type[Recommender] = getattr(importlib.import_module(module), attribute)
    return cls


def get_recommender(name: str, **params: Any) -> Recommender:
    """A new, unfitted recommender; unknown parameters raise `RecommenderError`."""
    cls = recommender_class(name)
    try:
        return cls(**params)
    except TypeError as exc:
        raise RecommenderError(f"bad parameters for recommender {name!r}: {exc}") from exc
