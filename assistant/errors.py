"""The assistant's error tree, and `map_errors`, which translates the errors of the
packages it uses into it. HTTP status codes are chosen only in `assistant.api`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from recommenders import errors as recs
from retrieval import errors as retrieval


class AssistantError(Exception):
    """Base of every error the assistant raises on purpose."""


class BadRequest(AssistantError):
    """The caller's input is invalid (empty, too long, malformed)."""


class NotFound(AssistantError):
    """An id the caller named does not exist (or is not theirs to see)."""


class Conflict(AssistantError):
    """The caller tries to create something that already exists."""


class IndexNotBuilt(AssistantError):
    """Something the request needs has not been built or trained yet."""


class Damaged(AssistantError):
    """A file under the home cannot be read; the message names it and the command that
    rebuilds it."""


class LLMUnavailable(AssistantError):
    """The LLM backend failed, timed out or answered something unusable."""


class ConfigurationError(AssistantError):
    """Settings are missing or inconsistent; the message says how to fix them."""


_TRANSLATIONS: tuple[tuple[type[Exception], type[AssistantError]], ...] = (
    (retrieval.CatalogError, BadRequest),
    (retrieval.EmptyQueryError, BadRequest),
    (retrieval.ProductNotFoundError, NotFound),
    (retrieval.ProductExistsError, Conflict),
    (retrieval.IndexNotBuiltError, IndexNotBuilt),
    (retrieval.UnknownEmbedderError, ConfigurationError),
    (recs.InteractionsError, BadRequest),
    (recs.UnknownAlgorithmError, BadRequest),
    (recs.UnknownItemError, NotFound),
    (recs.ModelNotTrainedError, IndexNotBuilt),
    # Anything else the packages raise on purpose is a file they could not use.
    (retrieval.RetrievalError, Damaged),
    (recs.RecommenderError, Damaged),
)
FOREIGN = (retrieval.RetrievalError, recs.RecommenderError)
"""The error trees of the packages the assistant uses."""


def translate(error: Exception) -> AssistantError:
    """`error`, from one of the `FOREIGN` trees, as the assistant's error of that kind
    (with the same message)."""
    kind = next(mine for theirs, mine in _TRANSLATIONS if isinstance(error, theirs))
    return kind(str(error))


@contextmanager
def map_errors() -> Iterator[None]:
    """At an edge (a CLI command, an API request): errors of the packages the assistant
    uses leave as the assistant's own, so each edge reports them in one way."""
    try:
        yield
    except FOREIGN as error:
        raise translate(error) from error
