"""The catalog as columns: for every indexed row, its id and what filters, facets,
browsing and query understanding read, in a few dozen bytes a product, so that the
products themselves can stay on disk (see :mod:`retrieval.rows`). Saved beside them, so
that loading an index parses no product."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from .attributes import age_range, normalize_size, piece_count, sizes
from .catalog import Product
from .filters import (
    Filters,
    Vocabulary,
    category_matches,
    colour_matches,
    colours_of,
    fold,
    segment_key,
)
from .kinds import implied_categories, title_terms
from .text import CATEGORY_SEPARATOR, COLOURS, canonical_colour, words

_H = TypeVar("_H", bound=Hashable)

FACET_VALUES = 10
PRICE_BUCKETS = (10.0, 25.0, 50.0, 100.0, 250.0)
"""Upper edges of the price facet's buckets (the last bucket is open)."""
BUCKET_NAMES = tuple(
    [f"under {PRICE_BUCKETS[0]:g}"]
    + [f"{low:g}-{high:g}" for low, high in zip(PRICE_BUCKETS, PRICE_BUCKETS[1:], strict=False)]
    + [f"{PRICE_BUCKETS[-1]:g} and over"]
)

TITLE_KEY_WORDS = 3
"""A title is found by its first this many words (both words of a two-word title)."""
_WORD = re.compile(r"\w+")
_NUMBERS = ("prices", "ratings", "in_stock", "age_low", "age_high", "pieces", "title_keys")
_CODED = ("categories", "brands", "colours", "field_colours", "sizes")
"""Columns of a few distinct values: the values, and each row's index into them."""
_SETS = ("colours", "field_colours", "sizes")
"""Coded columns whose values are sets of strings."""
_ARRAYS_FILE = "columns.npz"
_VALUES_FILE = "columns.json"


