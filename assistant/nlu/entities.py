"""Rule-based entity extraction: order ids, product ids, emails, amounts, product references."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

_ORDER_ID = re.compile(r"\b([A-Z]{2,4}-\d{4,10})\b", re.IGNORECASE)
_ORDER_NUMBER = re.compile(r"(?:order|#)\s*(?:number|no\.?|id)?\s*#?\s*(\d{5,12})\b", re.IGNORECASE)
_PRODUCT_ID = re.compile(r"\b(P\d{3,8})\b")
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


def extract_entities(text: str) -> Entities:
    order_ids = [m.upper() for m in _ORDER_ID.findall(text) if not _PRODUCT_ID.fullmatch(m)]
    order_ids += [m for m in _ORDER_NUMBER.findall(text) if m not in order_ids]
    amounts = [float((a or b).replace(",", "")) for a, b in _AMOUNT.findall(text)]
    quantity = _QUANTITY.search(text)
    return Entities(
        order_ids=order_ids,
        product_ids=_PRODUCT_ID.findall(text),
        emails=_EMAIL.findall(text),
        amounts=amounts,
        positions=[_ORDINALS[m.lower()] for m in _ORDINAL.findall(text)],
        color_refs=[c.lower() for c in _COLOR_REF.findall(text) if c.lower() not in _ORDINALS],
        quantity=None if quantity is None else _count(quantity[1]),
    )


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBERS[word.lower()]
