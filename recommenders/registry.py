"""Recommenders by name: the one place that knows which module implements which algorithm,
so also the one that loads a saved model of any of them."""

from __future__ import annotations

import importlib
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from recommenders.base import SAVED_ALGORITHM, SAVED_PARAMS, Recommender
from recommenders.errors import ModelNotTrainedError, RecommenderError, UnknownAlgorithmError

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


def load_recommender(path: Path | str) -> Recommender:
    """The fitted model that `Recommender.save` wrote to `path`, of whichever algorithm."""
    path = Path(path)
    if not path.is_file():
        raise ModelNotTrainedError(f"no saved model at {path}")
    try:
        with np.load(path, allow_pickle=False) as data:
            name = str(data[SAVED_ALGORITHM])
            params = json.loads(str(data[SAVED_PARAMS]))
            state = {key: data[key] for key in data.files if not key.startswith("__")}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise RecommenderError(f"{path}: unreadable model file ({exc}); train again") from exc
    model = get_recommender(name, **params)
    model._restore(state)
    return model
