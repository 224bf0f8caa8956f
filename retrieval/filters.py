"""Hard search filters (:class:`Filters`; :class:`retrieval.columns.CatalogColumns`
applies them to a whole catalog at once), the catalog's names that queries are read for
(:class:`Vocabulary`), and :func:`parse_query`, which reads filters out of query text."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property, partial
from typing import Any

from .attributes import ADULT, age_range, normalize_size, piece_count, sizes, years
from .catalog import Product
from .kinds import singular
from .quantities import spell_out
from .text import (
    COLOURS,
    canonical_colour,
    category_segments,
    deletions,
    normalize_category,
    number_forms,
    one_edit_apart,
    words,
)


@dataclass
class Filters:
    """Constraints a product must meet; None means "any". A product without a price
    fails any price bound; without a brand, any brand."""

    price_min: float | None = None
    price_max: float | None = None
    category: str | None = None
    """A category segment (``"Puzzles"``) or path (``"Toys & Games > Puzzles"``): matches
    products whose path contains those segments in a row, so a path prefix or any one
    segment matches (case-insensitive, any source separator)."""
    brand: str | None = None
    """Matches the product's brand exactly, ignoring case and spacing."""
    color: str | None = None
    """Matches when every word of it names a word of the product's colour field (grey
    and gray alike), or, for products without one, a colour word of its title."""
    in_stock: bool | None = None
    age_min: float | None = None
    age_max: float | None = None
    """The ages (years) the product is for: it matches when the age range it states
    overlaps ``[age_min, age_max]``. A product that states no age matches (most feeds
    say nothing for all-ages products); see :mod:`retrieval.attributes`."""
    pieces_min: int | None = None
    pieces_max: int | None = None
    """Bounds on the piece count the product states; one without a piece count fails."""
    size: str | None = None
    """Matches a size in the product's size field ("M" = "medium"); one without fails."""

    def matches(self, product: Product) -> bool:
        """True when ``product`` meets every set constraint."""
        if self.price_min is not None or self.price_max is not None:
            if product.price is None:
                return False
            if self.price_min is not None and product.price < self.price_min:
                return False
            if self.price_max is not None and product.price > self.price_max:
                return False
        if self.category is not None and not category_matches(self.category, product.category):
            return False
        if self.brand is not None and fold(self.brand) != fold(product.brand):
            return False
        if self.color is not None and not colour_matches(self.color, colours_of(product)):
            return False
        if self.age_min is not None or self.age_max is not None:
            ages = age_range(product)
            if ages is not None and not ages.overlaps(self.age_min, self.age_max):
                return False
        if self.pieces_min is not None or self.pieces_max is not None:
            pieces = piece_count(product)
            if pieces is None or not _within(pieces, self.pieces_min, self.pieces_max):
                return False
        if self.size is not None and normalize_size(self.size) not in sizes(product):
            return False
        return self.in_stock is None or product.in_stock == self.in_stock

    @classmethod
    def from_params(
        cls, params: Mapping[str, Any], names: Mapping[str, str] | None = None
    ) -> Filters:
        """Filters from flat parameters (an API query, a tool's arguments, a conversation's
        saved filters): each field read under its own name, or the one ``names`` gives it
        (``{"price_max": "max_price"}``); other keys are ignored, None is "any"."""
        names = names or {}
        return cls(
            **{f.name: params.get(names.get(f.name, f.name)) for f in dataclasses.fields(cls)}
        )

    def merged(self, other: Filters) -> Filters:
        """These filters with every field that ``other`` sets replaced by ``other``'s."""
        return dataclasses.replace(self, **other.to_dict())

    def to_dict(self) -> dict[str, Any]:
        """The set fields only."""
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}

    def is_empty(self) -> bool:
        return not self.to_dict()


