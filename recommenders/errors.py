"""The package's error tree: every error raised on purpose derives from `RecommenderError`."""


class RecommenderError(Exception):
    """Base class for errors raised by `recommenders`."""


class InteractionsError(RecommenderError):
    """An interactions file (or event list) as a whole cannot be used.

    Unreadable file, unknown format, missing `user_id`/`item_id` column, nothing to train on.
    A single bad row is not an error: it is reported as a `RowError` and skipped.
    """


class UnknownAlgorithmError(RecommenderError):
    """No recommender is registered under the requested name."""


class ModelNotTrainedError(RecommenderError):
    """A model is used before it was fitted, or loaded from where none was saved."""


class UnknownItemError(RecommenderError):
    """An item id that the trained model has never seen."""
