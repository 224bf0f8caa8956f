"""Hybrid product search: dense (embedder cosine) and BM25 candidates fused into one
ranking, under hard filters, with save/load of the whole index."""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import sys
import threading
import time
import uuid
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
from tqdm import tqdm

from .catalog import Product
from .columns import CatalogColumns, phrase_key
from .embedder import Embedder
from .errors import (
    EmptyQueryError,
    IndexMismatchError,
    IndexNotBuiltError,
    ProductNotFoundError,
    RetrievalError,
)
from .filters import Filters, ParsedQuery, parse_query
from .lexical import LexicalIndex
from .ranking import top_k
from .rows import ProductRows
from .vector_index import VectorIndex

logger = logging.getLogger(__name__)

DESCRIPTION_CHARS = 300
"""How much of a description goes into a product's indexed text."""
_FORMAT = 4
_META_FILE = "meta.json"
_PRODUCTS_FILE = "products.jsonl"
_LEXICAL_DIR = "bm25"
_ALIVE_FILE = "alive.npy"
_EMBED_CHUNK = 256
_DAMAGED = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile)
"""What reading a missing, truncated or altered index file raises."""
CHEAP_PERCENTILE = 25.0
""""cheap" means at most this percentile of the prices of the products that pass the
query's other filters (its category, brand, ...), so cheap is relative to what is asked."""
_FILTER_FIELDS = tuple(f.name for f in dataclasses.fields(Filters))

Mode = Literal["hybrid", "bm25", "dense"]
"""Which ranker orders the candidates: the fusion of both (the default), or one alone
(for evaluation and comparison)."""
MODES: tuple[Mode, ...] = ("hybrid", "bm25", "dense")


def _may_be_brand(token: str, *, alone: bool) -> bool:
    """A word that may be (`alone`: all of) a brand's name: letters, not one of the words
    that say what a shopper wants; alone, four or more letters unless written in capitals
    ("JBL")."""
    if not token.isalpha() or token.casefold() in _NOT_BRANDS:
        return False
    return not alone or len(token) >= 4 or (token.isupper() and len(token) >= 2)


_NOT_BRANDS = frozenset(
    " ".join(
        [
            "some good nice best cheap real proper decent quality great cool cute fancy",
            "simple basic little large huge tiny small warm cold heavy light much many more",
            "very really also just kind sort type need want like love going getting buying",
        ]
    ).split()
)
"""Words before a kind of product that say what shoppers want, not whose it is."""


def document_text(product: Product) -> str:
    """The text indexed for a product: title, brand, category and the start of the
    description (cut at a word boundary near :data:`DESCRIPTION_CHARS`)."""
    description = product.description
    if len(description) > DESCRIPTION_CHARS:
        description = (description[:DESCRIPTION_CHARS].rsplit(maxsplit=1) or [""])[0]
    parts = (product.title, product.brand, product.category, description)
    return ". ".join(part for part in parts if part)


@dataclass
class Hit:
    product: Product
    score: float
    """Higher is better; comparable only within one result list."""
    matched: bool = True
    """A good match for the query's text: close in meaning (see `min_similarity`) or holding
    every query word. Hits of a query without text (filters alone) all match."""


@dataclass
class SearchResult:
    query: str
    """The query as given."""
    text: str
    """The words actually searched for (the query without its filter phrases)."""
    filters: Filters
    """The filters applied: those read from the query, overridden by explicit ones
    ("cheap" appears here as the ``price_max`` it was resolved to)."""
    hits: list[Hit] = field(default_factory=list)
    unmet: list[str] = field(default_factory=list)
    """Names of the stated constraints (Filters fields, e.g. ``"brand"``) that no product
    meets; when it is not empty there are no hits: constraints are never dropped. When
    each constraint alone can be met but not all together, it lists them all."""
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    """Counts over the products that matched the query and passed the filters (all
    those passing the filters for a query without words): ``"category"`` (top two
    levels), ``"brand"`` and ``"price"`` (buckets such as ``"10-25"``), most common
    first, at most :data:`retrieval.columns.FACET_VALUES` values each."""
    no_good_match: bool = False
    """True when even the best hit matches the query poorly (see
    :attr:`SearchEngine.min_similarity`): the store probably does not carry it."""