def _within(value: float, low: float | None, high: float | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def fold(text: str) -> str:
    return " ".join(text.casefold().split())


def segment_key(segment: str) -> str:
    return " ".join(segment.replace("&", " and ").split())


def category_matches(wanted: str, path: str) -> bool:
    want = [segment_key(s) for s in category_segments(normalize_category(wanted))]
    have = [segment_key(s) for s in category_segments(path)]
    return any(have[i : i + len(want)] == want for i in range(len(have) - len(want) + 1))


def colours_of(product: Product) -> frozenset[str]:
    if product.color:
        return frozenset(canonical_colour(w) for w in words(product.color))
    return frozenset(c for c in map(canonical_colour, words(product.title)) if c in COLOURS)


def colour_matches(wanted: str, colours: frozenset[str]) -> bool:
    want = {canonical_colour(w) for w in words(wanted)}
    return bool(want) and want <= colours


@dataclass(frozen=True)
class Vocabulary:
    """The catalog's own names, which :func:`parse_query` looks for in query text."""

    brands: tuple[str, ...] = ()
    colors: tuple[str, ...] = ()
    """Common colour words (canonical spelling) that appear in the catalog's colour field."""
    categories: tuple[str, ...] = ()
    """Distinct category segment names."""
    sizes: frozenset[str] = frozenset()
    """Normalised sizes (:func:`retrieval.attributes.normalize_size`) the catalog has."""
    kinds: tuple[tuple[str, str], ...] = ()
    """(title word, category segment) for the words that name a kind of product the
    catalog keeps under one category (:mod:`retrieval.kinds`): "earbud" -> "Headphones"."""

    def implied_category(self, text: str) -> str | None:
        """The category segment the kinds of product `text` names imply: that of the last
        one named before any "for"/"with"/... (the head noun: "dog bowl" is a bowl), else
        the one all the kinds named anywhere imply; None when none or they disagree."""
        head = _HEAD_END.split(text, maxsplit=1)[0]
        implied = [self._kind(word) for word in words(head)]
        named = [category for category in implied if category]
        if named:
            return named[-1]
        anywhere = {c for c in map(self._kind, words(text)) if c}
        return anywhere.pop() if len(anywhere) == 1 else None

    def _kind(self, word: str) -> str | None:
        return self._kind_of.get(singular(word))

    def names_kind(self, word: str) -> bool:
        """Whether `word` names a kind of product or a category of the catalog."""
        folded = fold(word)
        return self._kind(folded) is not None or segment_key(folded) in self._category_forms

    @cached_property
    def _kind_of(self) -> dict[str, str]:
        return dict(self.kinds)

    def misspelt_brand(self, text: str) -> tuple[str, int, int] | None:
        """A brand of the catalog that one or two words of `text` spell one typing slip
        away ("northfel", "kettelcraft", "meeple medow"), with where they are; None when
        none, or several, are that close."""
        tokens = list(_TOKEN.finditer(text))
        for size in (2, 1):
            for first in range(len(tokens) - size + 1):
                start, end = tokens[first].start(), tokens[first + size - 1].end()
                key = _brand_key(text[start:end])
                if len(key) < _MIN_SLIP or key in self._brand_keys:
                    continue
                near = {
                    self._brand_keys[candidate]
                    for probe in {key, *deletions(key)}
                    for candidate in self._brand_neighbours.get(probe, ())
                    if one_edit_apart(key, candidate)
                }
                if len(near) == 1:
                    return near.pop(), start, end
        return None

    @cached_property
    def _brand_keys(self) -> dict[str, str]:
        return {_brand_key(brand): brand for brand in self._brand_names.values()}

    @cached_property
    def _brand_neighbours(self) -> dict[str, list[str]]:
        """Each brand key and each of its one-letter deletions -> the brand keys."""
        index: dict[str, list[str]] = {}
        for key in self._brand_keys:
            if len(key) >= _MIN_SLIP:
                for probe in {key, *deletions(key)}:
                    index.setdefault(probe, []).append(key)
        return index

    @cached_property
    def _brand_names(self) -> dict[str, str]:
        """Folded brand -> brand, leaving out names that are ordinary words."""
        names = {segment_key(fold(brand)): brand for brand in self.brands}
        return {
            key: brand
            for key, brand in names.items()
            if len(key) > 1 and key not in _CONNECTORS and key not in COLOURS
        }

    @cached_property
    def _brand_pattern(self) -> re.Pattern[str] | None:
        return _phrase_pattern(self._brand_names, ampersand=True)

    @cached_property
    def _colour_pattern(self) -> re.Pattern[str] | None:
        wanted = set(self.colors)
        return _phrase_pattern(c for c in COLOURS if canonical_colour(c) in wanted)

    def category(self, name: str) -> str | None:
        """The category segment that ``name`` names, in any case, singular or plural
        ("puzzle" -> "Puzzles"); None when no segment has that name."""
        return self._category_forms.get(segment_key(fold(name)))

    @cached_property
    def _category_forms(self) -> dict[str, str]:
        """Singular and plural forms of each segment -> segment."""
        forms: dict[str, str] = {}
        for segment in self.categories:
            for form in sorted(number_forms(segment_key(segment.casefold()))):
                forms.setdefault(form, segment)
        return forms

    @cached_property
    def _category_pattern(self) -> re.Pattern[str] | None:
        return _phrase_pattern(self._category_forms, ampersand=True, at_end=True)


@dataclass
class ParsedQuery:
    """A query split into the words to search for and the filters it states."""

    text: str
    """The query without its price, stock, brand and colour phrases (may be empty).
    Category nouns stay: the search needs them."""
    filters: Filters
    cheap: bool = False
    """The query asks for something cheap ("cheap", "budget", "inexpensive", ...) without
    naming a price: the search engine turns it into a ``price_max`` relative to the
    catalog (see :meth:`retrieval.search.SearchEngine.search`)."""


def parse_query(text: str, vocabulary: Vocabulary) -> ParsedQuery:
    """Read filters out of a shopping query.

    Understands, case-insensitively on word boundaries:

    - prices: "under $20", "below 20", "less than 20 dollars", "over 50", "at least $10",
      "between $30 and $50", "$30-$50", "from 10 to 20". A number without a currency
      sign or word is a price only at the end of the query or before a connector word
      ("under 20 for kids"), and not after an age word ("kids under 5", "over 500 pieces"
      and "up to 4 players" are not prices);
    - stock: "in stock", "available", "ready to ship", "can ship now";
    - cheapness: "cheap", "cheapest", "inexpensive", "budget", "affordable", "low cost",
      "bargain" set ``cheap`` (removed from the text);
    - the vocabulary's brands (multi-word, "and" for "&") and colours (grey = gray);
    - a category segment, singular or plural ("puzzle" -> "Puzzles"), when the query
      names it: it ends the words before any "for"/"with"/... and follows at most one
      other word ("wooden puzzles for kids", not "peppa pig clock puzzle").

    - piece counts: "1000 piece puzzle", "500-pc", "at least 500 pieces", "under 100 pcs";
    - ages: "for a 3 year old", "18-month-old", "ages 8+", "ages 3-5", "kids under 5",
      and "for toddlers / a baby / teens / adults" (those words stay in the text);
    - sizes the catalog has: "size M", "size 10", "in size large", "XL".

    Price, stock, brand, colour, piece, numeric age and size phrases are removed from
    ``text``; category words stay.
    """
    found: dict[str, Any] = {}
    rest = _PIECES_QUERY.sub(partial(_take_pieces, found=found), spell_out(text))
    for pattern, take in _AGE_PATTERNS:
        rest = pattern.sub(partial(take, found=found), rest)
    if vocabulary.sizes:
        rest = _SIZE_QUERY.sub(partial(_take_size, known=vocabulary.sizes, found=found), rest)
    for pattern, when in _PRICE_PATTERNS:
        rest = pattern.sub(partial(_take_price, when=when, found=found), rest)
    rest, hits = _STOCK.subn(" ", rest)
    if hits:
        found["in_stock"] = True
    rest, cheap = _CHEAP.subn(" ", rest)
    match = vocabulary._brand_pattern and vocabulary._brand_pattern.search(rest)
    if match:
        found["brand"] = vocabulary._brand_names[segment_key(fold(match[0]))]
        rest = _cut(rest, match)
    elif slip := vocabulary.misspelt_brand(rest):
        found["brand"], start, end = slip
        rest = f"{rest[:start]} {rest[end:]}"
    match = vocabulary._colour_pattern and vocabulary._colour_pattern.search(rest)
    if match:
        found["color"] = canonical_colour(match[0])
        rest = _cut(rest, match)
    text = _tidy(rest)
    # A query that names a category, not a product name that contains a category word.
    head = _HEAD_END.split(text, maxsplit=1)[0]
    named = vocabulary._category_pattern and vocabulary._category_pattern.search(head)
    if named and len(head[: named.start()].split()) <= 1:
        segment = segment_key(fold(named[1]))
        # After another word, "boy" says who a product is for ("toys boy", left once "for a
        # 10 year old" is taken out), not that it is in a "Boys" category.
        if not (head[: named.start()].strip() and segment in _AUDIENCE):
            found["category"] = vocabulary._category_forms[segment]
    if "category" not in found:
        implied = vocabulary.implied_category(text)
        if implied is not None:
            found["category"] = implied
    low, high = found.get("price_min"), found.get("price_max")
    if low is not None and high is not None and low > high:
        found["price_min"], found["price_max"] = high, low
    return ParsedQuery(text=text, filters=Filters(**found), cheap=bool(cheap))


_TOKEN = re.compile(r"[\w'&]+")
_MIN_SLIP = 6
"""Brand names this long or longer are read through one typing slip."""


def _brand_key(text: str) -> str:
    """A brand as compared for typing slips: lower case, no spaces, "&" and "and" gone."""
    return "".join(w for w in words(text.replace("&", " ")) if w != "and")


# fmt: off
_CONNECTORS = frozenset({
    "a", "an", "and", "are", "as", "at", "by", "costing", "for", "from", "in", "is", "it",
    "of", "on", "or", "please", "priced", "that", "the", "then", "to", "which", "with",
})
_AGE_WORDS = frozenset({
    "age", "aged", "ages", "boys", "child", "children", "girls", "kid", "kids", "toddler",
    "toddlers",
})
# fmt: on
_AMOUNT = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SIGN = r"(?:\$|usd|€|£)"
_UNIT = r"(?:dollars?|bucks|usd|\$|€|eur|euros?|£|pounds?|quid)(?!\w)"
_MAX_WORDS = (
    r"(?:nothing|not|no)\s+(?:priced\s+)?(?:over|above|more\s+than|higher\s+than|"
    r"greater\s+than|pricier\s+than|more\s+expensive\s+than)"
    r"|under|below|beneath|less\s+than|lower\s+than|cheaper\s+than|up\s+to|within"
    r"|at\s+(?:the\s+)?most|max(?:imum)?"
)
_MIN_WORDS = r"over|above|more\s+than|greater\s+than|at\s+least|no\s+less\s+than|starting\s+at"
_LEAD = r"(?:\b(?:priced|costing|for)\s+)?"


def _money(name: str) -> str:
    return (
        rf"(?P<{name}_sign>{_SIGN}\s?)?(?P<{name}>{_AMOUNT})(?!\w|\.\d)(?P<{name}_unit>\s?{_UNIT})?"
    )


_SPEND = (
    r"(?:(?:can|could|want\s+to|wanna|would\s+like\s+to|'d\s+like\s+to|(?:am\s+)?willing\s+to|"
    r"(?:am\s+)?able\s+to|plan\s+to|only)\s+)spend"
)
_ABOUT = r"(?:about|around|roughly|approximately|maybe|up\s+to)\s+"
# Price phrases, with when a number without a currency counts: "phrase" when it ends
# the phrase (see `_take_price`), "currency" only with one, "always" when the words
# around it say it is money ("my budget is 40", "30 tops", "the 20-30 range").
_PRICE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), when)
    for pattern, when in (
        (rf"{_LEAD}\bbetween\s+{_money('low')}\s+(?:and|to|-)\s+{_money('high')}", "phrase"),
        (rf"{_LEAD}\bfrom\s+{_money('low')}\s*(?:to|-|–)\s*{_money('high')}", "phrase"),
        (
            rf"(?:\bin\s+the\s+)?(?<![\w.]){_money('low')}\s?(?:-|–|to)\s?{_money('high')}\s*"
            r"(?:dollar\s+|price\s+)?range\b",
            "always",
        ),
        (rf"{_LEAD}(?<![\w.]){_money('low')}\s?(?:-|–|to)\s?{_money('high')}", "currency"),
        (
            rf"\b(?:(?:my|the|a|our)\s+)?budget\s*(?:is|of|at|=|:)?\s*:?\s*(?:{_ABOUT})?"
            rf"{_money('high')}",
            "always",
        ),
        (rf"\b(?:on\s+)?an?\s+{_money('high')}\s+budget\b", "always"),
        (rf"(?<![\w.]){_money('high')}\s+budget\b", "always"),
        (rf"\b{_SPEND}\s+(?:{_ABOUT})?{_money('high')}", "always"),
        (rf"\b(?:my\s+)?(?:price\s+)?limit\s+(?:is\s+|of\s+)?{_money('high')}", "always"),
        (
            rf"(?<![\w.]){_money('high')}\s*(?:max(?:imum)?\b|tops\b|or\s+(?:less|under|below|"
            r"cheaper)\b|and\s+(?:under|below|less)\b|at\s+(?:the\s+)?most\b)",
            "always",
        ),
        (rf"(?:<=?|≤)\s*{_money('high')}", "always"),
        (rf"{_LEAD}\b(?:{_MAX_WORDS})\b\s*{_money('high')}", "phrase"),
        (rf"(?:>=?|≥)\s*{_money('low')}", "always"),
        (rf"(?<![\w.]){_money('low')}\s*(?:\+|(?:or\s+more|and\s+up|or\s+above)\b)", "currency"),
        (rf"{_LEAD}\b(?:{_MIN_WORDS})\b\s*{_money('low')}", "phrase"),
    )
)
# A bare number (no currency) is a price only at the end of the query or before a
# connector word ("under 20", "under 20 for kids"), not before other words ("over 120
# beads", "up to 4 players"), units ("3+", "12\"") or after ages ("kids under 5").
_AFTER_NUMBER = re.compile(r"\s*(?P<glued>[+%\"'])?\W*(?P<word>\w+)?")
_CLAUSE_END = re.compile(r"\s*[,;:!?]")
"""Punctuation after a number ends its phrase: "nothing over 30, for a charger"."""
_HEAD_END = re.compile(
    r"\s(?:for|with|without|that|which|from|by|in|on|to|like|including)\s", re.IGNORECASE
)
_AUDIENCE = frozenset(
    " ".join(
        [
            "boy boys girl girls kid kids baby babies toddler toddlers",
            "teen teens man men woman women adult adults",
        ]
    ).split()
)
"""Words that name who a product is for."""
_CHEAP = re.compile(
    r"\b(?:cheap(?:est)?|inexpensive|budget|affordable|low[\s-]?cost|bargain)\b", re.IGNORECASE
)
_STOCK = re.compile(
    r"\b(?:in[\s-]?stock|available(?:\s+now)?|(?:ready|available)\s+to\s+ship|"
    r"(?:can|could)\s+(?:you\s+)?(?:ship|send)\s+(?:now|today|right\s+away|straight\s+away)|"
    r"ships?\s+(?:now|today|right\s+away|immediately))\b",
    re.IGNORECASE,
)


