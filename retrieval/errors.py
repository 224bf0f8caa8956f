"""The retrieval package's error tree: every error it raises on purpose derives from
:class:`RetrievalError`, so callers can catch the package's failures in one place.

Programming mistakes (a negative ``k``, a wrongly shaped array) stay ``ValueError``.
"""

from __future__ import annotations


class RetrievalError(Exception):
    """Base class for every error the retrieval package raises on purpose."""


class CatalogError(RetrievalError):
    """A catalog file cannot be loaded at all: unreadable, unknown format, malformed
    structure, or a required column is missing. (Bad single rows are not errors:
    they are reported as :class:`retrieval.catalog.RowError` and skipped.)"""


class EmptyQueryError(RetrievalError):
    """A search had no query text and no filters, so there is nothing to look for."""


class IndexNotBuiltError(RetrievalError):
    """No search index exists in the folder it was loaded from."""


class IndexMismatchError(RetrievalError):
    """A saved index was built with another embedder (name or dimension) than the one
    it is being loaded with; rebuild the index."""


class UnknownEmbedderError(RetrievalError):
    """No embedder is registered under the requested name."""


class ProductNotFoundError(RetrievalError, KeyError):
    """No product with the requested id is in the index."""

    def __str__(self) -> str:
        # KeyError.__str__ would wrap the message in quotes.
        return str(self.args[0]) if self.args else ""


class ProductExistsError(RetrievalError):
    """A product to add has the id of one already in the index."""
