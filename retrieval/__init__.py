"""Product retrieval: catalog loading, embeddings, vector and BM25 indexes, filters and
hybrid search. Independent of the assistant: it takes plain parameters and never reads
the environment."""

import logging

from .catalog import CatalogLoad, Product, RowError, load_catalog, parse_price
from .embedder import Embedder, MiniLMEmbedder, get_embedder
from .errors import (
    CatalogError,
    EmptyQueryError,
    IndexMismatchError,
    IndexNotBuiltError,
    ProductNotFoundError,
    RetrievalError,
    UnknownEmbedderError,
)
from .filters import Filters, ParsedQuery, Vocabulary, parse_query
from .search import Hit, SearchEngine, SearchResult

# Library logging: the application decides where records go.
logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "CatalogError",
    "CatalogLoad",
    "Embedder",
    "EmptyQueryError",
    "Filters",
    "Hit",
    "IndexMismatchError",
    "IndexNotBuiltError",
    "MiniLMEmbedder",
    "ParsedQuery",
    "Product",
    "ProductNotFoundError",
    "RetrievalError",
    "RowError",
    "SearchEngine",
    "SearchResult",
    "UnknownEmbedderError",
    "Vocabulary",
    "get_embedder",
    "load_catalog",
    "parse_price",
    "parse_query",
]
