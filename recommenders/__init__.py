"""Implicit-feedback recommenders: interactions in, ranked items with reasons out.

`RecommendationService` is the entry point; algorithms are picked by name through
`get_recommender` ("popularity", "itemknn", "als") and share the `Recommender` base; a saved
model of any of them is read back with `load_recommender`.
"""

from recommenders.base import Recommender
from recommenders.errors import (
    InteractionsError,
    ModelNotTrainedError,
    RecommenderError,
    UnknownAlgorithmError,
    UnknownItemError,
)
from recommenders.interactions import (
    Event,
    InteractionMatrix,
    InteractionsLoad,
    RowError,
    load_interactions,
)
from recommenders.registry import algorithms, get_recommender, load_recommender
from recommenders.service import Recommendation, RecommendationService

__all__ = [
    "Event",
    "InteractionMatrix",
    "InteractionsError",
    "InteractionsLoad",
    "ModelNotTrainedError",
    "Recommendation",
    "RecommendationService",
    "Recommender",
    "RecommenderError",
    "RowError",
    "UnknownAlgorithmError",
    "UnknownItemError",
    "algorithms",
    "get_recommender",
    "load_interactions",
    "load_recommender",
]
