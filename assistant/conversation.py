"""What a conversation remembers between turns (`ConversationState`), and the rules for
what a follow-up keeps, replaces or relaxes of the search before it (`FollowUp`).

The rules, for a message that refines the listing just shown rather than naming a new kind
of product ("got those in blue?", "make that 30 instead", "forget the budget", "anything
less pricey?"):

- keep: the topic searched and every filter in force, and the category of a listing that
  came from one category;
- replace: a filter the message states replaces the one in force ("in blue instead"); a
  bare amount said as a correction ("make that 30", "30 instead") replaces the price bound
  in force;
- relax: a filter the message lets go of is dropped ("forget the price limit", "any colour
  is fine", "doesn't have to be in stock");
- cheaper: a ceiling relative to what was shown, below the cheapest product shown, cheapest
  first; when the catalog has nothing there, the answer says so and lists the lowest-priced
  products up to the dearest one shown (see `FollowUp.fallback_ceiling`), so "cheaper"
  never leaves the shopper with nothing.

A message that names a new kind of product starts a new search and keeps nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Any

from retrieval.catalog import Product
from retrieval.filters import Filters
from retrieval.text import category_leaf, one_edit_apart


@dataclass
class ConversationState:
    """Saved with the session after every turn (as `to_dict`)."""

    query: str = ""
    """The topic last searched or recommended for ("lego sets")."""
    filters: Filters = field(default_factory=Filters)
    """The search filters in force."""
    listing: str | None = None
    """What was last listed: "search" or "recommendation" (follow-ups refine it)."""
    shown: list[str] = field(default_factory=list)
    """The ids of the products last listed, in order ("the second one")."""
    shown_prices: list[float] = field(default_factory=list)
    shown_category: str | None = None
    """The category every product last listed shares, if one does."""
    focus: str | None = None
    """The product "it" means: the one last detailed or added to the cart."""
    pending: dict[str, Any] | None = None
    """An order change proposed and waiting for the shopper's yes (the next turn only)."""

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["filters"] = self.filters.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConversationState:
        """A saved state (keys this version does not know are dropped)."""
        known = {f.name for f in fields(cls)} & data.keys()
        state = cls(**{name: data[name] for name in known})
        state.filters = Filters.from_params(data.get("filters") or {})
        return state

    def listed(self, listing: str, query: str, filters: Filters) -> None:
        """A search or recommendation was made: follow-ups refine it."""
        self.listing, self.query, self.filters = listing, query, filters

    def show(self, products: list[Product]) -> None:
        """The shopper now sees `products`: "the second one" and "anything cheaper?" refer
        to them, and "it" to none in particular."""
        self.shown = [p.id for p in products]
        self.focus = None
        self.shown_prices = [p.price for p in products if p.price is not None]
        categories = {category_leaf(p.category) for p in products if p.category}
        # A listing from one category keeps follow-ups ("anything cheaper?") inside it.
        self.shown_category = categories.pop() if len(categories) == 1 else None


_FIELDS_OF = {
    "price": ("price_min", "price_max"),
    "colour": ("color",),
    "brand": ("brand",),
    "size": ("size",),
    "stock": ("in_stock",),
    "age": ("age_min", "age_max"),
}
_NAMES = {
    "price": r"price(?:\s+(?:limit|cap|range|point))?|budget|limit|cap|cost|amount",
    "colour": r"colou?rs?",
    "brand": r"brands?|makers?|labels?",
    "size": r"sizes?|sizing",
    "stock": r"(?:in[\s-]?)?stock|availability",
    "age": r"ages?",
}


def _relaxing(name: str) -> re.Pattern[str]:
    """The phrasings that let go of the filter `name` names."""
    noun = _NAMES[name]
    return re.compile(
        rf"\b(?:forget|ignore|drop|remove|lose|scrap|skip|never\s*mind|no\s+need\s+for|"
        rf"don'?t\s+(?:care|worry)\s+about|not\s+fussed\s+about|without|no|not)\s+"
        rf"(?:about\s+)?(?:the\s+same\s+|the\s+|my\s+|a\s+|that\s+|this\s+|any\s+)?(?:{noun})\b"
        rf"|\bany\s+(?:{noun})\b"
        rf"|\b(?:{noun})\s+(?:doesn'?t|does\s+not|don'?t|do\s+not|isn'?t|is\s+not)\s+"
        rf"(?:matter|important|an?\s+issue)\b"
        + (
            r"|\b(?:doesn'?t|does\s+not|don'?t|do\s+not)\s+(?:have|need)\s+to\s+be\s+"
            r"(?:in[\s-]?stock|available)\b|\bout[\s-]of[\s-]stock\s+(?:is\s+)?(?:fine|ok)\b"
            if name == "stock"
            else ""
        ),
        re.IGNORECASE,
    )


