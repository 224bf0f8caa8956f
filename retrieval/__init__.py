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
from .evaluation import JudgedQuery, evaluate, load_judged
from .filters import Filters, ParsedQuery, Vocabulary, parse_query
from .search import MODES, Hit, Mode, SearchEngine, SearchResult
from .storage import recover, save_atomically

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
    "JudgedQuery",
    "MODES",
    "MiniLMEmbedder",
    "Mode",
    "ParsedQuery",
    "Product",
    "ProductNotFoundError",
    "RetrievalError",
    "RowError",
    "SearchEngine",
    "SearchResult",
    "UnknownEmbedderError",
    "Vocabulary",
    "evaluate",
    "get_embedder",
    "load_catalog",
    "load_judged",
    "parse_price",
    "parse_query",
    "recover",
    "save_atomically",
]
