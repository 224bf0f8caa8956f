"""Rule-based entity extraction: order ids, product ids, emails, amounts, product references.

Product ids are the store's own: `CatalogIds` asks the catalog which words of a message are
its ids, whatever format the store gives them.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

_ORDER_ID = re.compile(r"\b([A-Z]{2,4}-\d{4,10})\b", re.IGNORECASE)
_ORDER_NUMBER = re.compile(r"(?:order|#)\s*(?:number|no\.?|id)?\s*#?\s*(\d{5,12})\b", re.IGNORECASE)
_EDGES = string.punctuation + "“”‘’"
"""Stripped from both ends of a word before it is looked up: "(SKU-1)," names SKU-1."""
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_AMOUNT = re.compile(
    r"(?:\$|usd\s*)(\d+(?:,\d{3})*(?:\.\d{1,2})?)|(\d+(?:\.\d{1,2})?)\s*(?:dollars|usd|bucks)\b",
    re.IGNORECASE,
)
_ORDINALS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "fifth": 5,
    "5th": 5,
    "last": -1,
}
_ORDINAL = re.compile(
    r"\b(" + "|".join(_ORDINALS) + r")\b(?:\s+(?:one|item|product))?", re.IGNORECASE
)
_COLOR_REF = re.compile(r"\bthe\s+(\w+)\s+one\b", re.IGNORECASE)
_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}
_QUANTITY = re.compile(r"\b(?:add|put|buy|get)\s+(\d+|" + "|".join(_NUMBERS) + r")\b", re.I)


@dataclass
class Entities:
    """What a message names. Positions are 1-based; -1 means "the last one"."""

    order_ids: list[str] = field(default_factory=list)
    product_ids: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    amounts: list[float] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)
    color_refs: list[str] = field(default_factory=list)
    quantity: int | None = None
    """How many ("add 2 of the first one")."""

    def to_dict(self) -> dict[str, list]:
        return {name: value for name, value in asdict(self).items() if value}


class CatalogIds:
    """The product ids of one catalog, as a message may name them: a word of the message is
    a product id when, as written, upper-cased or lower-cased, `known` says the catalog has
    it ("sku-1" names "SKU-1"), with any punctuation around it or a trailing "'s" left off.
    `known` asks the catalog itself (a live one answers for its current products), so
    nothing is built per catalog.

    Words made only of letters or only of digits are not looked up: in a message such a
    word is a word, a quantity or a price far more often than an id.
    """

    def __init__(self, known: Callable[[str], bool]) -> None:
        self._known = known

    def spelling(self, word: str) -> str | None:
        """The catalog's spelling of the id `word` names, or None."""
        word = _bare(word)
        if not word or word.isalpha() or word.isdigit():
            return None
        return next((w for w in (word, word.upper(), word.lower()) if self._known(w)), None)

    def find(self, text: str) -> list[str]:
        """The ids that `text` names, spelt as the catalog spells them, in order."""
        named = (self.spelling(word) for word in text.split())
        return [pid for pid in named if pid is not None]


NO_IDS = CatalogIds(lambda word: False)
"""Without a catalog, no word is a product id."""


def extract_entities(text: str, ids: CatalogIds = NO_IDS) -> Entities:
    """What `text` names; its product ids are those of the catalog behind `ids`. An
    order-id-like word ("SKU-1234") that is a product id is not taken for an order."""
    order_ids = [m.upper() for m in _ORDER_ID.findall(text) if ids.spelling(m) is None]
    order_ids += [m for m in _ORDER_NUMBER.findall(text) if m not in order_ids]
    amounts = [float((a or b).replace(",", "")) for a, b in _AMOUNT.findall(text)]
    quantity = _QUANTITY.search(text)
    return Entities(
        order_ids=order_ids,
        product_ids=ids.find(text),
        emails=_EMAIL.findall(text),
        amounts=amounts,
        positions=[_ORDINALS[m.lower()] for m in _ORDINAL.findall(text)],
        color_refs=[c.lower() for c in _COLOR_REF.findall(text) if c.lower() not in _ORDINALS],
        quantity=None if quantity is None else _count(quantity[1]),
    )


_ORDER_PHRASE = re.compile(
    r"(?:\b(?:my|the|this|that|an?)\s+)?(?:\border(?:\s+(?:number|no\.?|id|#))?\s*[:#]?\s*)?"
    r"(?:\b[A-Z]{2,4}-\d{3,10}\b|#\s?\d{4,12}\b|(?<=order\s)\d{5,12}\b|(?<=order\s#)\d{4,12}\b)",
    re.IGNORECASE,
)
_MONEY = re.compile(
    r"(?:[$€£]|\b(?:usd|eur|gbp)\s?)\d[\d,]*(?:\.\d{1,2})?"
    r"|\b\d[\d,]*(?:\.\d{1,2})?\s?(?:dollars?|usd|bucks|euros?|eur|pounds?|quid|gbp)\b",
    re.IGNORECASE,
)
_ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def generic_entities(text: str) -> str:
    """`text` with its order numbers, amounts of money, emails and ISO dates put in the
    same words whatever their value ("refund SA-102133, $45.99" -> "refund my order, an
    amount"), so that the intent model reads what a message asks, not its numbers: its
    training examples have few of them, a shopper's messages many."""
    text = _ORDER_PHRASE.sub(" my order ", text)
    text = _MONEY.sub(" an amount ", text)
    text = _EMAIL.sub(" my email ", text)
    text = _ISO_DATE.sub(" a date ", text)
    return " ".join(text.split())


def _bare(word: str) -> str:
    """`word` without the punctuation around it or a possessive "'s"."""
    word = word.strip(_EDGES)
    for suffix in ("'s", "’s"):
        word = word.removesuffix(suffix)
    return word


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBERS[word.lower()]
