"""Attributes that catalogs state in free text rather than in columns: the age range a
product is meant for, its piece count, and its sizes.

Read once per product from its title, its other source columns (``attributes``, where
feeds put "Manufacturer recommended age: 3 years and up" or "Number of pieces: 500") and
its description, in that order of trust for piece counts; for ages the explicit
"recommended age" wording wins wherever it is.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .catalog import Product

ADULT = 18.0
"""Age (years) from which "adult" products start."""
_MAX_AGE = 100.0

_NUMBER = r"\d+(?:\.\d+)?"
_MONTHS = r"(?:months?|mos?)"
_YEARS = r"(?:years?|yrs?)"
_UNIT = rf"(?:{_MONTHS}|{_YEARS})"
_UP = r"(?:\+|and\s*up|and\s*over|and\s*older|or\s*older|\s*plus)"
_AGE_RANGE = (
    rf"(?P<lo>{_NUMBER})\s*(?P<lo_unit>{_UNIT})?\s*"
    rf"(?:(?P<up>{_UP})|(?:-|–|to)\s*(?P<hi>{_NUMBER})\s*(?P<hi_unit>{_UNIT})?)?"
)
# "Manufacturer recommended age: 3 years and up" (feeds sometimes drop the spaces),
# "ages 3+", "for ages 8 to 12", "age 5 and up".
_STATED_AGE = re.compile(rf"(?:recommended\s*age|\bages?)\s*:?\s*{_AGE_RANGE}", re.IGNORECASE)
# "3 years and up", "18 months+", "3-5 years old" without the word age.
_LOOSE_AGE = re.compile(
    rf"(?<![\w.])(?P<lo>{_NUMBER})\s*(?:(?:-|–|to)\s*(?P<hi>{_NUMBER})\s*)?"
    rf"(?P<lo_unit>{_UNIT})(?:\s*old)?\s*(?P<up>{_UP})?",
    re.IGNORECASE,
)
_PIECES = re.compile(
    r"(?<![\w.])(?P<n>\d{1,3}(?:,\d{3})+|\d+)\s*-?\s*(?:pieces?|pcs?\.?|pc\.?)(?!\w)",
    re.IGNORECASE,
)
_STATED_PIECES = re.compile(r"number\s*of\s*pieces\s*:?\s*(?P<n>\d[\d,]*)", re.IGNORECASE)

_SIZE_ALIASES = {
    "extra small": "xs",
    "x small": "xs",
    "small": "s",
    "medium": "m",
    "med": "m",
    "large": "l",
    "extra large": "xl",
    "x large": "xl",
    "xx large": "xxl",
    "2xl": "xxl",
    "3xl": "xxxl",
}
_SIZE_SPLIT = re.compile(r"[,/|;]")


@dataclass(frozen=True)
class AgeRange:
    """Ages in years, both ends inclusive; ``high`` is infinite for "and up"."""

    low: float
    high: float = math.inf

    def overlaps(self, low: float | None, high: float | None) -> bool:
        return (high is None or self.low <= high) and (low is None or self.high >= low)


def age_range(product: Product) -> AgeRange | None:
    """The age range ``product`` states it is for, or None when it states none."""
    texts = (product.title, *product.attributes.values(), product.description)
    for pattern in (_STATED_AGE, _LOOSE_AGE):
        for text in texts:
            for match in pattern.finditer(text):
                found = _age_of(match)
                if found is not None:
                    return found
    return None


def piece_count(product: Product) -> int | None:
    """The number of pieces ``product`` states (a 1000-piece puzzle), or None."""
    for pattern, texts in (
        (_PIECES, (product.title,)),
        (_STATED_PIECES, tuple(product.attributes.values())),
        (_PIECES, (product.description,)),
    ):
        for text in texts:
            match = pattern.search(text)
            if match:
                return int(match["n"].replace(",", ""))
    return None


def normalize_size(size: str) -> str:
    """One spelling per size: ``"Medium"`` -> ``"m"``, ``"X-Large"`` -> ``"xl"``,
    ``"Size 10"`` -> ``"10"``."""
    folded = " ".join(size.casefold().replace("-", " ").split())
    folded = folded.removeprefix("size ").strip()
    return _SIZE_ALIASES.get(folded, folded)


def sizes(product: Product) -> frozenset[str]:
    """The normalised sizes of ``product``'s size field (``"S/M/L"`` lists three)."""
    return frozenset(filter(None, map(normalize_size, _SIZE_SPLIT.split(product.size))))


def _age_of(match: re.Match[str]) -> AgeRange | None:
    found = match.groupdict()
    unit = found["lo_unit"] or found.get("hi_unit") or "years"
    low = years(found["lo"], unit)
    if found["hi"] is not None:
        high = years(found["hi"], found.get("hi_unit") or unit)
    elif found["up"] is not None or match.re is _STATED_AGE:
        high = math.inf
    else:
        return None  # "3 years" alone: a warranty, a subscription...
    if not 0 <= low <= min(high, _MAX_AGE):
        return None
    return AgeRange(low, high)


def years(number: str, unit: str | None) -> float:
    """An age in years from a number and its unit ("18", "months" -> 1.5; no unit: years)."""
    value = float(number)
    return round(value / 12, 2) if unit and unit.casefold().startswith("mo") else value