_RELAX = {name: _relaxing(name) for name in _NAMES}
_CHEAPER = re.compile(
    r"\b(?:cheaper|less\s+(?:expensive|pricey|pricy|costly|money)|lower[\s-]priced?|"
    r"lower\s+prices?|more\s+affordable|(?:more\s+)?budget[\s-]friendly|"
    r"not\s+(?:so|as|that)\s+(?:expensive|pricey|pricy|dear)|too\s+(?:expensive|pricey|pricy|dear)|"
    r"(?:spend|pay)\s+less)\b(?:\s+than\s+(?:those|these|them|that|this|the\s+last\s+ones))?",
    re.IGNORECASE,
)
_AMOUNT = r"\$?\s?(?P<{name}>\d+(?:\.\d{{1,2}})?)\s*(?:dollars|bucks|usd|quid|pounds)?"
_CORRECTION = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|actually|hmm+|no|sorry|wait)\W+)*(?:"
    r"(?:make\s+(?:it|that)|change\s+(?:it|that)\s+to|let'?s\s+say|say|try)\s+"
    + _AMOUNT.format(name="said")
    + r"(?:\s+instead)?|"
    + _AMOUNT.format(name="instead")
    + r"\s+instead)\W*$",
    re.IGNORECASE,
)
_EDGES = ".,!?;:'\"()"
_NEGATED = re.compile(
    r"\bnot\s+(?!(?:that|this|the|so|too|as|very|sure|really|over|under|more|less|above|"
    r"below|in|on|for|with|a|an|any|expensive|cheap|pricey)\b)[\w$.-]+",
    re.IGNORECASE,
)
_KEEPS_PRICE = re.compile(
    r"\b(?:(?:for|at|in|with|within|on)\s+)?(?:the\s+|a\s+)?(?:same|similar|that)\s+"
    r"(?:price|budget|price\s+range|price\s+limit|amount)\b",
    re.IGNORECASE,
)
_REFERENCES = re.compile(r"\b(?:those|these|them|ones|that|this|same|instead)\b", re.IGNORECASE)


@dataclass
class FollowUp:
    """How one message refines the listing in `state`."""

    message: str
    relaxed: tuple[str, ...] = ()
    """The filters the message lets go of ("price", "colour", ...)."""
    amount: float | None = None
    """A bare amount said as a correction ("make that 30 instead")."""
    cheaper: bool = False
    text: str = ""
    """The message without the phrases read above."""
    corrects: bool = False
    """The message turns down a value ("not red, blue"): the one it names next replaces it."""
    keeps_price: bool = False
    """A new search at "the same price": it keeps the price bounds in force."""

    @classmethod
    def read(cls, message: str) -> FollowUp:
        text = message
        relaxed = []
        for name, pattern in _RELAX.items():
            text, hits = pattern.subn(" ", text)
            if hits:
                relaxed.append(name)
        correction = _CORRECTION.match(text)
        amount = float(correction["said"] or correction["instead"]) if correction else None
        if correction:
            text = ""
        words = text.split()
        misspelt = [w for w in words if one_edit_apart(w.strip(_EDGES).lower(), "cheaper")]
        cheaper = bool(_CHEAPER.search(text) or misspelt)  # "cheeper", "chaeper"
        text = _CHEAPER.sub(" ", " ".join(w for w in words if w not in misspelt))
        text, negated = _NEGATED.subn(" ", text)  # "no, not L. XL": the L is not wanted
        text, keeps_price = _KEEPS_PRICE.subn(" ", text)
        text = " ".join(text.split())
        return cls(message, tuple(relaxed), amount, cheaper, text, negated > 0, keeps_price > 0)

    @property
    def refines(self) -> bool:
        """Whether the message only works on the listing: it lets a filter go, corrects an
        amount or a value, or asks for cheaper."""
        return bool(self.relaxed) or self.amount is not None or self.cheaper or self.corrects

    def references_listing(self) -> bool:
        """Whether the message points at what was listed ("got those in blue?")."""
        return bool(_REFERENCES.search(self.message))

    def carried(self, state: ConversationState) -> Filters:
        """What a new search keeps of the last one: nothing, but the price bounds when the
        shopper says so ("and building sets for the same price?")."""
        if not self.keeps_price:
            return Filters()
        return Filters(price_min=state.filters.price_min, price_max=state.filters.price_max)

    def filters(self, state: ConversationState, stated: Filters) -> Filters:
        """The filters in force after this message: the state's, with what the message
        states replacing, what it lets go of dropped, and a corrected or cheaper ceiling."""
        kept = state.filters
        if kept.category is None and state.shown_category:
            kept = kept.merged(Filters(category=state.shown_category))
        dropped = {f for name in self.relaxed for f in _FIELDS_OF[name]}
        kept = Filters.from_params({k: v for k, v in kept.to_dict().items() if k not in dropped})
        result = kept.merged(stated)
        if self.amount is not None:
            result = result.merged(Filters.from_params({_bound(result): self.amount}))
        if self.cheaper and state.shown_prices:
            result = result.merged(Filters(price_max=round(min(state.shown_prices) - 0.01, 2)))
        return result

    def fallback_ceiling(self, state: ConversationState) -> float | None:
        """For "cheaper": the ceiling to fall back to when nothing is below the cheapest
        product shown (the dearest one shown: the lowest-priced products, which may be
        those shown), None when nothing was shown."""
        if not self.cheaper or not state.shown_prices:
            return None
        return max(state.shown_prices)


def _bound(filters: Filters) -> str:
    """The price bound a corrected amount replaces: the floor when only a floor is in
    force ("over $50" ... "make that 30"), else the ceiling."""
    floor_only = filters.price_min is not None and filters.price_max is None
    return "price_min" if floor_only else "price_max"