class SearchEngine:
    """Hybrid search over a product list.

    Each retriever proposes its ``candidates`` best products that pass the filters;
    the union is ranked by a weighted sum of min-max normalised scores,
    ``dense_weight * dense + (1 - dense_weight) * bm25``.

    Why this fusion and not reciprocal-rank fusion (RRF k=60): measured on the Amazon
    sample catalog (990 products) with known-item queries, the weighted sum at 0.5 ranked
    the wanted product higher: MRR 0.95 vs 0.92 for three words of the title, 0.42 vs
    0.37 for a sentence from further down the description; for category-name queries
    its precision@10 was 0.57 vs 0.54 (MRR 0.78 vs 0.79). RRF throws away how far apart
    the scores are, so a product BM25 barely matches counts as much as a near-exact
    keyword hit. Both scores are computed exactly for every candidate, so a product only
    one retriever proposed still gets its real score from the other.

    Filters are hard: candidates are drawn only from products that pass them (an exact
    scan of the filtered subset, or, for large HNSW indexes and loose filters, an
    over-fetch from the graph). When they cannot be met the result is empty and names
    them in ``unmet``. Quality on the judged set: docs/benchmarks.md, "search-quality".

    The catalog can change while it serves: :meth:`upsert` embeds and appends the new
    rows to both indexes (tombstoning the old ones); :meth:`delete` tombstones. BM25
    statistics follow the live rows exactly (see :mod:`retrieval.lexical`). Tombstoned
    rows stay until the next full build; persist changes with
    :func:`retrieval.storage.save_atomically`.
    """

    def __init__(
        self,
        products: Sequence[Product],
        embedder: Embedder,
        vectors: VectorIndex,
        lexical: LexicalIndex,
        *,
        candidates: int = 100,
        dense_weight: float = 0.5,
        exact_subset_limit: int = 10_000,
        min_similarity: float = 0.425,
        alive: np.ndarray | None = None,
        columns: CatalogColumns | None = None,
    ) -> None:
        if not len(products) == len(vectors) == len(lexical):
            raise RetrievalError(
                f"index parts disagree: {len(products)} products, {len(vectors)} vectors, "
                f"{len(lexical)} lexical documents; rebuild the index"
            )
        self._rows = products if isinstance(products, ProductRows) else ProductRows(products)
        """Every indexed row, by position; rows replaced or deleted stay, tombstoned."""
        self._alive = np.ones(len(self._rows), dtype=bool) if alive is None else alive.copy()
        if len(self._alive) != len(self._rows):
            raise RetrievalError("the tombstone mask does not match the index; rebuild it")
        self.embedder = embedder
        self.generation = ""
        """Names the saved copy this engine was loaded from or last saved as (a new one at
        each save; empty before the first): `retrieval.changelog` ties its changes to it."""
        self.candidates = candidates
        self.dense_weight = dense_weight
        self.exact_subset_limit = exact_subset_limit
        """With an HNSW index, a filter leaving at most this many products is scanned
        exactly; looser ones over-fetch from the graph. (50k cost ~30 ms per query at
        100k products: the scan copies the subset's vectors; see docs/benchmarks.md.)"""
        self.min_similarity = min_similarity
        """A hit is a good match (`Hit.matched`) unless its cosine similarity is below this
        and it does not contain every query word; a text query whose best hit is not gets
        ``no_good_match`` (calibrated on the judged set's not-carried queries; see
        docs/benchmarks.md)."""
        self._vectors = vectors
        self._lexical = lexical
        self._lock = threading.Lock()
        """Held while searching and while swapping in a changed state."""
        self._write_lock = threading.RLock()
        """Serialises changes (upsert, delete) and saves (see :meth:`changes_held`)."""
        self._columns = columns or CatalogColumns.of_rows(self._rows.chunks())
        if len(self._columns) != len(self._rows):
            raise RetrievalError("the catalog columns do not match the index; rebuild it")
        ids = self._columns.ids
        self._positions = {ids[position]: int(position) for position in np.flatnonzero(self._alive)}
        """Id -> position of each live product."""
        if len(self._positions) != int(self._alive.sum()):
            raise ValueError("product ids must be unique")
        self.vocabulary = self._columns.vocabulary(self._alive)
        """The names of the live products that queries are read for (brands, colours,
        categories, sizes): once a name's last product is gone, the word is just a word."""
        self._out_of_stock: tuple[CatalogColumns, np.ndarray, frozenset[str]] | None = None

    @property
    def products(self) -> Sequence[Product]:
        """The products in the index (replaced and deleted ones left out), in index
        order; stored ones are read from disk as they are asked for."""
        with self._lock:  # rows and tombstones of one state
            rows, alive = self._rows, self._alive
        return rows.subset(np.flatnonzero(alive))

    @contextmanager
    def changes_held(self) -> Iterator[None]:
        """No upsert, delete or save of this engine runs while inside (searches do)."""
        with self._write_lock:
            yield

    @classmethod
    def build(
        cls,
        products: Sequence[Product],
        embedder: Embedder,
        *,
        progress: bool = False,
        exact_threshold: int = 50_000,
    ) -> SearchEngine:
        """Embed and index ``products``; ``progress`` shows a progress bar on stderr.
        Catalogs of ``exact_threshold`` products or more get an HNSW vector index."""
        if not products:
            raise RetrievalError("cannot build a search index without products")
        embedded = _embed(embedder, products, progress=progress)
        vectors = VectorIndex.build(embedded, exact_threshold=exact_threshold)
        texts = [document_text(product) for product in products]
        return cls(products, embedder, vectors, LexicalIndex.build(texts))

    def save(self, directory: Path) -> None:
        """Write the index to ``directory``: products.jsonl (+ offsets.npy), the catalog
        columns, vectors.npy or hnsw.faiss, bm25/ and, last, meta.json, whose presence
        marks a complete index. Changes wait meanwhile. From then on the products are
        read from the written file, so rows added since the last save leave memory (the
        file stays readable when its folder is renamed or even deleted)."""
        with self._write_lock:
            self._save(directory)
            written = ProductRows.open(directory / _PRODUCTS_FILE)
            with self._lock:
                self._rows = written

    def _save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        meta = directory / _META_FILE
        meta.unlink(missing_ok=True)
        self._rows.write(directory / _PRODUCTS_FILE)
        self._columns.save(directory)
        self._vectors.save(directory)
        self._lexical.save(directory / _LEXICAL_DIR)
        tombstones = directory / _ALIVE_FILE
        if self._alive.all():
            tombstones.unlink(missing_ok=True)
        else:
            np.save(tombstones, self._alive)
        generation = uuid.uuid4().hex
        info = {
            "format": _FORMAT,
            "embedder": self.embedder.name,
            "dim": self.embedder.dim,
            "count": len(self._rows),
            "generation": generation,
        }
        meta.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        self.generation = generation

    @classmethod
    def load(cls, directory: Path, embedder: Embedder) -> SearchEngine:
        """Read an index written by :meth:`save`. Raises IndexNotBuiltError when there
        is none, IndexMismatchError when it was built with another embedder."""
        meta_path = directory / _META_FILE
        if not meta_path.exists():
            raise IndexNotBuiltError(f"no search index in {directory}")
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise RetrievalError(f"cannot read the search index in {directory}: {exc}") from exc
        if meta.get("format") != _FORMAT:
            raise IndexMismatchError(f"{directory}: unknown index format; rebuild the index")
        if (meta.get("embedder"), meta.get("dim")) != (embedder.name, embedder.dim):
            raise IndexMismatchError(
                f"{directory} was built with embedder {meta.get('embedder')!r} "
                f"({meta.get('dim')} dims), not {embedder.name!r} ({embedder.dim}); rebuild it"
            )
        try:
            vectors = VectorIndex.load(directory)
            lexical = LexicalIndex.load(directory / _LEXICAL_DIR)
            tombstones = directory / _ALIVE_FILE
            alive = np.load(tombstones) if tombstones.exists() else None
            products = ProductRows.open(directory / _PRODUCTS_FILE)
            columns = CatalogColumns.load(directory)
            engine = cls(products, embedder, vectors, lexical, alive=alive, columns=columns)
        except (*_DAMAGED, TypeError, IndexError) as exc:
            raise RetrievalError(f"cannot read the search index in {directory}: {exc}") from exc
        engine.generation = str(meta.get("generation", ""))
        return engine

    @classmethod
    def rebuild(
        cls, directory: Path, embedder: Embedder, *, progress: bool = False
    ) -> SearchEngine:
        """A new engine over the live products that the index in ``directory`` stores,
        embedded anew: the upgrade for an index that an older version or another embedder
        built (its products file and tombstones have kept their layout)."""
        try:
            with (directory / _PRODUCTS_FILE).open(encoding="utf-8") as handle:
                products = [Product.from_dict(json.loads(line)) for line in handle if line.strip()]
            tombstones = directory / _ALIVE_FILE
            alive = np.load(tombstones) if tombstones.exists() else np.ones(len(products), bool)
        except (*_DAMAGED, TypeError) as exc:
            raise RetrievalError(f"cannot read the products in {directory}: {exc}") from exc
        if len(alive) != len(products):
            raise RetrievalError(f"{directory}: the tombstones do not match the products")
        live = [product for product, kept in zip(products, alive, strict=True) if kept]
        return cls.build(live, embedder, progress=progress)

    def __len__(self) -> int:
        return len(self._positions)

    def __contains__(self, product_id: object) -> bool:
        return product_id in self._positions

    def get(self, product_id: str) -> Product | None:
        position = self._positions.get(product_id)
        return None if position is None else self._rows[position]

    def out_of_stock(self) -> frozenset[str]:
        """Ids of the live products whose stock is known to be zero: a columns scan, once
        per state of the catalog (a change replaces the columns or the live rows)."""
        with self._lock:
            columns, alive = self._columns, self._alive
        cached = self._out_of_stock
        if cached is None or cached[0] is not columns or cached[1] is not alive:
            ids = frozenset(columns.ids[i] for i in np.flatnonzero(alive & ~columns.in_stock))
            cached = self._out_of_stock = (columns, alive, ids)
        return cached[2]

    def upsert(self, products: Sequence[Product]) -> None:
        """Add ``products``, replacing those whose id is already indexed, without
        touching the rest: new vectors and BM25 postings are appended, the old rows
        tombstoned (see docs/benchmarks.md for the cost). Thread-safe against other
        changes; searches running meanwhile see the old or the new state."""
        latest = {product.id: product for product in products}  # last one wins
        if not latest:
            return
        fresh = list(latest.values())
        embedded = _embed(self.embedder, fresh)
        with self._write_lock:
            replaced = [self._positions[p.id] for p in fresh if p.id in self._positions]
            first = len(self._rows)
            alive = np.concatenate([self._alive, np.ones(len(fresh), dtype=bool)])
            alive[replaced] = False
            lexical = self._lexical.updated(
                added=[document_text(product) for product in fresh], removed=replaced
            )
            columns = self._columns.extended(fresh)
            positions = self._positions | {p.id: first + i for i, p in enumerate(fresh)}
            vocabulary = columns.vocabulary(alive)
            with self._lock:  # an HNSW graph grows in place: no search may run meanwhile
                self._vectors = self._vectors.added(embedded)
                self._rows, self._alive, self._lexical = self._rows.appended(fresh), alive, lexical
                self._columns, self._positions, self.vocabulary = columns, positions, vocabulary

    def delete(self, product_ids: Sequence[str]) -> list[str]:
        """Remove products by id (tombstones: nothing is re-embedded or rebuilt);
        returns the ids that were not in the index."""
        with self._write_lock:
            alive = self._alive.copy()
            positions = dict(self._positions)
            missing = []
            for product_id in product_ids:
                position = positions.pop(product_id, None)
                if position is None:
                    missing.append(product_id)
                else:
                    alive[position] = False
            lexical = self._lexical.updated(removed=np.flatnonzero(self._alive & ~alive))
            vocabulary = self._columns.vocabulary(alive)
            with self._lock:
                self._alive, self._lexical, self._positions = alive, lexical, positions
                self.vocabulary = vocabulary
        return missing

    def search(
        self,
        query: str,
        k: int = 10,
        filters: Filters | None = None,
        *,
        understand: bool = True,
        mode: Mode = "hybrid",
    ) -> SearchResult:
        """The ``k`` best products for ``query`` that pass the filters.

        With ``understand``, filters stated in the query ("under $20", a brand, a colour,
        a category) are read out of it and merged with ``filters`` (``filters`` wins).
        A query that leaves no words but has filters browses the matching products,
        best rated first, then cheapest. Raises EmptyQueryError when there are neither.
        "cheap" (with no price stated) becomes a ``price_max`` at the
        :data:`CHEAP_PERCENTILE` of the prices of products passing the other filters.
        ``mode`` ranks with BM25 or dense retrieval alone instead of the hybrid.
        """
        parsed = self._parse(query, filters, understand)
        if not parsed.text and parsed.filters.is_empty() and not parsed.cheap:
            raise EmptyQueryError("the query has no words to search for and no filters")
        vector = self.embedder.embed_query(parsed.text) if parsed.text else None
        return self._search(query, parsed, vector, k, mode)

    def search_batch(
        self,
        queries: Sequence[str],
        k: int = 10,
        *,
        understand: bool = True,
        mode: Mode = "hybrid",
    ) -> list[SearchResult]:
        """:meth:`search` for many queries, embedding them in one batch. A query with
        neither words nor filters gets an empty hit list instead of an error."""
        parsed = [self._parse(query, None, understand) for query in queries]
        texts = sorted({p.text for p in parsed if p.text})
        rows = dict(zip(texts, self.embedder.embed(texts), strict=True))
        return [
            self._search(query, p, rows.get(p.text), k, mode)
            if p.text or p.cheap or not p.filters.is_empty()
            else SearchResult(query=query, text="", filters=p.filters)
            for query, p in zip(queries, parsed, strict=True)
        ]

    def titled(self, phrases: Sequence[Sequence[str]]) -> list[Product]:
        """The live products whose title begins with one of ``phrases`` (lower-case
        words: a title's first :data:`retrieval.columns.TITLE_KEY_WORDS`, or both words
        of a two-word title): how a text's quoted titles are found without a scan."""
        keys = [phrase_key(words) for words in phrases]
        with self._lock:  # rows, tombstones and columns of one state
            rows, alive, columns = self._rows, self._alive, self._columns
        return [rows[p] for p in columns.titled(keys) if alive[p]]

    def similar(self, product_id: str, k: int = 10) -> list[Hit]:
        """The ``k`` products whose text embeddings are closest to the product's own,
        itself excluded. Raises ProductNotFoundError for an unknown id."""
        position = self._positions.get(product_id)
        if position is None:
            raise ProductNotFoundError(f"no product with id {product_id!r}")
        with self._lock:
            return self._similar_locked(position, k)

    def _similar_locked(self, position: int, k: int) -> list[Hit]:
        vector = self._vectors.vector(position)
        alive = self._alive.copy()
        alive[position] = False
        positions = self._dense_candidates(vector, alive, np.flatnonzero(alive), k)
        scores = self._vectors.scores(vector[None], positions)[0]
        order = np.argsort(-scores, kind="stable")[:k]
        return [Hit(self._rows[positions[i]], float(scores[i])) for i in order]

    def _parse(self, query: str, filters: Filters | None, understand: bool) -> ParsedQuery:
        parsed = (
            parse_query(query, self.vocabulary)
            if understand
            else ParsedQuery(" ".join(query.split()), Filters())
        )
        if understand and parsed.filters.brand is None:
            self._read_unknown_brand(parsed)
        if filters is not None:
            parsed.filters = parsed.filters.merged(filters)
        return parsed

    def _read_unknown_brand(self, parsed: ParsedQuery) -> None:
        """A word no product has, right before a kind of product ("coleman tent", "le
        creuset dutch oven"), is a brand the store does not carry: a constraint the search
        reports as unmet rather than a word it quietly drops."""
        tokens = parsed.text.split()
        for at, token in enumerate(tokens):
            if at == 0 or not self.vocabulary.names_kind(token):
                continue
            start = at
            while start > 0 and at - start < 2:
                word = tokens[start - 1]
                alone = start == at  # the word right before the kind must look like a name
                if not _may_be_brand(word, alone=alone) or self._lexical.knows(word):
                    break
                start -= 1
            if start < at:
                brand = " ".join(tokens[start:at])
                parsed.filters = dataclasses.replace(parsed.filters, brand=brand.title())
                parsed.text = " ".join(tokens[:start] + tokens[at:])
            return

    def _search(
        self,
        query: str,
        parsed: ParsedQuery,
        vector: np.ndarray | None,
        k: int,
        mode: Mode = "hybrid",
    ) -> SearchResult:
        if k < 1:
            raise ValueError("k must be at least 1")
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        with self._lock:
            return self._search_locked(query, parsed, vector, k, mode)

    def _search_locked(
        self, query: str, parsed: ParsedQuery, vector: np.ndarray | None, k: int, mode: Mode
    ) -> SearchResult:
        filters = self._resolve_cheap(parsed)
        result = SearchResult(query=query, text=parsed.text, filters=filters)
        mask = self._columns.mask(filters) & self._alive
        allowed = np.flatnonzero(mask)
        if len(allowed) == 0:
            result.unmet = self._unmet(filters)
            return result
        if vector is None:
            ratings = self._columns.ratings
            result.hits = [
                Hit(self._rows[p], float(np.nan_to_num(ratings[p])))
                for p in self._columns.browse_order(allowed)[:k]
            ]
            result.facets = self._columns.facets(allowed)
            return result
        candidates, scores = self._rank(parsed.text, vector, mask, allowed, k, mode)
        result.facets = self._columns.facets(candidates)
        if len(candidates) == 0:
            result.no_good_match = True
            return result
        columns, best = top_k(scores[None], k)
        positions = candidates[columns[0]]
        matched = self._matched(parsed.text, vector, positions)
        result.hits = [
            Hit(self._rows[p], float(s), bool(m))
            for s, p, m in zip(best[0], positions, matched, strict=True)
        ]
        result.no_good_match = not matched[0]
        return result

    def _resolve_cheap(self, parsed: ParsedQuery) -> Filters:
        """The query's filters, with "cheap" turned into a ``price_max``: the
        :data:`CHEAP_PERCENTILE` of the prices among products passing the other filters."""
        filters = parsed.filters
        if not parsed.cheap or filters.price_max is not None:
            return filters
        prices = self._columns.prices[self._columns.mask(filters) & self._alive]
        prices = prices[~np.isnan(prices)]
        if len(prices) == 0:
            return filters
        return dataclasses.replace(
            filters, price_max=round(float(np.percentile(prices, CHEAP_PERCENTILE)), 2)
        )

    def _unmet(self, filters: Filters) -> list[str]:
        """The set filter fields that no product meets on its own; all set fields when
        each can be met alone but not together."""
        stated = [name for name in _FILTER_FIELDS if getattr(filters, name) is not None]
        alive = self._alive
        unmet = [
            name
            for name in stated
            if not (self._columns.mask(Filters(**{name: getattr(filters, name)})) & alive).any()
        ]
        return unmet or stated

    def _matched(self, text: str, vector: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """Per position: close in meaning to the query, or holding every one of its words."""
        matched = self._vectors.scores(vector[None], positions)[0] >= self.min_similarity
        if not matched.all():
            matched |= self._lexical.coverage(text, positions) >= 1.0
        return matched

    def _rank(
        self,
        text: str,
        vector: np.ndarray,
        mask: np.ndarray,
        allowed: np.ndarray,
        k: int,
        mode: Mode,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Candidate positions that pass ``mask`` and their scores under ``mode``."""
        fetch = max(self.candidates, k)
        if mode == "dense":
            candidates = self._dense_candidates(vector, mask, allowed, fetch)
            return candidates, self._vectors.scores(vector[None], candidates)[0]
        lexical = self._lexical.scores(text)
        keyword = np.flatnonzero((lexical > 0) & mask)
        if len(keyword) > fetch:
            keyword = keyword[top_k(lexical[keyword][None], fetch)[0][0]]
        if mode == "bm25":
            return keyword, lexical[keyword]
        candidates = np.union1d(self._dense_candidates(vector, mask, allowed, fetch), keyword)
        dense = self._vectors.scores(vector[None], candidates)[0]
        fused = self.dense_weight * _minmax(dense) + (1 - self.dense_weight) * _minmax(
            lexical[candidates]
        )
        return candidates, fused

    def _dense_candidates(
        self, vector: np.ndarray, mask: np.ndarray, allowed: np.ndarray, fetch: int
    ) -> np.ndarray:
        """Positions of the ``fetch`` nearest allowed products (fewer if HNSW misses)."""
        if len(allowed) == len(mask):  # nothing filtered out
            positions = self._vectors.search(vector[None], fetch)[1][0]
            return positions[positions >= 0]
        exact = self._vectors.is_exact or len(allowed) <= self.exact_subset_limit
        if not exact:
            # A loose filter on a big HNSW index: over-fetch so that ~2x `fetch` pass it;
            # scan the subset exactly when too few do.
            wider = min(len(mask), 2 * fetch * math.ceil(len(mask) / len(allowed)))
            positions = self._vectors.search(vector[None], wider)[1][0]
            found = positions[(positions >= 0) & mask[positions]][:fetch]
            if len(found) >= math.ceil(min(fetch, len(allowed)) / 2):
                return found
        return allowed[top_k(self._vectors.scores(vector[None], allowed), fetch)[0][0]]


def _embed(
    embedder: Embedder, products: Sequence[Product], *, progress: bool = False
) -> np.ndarray:
    """Embed the products' :func:`document_text` in chunks (with a progress bar)."""
    texts = [document_text(product) for product in products]
    started = time.perf_counter()
    chunks = [np.empty((0, embedder.dim), dtype=np.float32)]
    with tqdm(total=len(texts), desc="Embedding", file=sys.stderr, disable=not progress) as bar:
        for start in range(0, len(texts), _EMBED_CHUNK):
            chunks.append(embedder.embed(texts[start : start + _EMBED_CHUNK]))
            bar.update(len(chunks[-1]))
    seconds = max(time.perf_counter() - started, 1e-9)
    logger.info(
        "embedded %d products in %.1f s (%.0f/s)", len(texts), seconds, len(texts) / seconds
    )
    return np.concatenate(chunks)


def _minmax(scores: np.ndarray) -> np.ndarray:
    """Scale to [0, 1] over the candidates; all-equal scores map to 1 if positive."""
    low, high = float(scores.min()), float(scores.max())
    if high - low < 1e-9:
        return np.full(scores.shape, 1.0 if high > 0 else 0.0, dtype=np.float32)
    return ((scores - low) / (high - low)).astype(np.float32)