def _take_price(match: re.Match[str], when: str, found: dict[str, Any]) -> str:
    """Record the price bounds of ``match`` and return what replaces it in the text."""
    named = {k: v for k, v in match.groupdict().items() if v is not None}
    has_currency = any(k.endswith(("_sign", "_unit")) for k in named)
    if (
        not has_currency
        and when != "always"
        and (
            when == "currency"
            or not _ends_phrase(match.string, match.end())
            or _AGE_WORDS & set(words(match.string[: match.start()])[-2:])
        )
    ):
        return match[0]
    for name, field in (("low", "price_min"), ("high", "price_max")):
        if name in named and field not in found:
            found[field] = float(named[name].replace(",", ""))
    return " "


_PIECES_QUERY = re.compile(
    rf"(?:\b(?P<cmp>{_MAX_WORDS}|{_MIN_WORDS}|fewer\s+than|with)\s+)?(?<![\w.])"
    r"(?P<n>\d{1,3}(?:,\d{3})+|\d+)(?P<plus>\s*\+)?\s*-?\s*(?:pieces?|pcs?|pc)(?!\w)"
    r"(?:\s+or\s+(?P<post>fewer|less|under|more|over)\b)?",
    re.IGNORECASE,
)
_IS_MIN = re.compile(rf"{_MIN_WORDS}", re.IGNORECASE)
_IS_MAX = re.compile(rf"{_MAX_WORDS}|fewer\s+than", re.IGNORECASE)


