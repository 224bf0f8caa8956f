"""Local language understanding: intent classification and entity extraction."""

from assistant.nlu.entities import Entities, extract_entities
from assistant.nlu.intents import OUT_OF_SCOPE, IntentModel, Prediction, builtin_examples

__all__ = [
    "OUT_OF_SCOPE",
    "Entities",
    "IntentModel",
    "Prediction",
    "builtin_examples",
    "extract_entities",
]