class CatalogColumns:
    """Columns of a product list, addressed by position.

    Prices, ratings, stock, ages and piece counts are arrays; category, brand, colours
    and sizes are stored once per distinct value with a code per row, so a filter
    (:meth:`mask`) decides each distinct value once and costs O(catalog) numpy work,
    not Python calls.
    """

    def __init__(self, products: Sequence[Product]) -> None:
        self.ids = [p.id for p in products]
        self.prices = _floats(p.price for p in products)
        self.ratings = _floats(p.rating for p in products)
        self.in_stock = np.array([p.in_stock for p in products], dtype=bool)
        ages = [age_range(p) for p in products]
        self.age_low = _floats(None if a is None else a.low for a in ages)
        self.age_high = _floats(None if a is None else a.high for a in ages)
        self.pieces = _floats(piece_count(p) for p in products)
        self.categories = _codes(p.category for p in products)
        self.brands = _codes(p.brand for p in products)
        self.colours = _codes(colours_of(p) for p in products)
        self.field_colours = _codes(_named_colours(p.color) for p in products)
        """Colour-field words that are common colour names: the query vocabulary's."""
        self.sizes = _codes(sizes(p) for p in products)
        self.title_keys = np.array([title_key(p.title) for p in products], dtype=np.int64)
        """:func:`title_key` of each title, so that quoted titles are found without a scan."""
        terms: dict[str, int] = {}
        ids: list[int] = []
        starts = [0]
        for product in products:
            kinds = title_terms(product.title, product.brand)
            ids += [terms.setdefault(term, len(terms)) for term in kinds]
            starts.append(len(ids))
        self.title_terms = (
            list(terms),
            np.array(ids, dtype=np.int32),
            np.array(starts, dtype=np.int64),
        )
        """The words each title may name a kind of product with (:mod:`retrieval.kinds`):
        the distinct words, and for row r their codes at ``ids[starts[r]:starts[r + 1]]``."""

    @classmethod
    def joined(cls, parts: Sequence[CatalogColumns]) -> CatalogColumns:
        """The columns of the parts' products one after the other."""
        joined = cls([])
        joined.ids = [product_id for part in parts for product_id in part.ids]
        for name in _NUMBERS:
            setattr(joined, name, np.concatenate([getattr(part, name) for part in parts]))
        for name in _CODED:
            index: dict[Hashable, int] = {}
            codes = []
            for part in parts:
                values, part_codes = getattr(part, name)
                remap = np.array([index.setdefault(v, len(index)) for v in values], dtype=np.int32)
                codes.append(remap[part_codes] if len(part_codes) else part_codes)
            setattr(joined, name, (list(index), np.concatenate(codes)))
        terms: dict[str, int] = {}
        ids, starts, offset = [], [np.zeros(1, dtype=np.int64)], 0
        for part in parts:
            part_terms, part_ids, part_starts = part.title_terms
            remap = np.array([terms.setdefault(t, len(terms)) for t in part_terms], dtype=np.int32)
            ids.append(remap[part_ids] if len(part_ids) else part_ids)
            starts.append(part_starts[1:] + offset)
            offset += len(part_ids)
        joined.title_terms = (list(terms), np.concatenate(ids), np.concatenate(starts))
        return joined

    def extended(self, products: Sequence[Product]) -> CatalogColumns:
        """New columns: these rows followed by ``products`` (only those are read)."""
        return CatalogColumns.joined([self, CatalogColumns(products)])

    @classmethod
    def of_rows(cls, rows: Iterable[Sequence[Product]]) -> CatalogColumns:
        """The columns of rows given a chunk at a time (each chunk's products are
        dropped once read)."""
        return cls.joined([cls(chunk) for chunk in rows] or [cls([])])

    def __len__(self) -> int:
        return len(self.prices)

    def save(self, directory: Path) -> None:
        """Write ``columns.npz`` and ``columns.json`` (ids and distinct values)."""
        arrays = {name: getattr(self, name) for name in _NUMBERS}
        arrays |= {f"{name}_codes": getattr(self, name)[1] for name in _CODED}
        terms, term_ids, term_starts = self.title_terms
        arrays |= {"title_terms_ids": term_ids, "title_terms_starts": term_starts}
        np.savez(directory / _ARRAYS_FILE, **arrays)
        values: dict[str, Any] = {
            name: [sorted(v) if name in _SETS else v for v in getattr(self, name)[0]]
            for name in _CODED
        }
        values["title_terms"] = terms
        text = json.dumps({"ids": self.ids, **values}, ensure_ascii=False)
        (directory / _VALUES_FILE).write_text(text, encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> CatalogColumns:
        """Read columns written by :meth:`save`."""
        values = json.loads((directory / _VALUES_FILE).read_text(encoding="utf-8"))
        columns = cls([])
        columns.ids = values["ids"]
        with np.load(directory / _ARRAYS_FILE) as arrays:
            for name in _NUMBERS:
                setattr(columns, name, arrays[name])
            for name in _CODED:
                distinct = values[name]
                if name in _SETS:
                    distinct = [frozenset(v) for v in distinct]
                setattr(columns, name, (distinct, arrays[f"{name}_codes"]))
            columns.title_terms = (
                values["title_terms"],
                arrays["title_terms_ids"],
                arrays["title_terms_starts"],
            )
        lengths = [len(getattr(columns, name)) for name in _NUMBERS]
        lengths.append(len(columns.title_terms[2]) - 1)
        lengths += [len(getattr(columns, name)[1]) for name in _CODED]
        if any(length != len(columns.ids) for length in lengths):
            raise ValueError(f"{directory}: the catalog columns disagree in length")
        return columns

    def mask(self, filters: Filters) -> np.ndarray:
        """Boolean array, True where the product meets ``filters``
        (:meth:`Filters.matches` for every row at once)."""
        mask = np.ones(len(self), dtype=bool)
        if filters.price_min is not None or filters.price_max is not None:
            mask &= _between(self.prices, filters.price_min, filters.price_max)
        if filters.category is not None:
            wanted = filters.category
            mask &= _decided(self.categories, lambda path: category_matches(wanted, path))
        if filters.brand is not None:
            brand = fold(filters.brand)
            mask &= _decided(self.brands, lambda name: fold(name) == brand)
        if filters.color is not None:
            colour = filters.color
            mask &= _decided(self.colours, lambda colours: colour_matches(colour, colours))
        if filters.in_stock is not None:
            mask &= self.in_stock == filters.in_stock
        if filters.age_min is not None or filters.age_max is not None:
            # The stated range overlaps the wanted one: its low end is at most the
            # wanted high end, and its high end at least the wanted low end.
            overlaps = _between(self.age_low, None, filters.age_max) & _between(
                self.age_high, filters.age_min, None
            )
            mask &= overlaps | np.isnan(self.age_low)
        if filters.pieces_min is not None or filters.pieces_max is not None:
            mask &= _between(self.pieces, filters.pieces_min, filters.pieces_max)
        if filters.size is not None:
            size = normalize_size(filters.size)
            mask &= _decided(self.sizes, lambda known: size in known)
        return mask

    def facets(self, positions: np.ndarray) -> dict[str, dict[str, int]]:
        """Counts over the rows at ``positions``: ``"category"`` (top two levels),
        ``"brand"`` and ``"price"`` (buckets such as ``"10-25"``, in price order); most
        common first, at most :data:`FACET_VALUES` values each, blanks left out."""
        labels, remap = self._top_categories
        facets = {
            "category": _counted(labels, remap[self.categories[1][positions]]),
            "brand": _counted(self.brands[0], self.brands[1][positions]),
        }
        prices = self.prices[positions]
        prices = prices[~np.isnan(prices)]
        buckets = np.bincount(
            np.searchsorted(np.array(PRICE_BUCKETS), prices, "right"), minlength=len(BUCKET_NAMES)
        )
        facets["price"] = {name: int(n) for name, n in zip(BUCKET_NAMES, buckets, strict=True) if n}
        return facets

    @cached_property
    def _top_categories(self) -> tuple[list[str], np.ndarray]:
        """The category facet's labels (top two levels of each path) and the label of
        each distinct path."""
        paths = self.categories[0]
        return _codes(CATEGORY_SEPARATOR.join(p.split(CATEGORY_SEPARATOR)[:2]) for p in paths)

    def titled(self, keys: Sequence[int]) -> np.ndarray:
        """Positions (live or not, increasing) of the titles whose :func:`title_key` is
        one of ``keys``."""
        order, sorted_keys = self._title_order
        wanted = np.asarray(keys, dtype=np.int64)
        lows = np.searchsorted(sorted_keys, wanted, "left")
        highs = np.searchsorted(sorted_keys, wanted, "right")
        found = [order[low:high] for low, high in zip(lows, highs, strict=True) if high > low]
        return np.unique(np.concatenate(found)) if found else np.empty(0, dtype=np.int64)

    @cached_property
    def _title_order(self) -> tuple[np.ndarray, np.ndarray]:
        order = np.argsort(self.title_keys, kind="stable")
        return order, self.title_keys[order]

    def browse_order(self, positions: np.ndarray) -> np.ndarray:
        """``positions`` ordered best rated first, then cheapest (unknowns last)."""
        rating = np.nan_to_num(-self.ratings[positions], nan=np.inf)
        price = np.nan_to_num(self.prices[positions], nan=np.inf)
        return positions[np.lexsort((positions, price, rating))]

    def vocabulary(self, alive: np.ndarray) -> Vocabulary:
        """The names the rows where ``alive`` is True use (see :class:`Vocabulary`):
        once a name's last product is gone, the word is just a word again."""
        brands: dict[str, str] = {}
        for brand in _live(self.brands, alive):
            if brand:
                brands.setdefault(fold(brand), brand)
        categories: dict[str, str] = {}
        for path in _live(self.categories, alive):
            for segment in filter(None, path.split(CATEGORY_SEPARATOR)):
                categories.setdefault(segment_key(segment.casefold()), segment)
        terms, term_ids, starts = self.title_terms
        rows = np.repeat(np.arange(len(self)), np.diff(starts))
        live = alive[rows]
        paths, path_codes = self.categories
        kinds = implied_categories(terms, term_ids[live], rows[live], paths, path_codes)
        return Vocabulary(
            tuple(brands.values()),
            tuple(sorted(frozenset().union(*_live(self.field_colours, alive)))),
            tuple(categories.values()),
            frozenset().union(*_live(self.sizes, alive)),
            tuple(sorted(kinds.items())),
        )


def phrase_key(words: Sequence[str]) -> int:
    """A 64-bit key of lower-case words, the same in every process (unlike ``hash``)."""
    digest = hashlib.blake2b(" ".join(words).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def title_words(text: str) -> list[str]:
    """The lower-case words of a text, as title keys split them."""
    return [word.lower() for word in _WORD.findall(text)]


def title_key(title: str) -> int:
    """The :func:`phrase_key` of a title's first :data:`TITLE_KEY_WORDS` words; 0 for a
    one-word title (too common a word to tell that a text quotes it)."""
    words = title_words(title)
    return phrase_key(words[:TITLE_KEY_WORDS]) if len(words) >= 2 else 0


def _named_colours(field: str) -> frozenset[str]:
    return frozenset(c for c in map(canonical_colour, words(field)) if c in COLOURS)


def _floats(values: Iterable[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def _between(values: np.ndarray, low: float | None, high: float | None) -> np.ndarray:
    """Where ``values`` lie in ``[low, high]`` (None: unbounded); never where NaN."""
    with np.errstate(invalid="ignore"):
        return (values >= (-np.inf if low is None else low)) & (
            values <= (np.inf if high is None else high)
        )


def _codes(values: Iterable[_H]) -> tuple[list[_H], np.ndarray]:
    """Distinct values (first-seen order) and each value's index into them."""
    index: dict[_H, int] = {}
    codes = [index.setdefault(value, len(index)) for value in values]
    return list(index), np.array(codes, dtype=np.int32)


def _decided(column: tuple[list[_H], np.ndarray], test: Callable[[_H], bool]) -> np.ndarray:
    """Per row, ``test`` of its value, calling ``test`` once per distinct value."""
    values, codes = column
    return np.array([bool(test(value)) for value in values], dtype=bool)[codes]


def _counted(labels: Sequence[str], codes: np.ndarray) -> dict[str, int]:
    counts = np.bincount(codes, minlength=len(labels))
    order = [i for i in np.argsort(-counts, kind="stable") if counts[i] and labels[i]]
    return {labels[i]: int(counts[i]) for i in order[:FACET_VALUES]}


def _live(column: tuple[list[_H], np.ndarray], alive: np.ndarray) -> list[_H]:
    """The distinct values of ``column`` that some row where ``alive`` holds has."""
    values, codes = column
    used = np.zeros(len(values), dtype=bool)
    used[codes[alive]] = True
    return [value for value, live in zip(values, used, strict=True) if live]