def _take_pieces(match: re.Match[str], found: dict[str, Any]) -> str:
    count = int(match["n"].replace(",", ""))
    comparison = match["cmp"] or ""
    at_most = _IS_MAX.fullmatch(comparison) or match["post"] in ("fewer", "less", "under")
    at_least = _IS_MIN.fullmatch(comparison) or match["plus"] or match["post"] in ("more", "over")
    if not at_most:
        found.setdefault("pieces_min", count)
    if not at_least:
        found.setdefault("pieces_max", count)
    return " "


_YEARS_OR_MONTHS = r"(?P<unit>years?|yrs?|months?|mos?)"
# Ages a shopper names, in years: low, high (None: open).
_AGE_GROUPS = {
    "newborn": (0.0, 0.25),
    "baby": (0.0, 1.0),
    "babies": (0.0, 1.0),
    "infant": (0.0, 1.0),
    "toddler": (1.0, 3.0),
    "preschooler": (3.0, 5.0),
    "teen": (13.0, 17.0),
    "teenager": (13.0, 17.0),
    "adult": (ADULT, None),
    "grown up": (ADULT, None),
}


def _take_age_old(match: re.Match[str], found: dict[str, Any]) -> str:
    age = years(match["n"], match["unit"] or "years")
    found.setdefault("age_min", age)
    found.setdefault("age_max", age)
    return " "


def _take_ages(match: re.Match[str], found: dict[str, Any]) -> str:
    found.setdefault("age_min", float(match["lo"]))
    if match["hi"] is not None:
        found.setdefault("age_max", float(match["hi"]))
    elif match["up"] is None:
        found.setdefault("age_max", float(match["lo"]))
    return " "


def _take_age_bound(match: re.Match[str], found: dict[str, Any]) -> str:
    age = years(match["n"], match["unit"])
    if match["cmp"].casefold().startswith(("under", "below", "younger")):
        found.setdefault("age_max", max(age - 1, 0.0))  # "under 5": 4 at most
    else:
        found.setdefault("age_min", age)
    return f" {match['who']} "


def _take_age_group(match: re.Match[str], found: dict[str, Any]) -> str:
    group = " ".join(match["who"].casefold().replace("-", " ").split())
    low, high = _AGE_GROUPS.get(group) or _AGE_GROUPS[group.removesuffix("s")]
    found.setdefault("age_min", low)
    if high is not None:
        found.setdefault("age_max", high)
    return match[0]  # the words stay: they help the ranking


_AGE_PATTERNS = tuple(
    (re.compile(pattern, re.IGNORECASE), take)
    for pattern, take in (
        (
            rf"(?:\bfor\s+)?(?:\b(?:an?|my|our)\s+)?(?<![\w.])(?P<n>\d+(?:\.\d+)?)[\s-]*"
            rf"{_YEARS_OR_MONTHS}[\s-]*olds?\b",
            _take_age_old,
        ),
        (
            r"(?:\bfor\s+)?(?:\b(?:an?|my|our)\s+)?(?<![\w.])(?P<n>\d+)\s*(?:yo|y/o|yr\s+old)\b"
            r"(?P<unit>)",
            _take_age_old,
        ),
        (
            r"(?:\b(?:my|our)\s+)?\b(?:kid|son|daughter|child|nephew|niece|grandson|granddaughter|boy|girl|"
            r"grandkid|toddler)\s+(?:is|who\s+is|who's|turns|turning|is\s+turning|aged)\s+"
            r"(?P<n>\d+)(?:\s*(?P<unit>years?|yrs?|months?|mos?))?(?!\w)",
            _take_age_old,
        ),
        (r"\baged\s+(?P<n>\d+)(?:\s*(?P<unit>years?|yrs?|months?|mos?))?(?!\w)", _take_age_old),
        (
            r"(?:\bfor\s+)?(?:\b(?:kids|children)\s+)?\bages?\s+(?P<lo>\d+)\s*"
            r"(?:(?P<up>\+|and\s+up\b|and\s+over\b|and\s+older\b|or\s+older\b)"
            r"|(?:-|–|to)\s*(?P<hi>\d+)\b|\b)",
            _take_ages,
        ),
        (
            r"\b(?P<who>kids|children|toddlers|boys|girls)\s+(?P<cmp>under|below|younger\s+than|"
            rf"over|above|older\s+than)\s+(?P<n>\d+)(?:\s*{_YEARS_OR_MONTHS})?(?!\w)",
            _take_age_bound,
        ),
        (
            r"\bfor\s+(?:(?:an?|my|our|the)\s+)?(?P<who>newborns?|bab(?:y|ies)|infants?|"
            r"toddlers?|preschoolers?|teens?|teenagers?|adults?|grown[\s-]?ups?)\b",
            _take_age_group,
        ),
    )
)

_SIZE_NAME = r"(?:extra|x{1,3})[\s-]?(?:small|large)|[2-4]xl|x{0,3}[sl]|m|small|medium|large"
_SIZE_QUERY = re.compile(
    rf"\b(?:in\s+)?size\s+(?P<after>(?:{_SIZE_NAME})(?!\w)|[\w.]+)"
    rf"|\b(?P<before>{_SIZE_NAME}|\d+(?:\.\d+)?)\s+size\b"
    r"|(?<!\w)(?P<code>x{1,3}[sl]|[2-4]xl)(?!\w)",
    re.IGNORECASE,
)


def _take_size(match: re.Match[str], known: frozenset[str], found: dict[str, Any]) -> str:
    """A phrase with the word "size" is a size constraint even when the catalog lacks
    that size (so the search can say it is unmet); a bare "XL" only when it has it."""
    size = normalize_size(match["after"] or match["before"] or match["code"])
    if "size" in found or (match["code"] and size not in known):
        return match[0]
    # "size 10" in a catalog of "US 10": the one known size it names. Sizes read in
    # capitals, as catalogs write them ("US 8", "XL"); matching ignores case.
    named = [k for k in known if k.endswith(f" {size}")]
    found["size"] = (size if size in known or len(named) != 1 else named[0]).upper()
    return " "


def _ends_phrase(text: str, end: int) -> bool:
    """True when what follows ``end`` in ``text`` is nothing or a connector word."""
    after = _AFTER_NUMBER.match(text, end)
    assert after is not None  # the pattern matches the empty string
    word = after["word"]
    if after["glued"]:
        return False
    return word is None or word.casefold() in _CONNECTORS or bool(_CLAUSE_END.match(text, end))


def _cut(text: str, match: re.Match[str]) -> str:
    return f"{text[: match.start()]} {text[match.end() :]}"


def _phrase_pattern(
    phrases: Iterable[str], *, ampersand: bool = False, at_end: bool = False
) -> re.Pattern[str] | None:
    """One case-insensitive regex for any of ``phrases`` as whole words, longest first,
    captured as group 1; spacing is free, with ``ampersand`` "and" also matches "&",
    and with ``at_end`` only a phrase followed by nothing but punctuation matches."""
    alternatives = []
    for phrase in sorted(set(phrases), key=len, reverse=True):
        parts = [re.escape(word) for word in phrase.split()]
        if ampersand:
            parts = ["(?:and|&)" if part == "and" else part for part in parts]
        alternatives.append(r"\s+".join(parts))
    if not alternatives:
        return None
    end = r"[^\w]*$" if at_end else r"(?!\w)"
    return re.compile(rf"(?<!\w)({'|'.join(alternatives)}){end}", re.IGNORECASE)


def _tidy(text: str) -> str:
    """Collapse spacing and drop connector words and stray punctuation left at the ends."""
    tokens = text.split()
    while tokens and (tokens[0].casefold() in _CONNECTORS or not _has_word(tokens[0])):
        tokens.pop(0)
    while tokens and (tokens[-1].casefold() in _CONNECTORS or not _has_word(tokens[-1])):
        tokens.pop()
    return " ".join(tokens).strip(" ,;:-")


def _has_word(token: str) -> bool:
    return any(ch.isalnum() for ch in token)
