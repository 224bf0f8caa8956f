"""Numbers as shoppers write them: "twenty five", "two hundred fifty", "a hundred" -> digits,
so that the price, age and piece grammars of :mod:`retrieval.filters` read them as they
read "25"."""

from __future__ import annotations

import re

_UNITS = {
    "zero": 0, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {"hundred": 100, "thousand": 1000}
_WORD = "|".join(sorted([*_UNITS, *_TENS, *_SCALES, "one", "a", "and"], key=len, reverse=True))
_NUMBER_WORDS = re.compile(rf"\b(?:{_WORD})(?:[\s-]+(?:{_WORD}))*\b", re.IGNORECASE)
_CUE_BEFORE = re.compile(
    r"\b(?:under|below|over|above|than|max|maximum|budget|spend|between|from|around|about|"
    r"most|to|is|tops|aged?|turns?|my)\s*[:$]?\s*$",
    re.IGNORECASE,
)
_CUE_AFTER = re.compile(
    r"\s*(?:dollars?|bucks|quid|pounds?|euros?|usd|tops|max(?:imum)?|or\s+(?:less|under|"
    r"more)|years?|yrs?|yo\b|-?year-old|pieces?|pcs?)",
    re.IGNORECASE,
)


def spell_out(text: str) -> str:
    """`text` with amounts, ages and counts written in words turned into digits: "under
    fifty bucks" -> "under 50 bucks", "two hundred fifty max" -> "250 max", "a ten year
    old" -> "a 10 year old". Only where a price, age or count word is beside the number:
    "A Tale of Two Cities" and "the red one" stay as they are."""
    return _NUMBER_WORDS.sub(
        lambda m: (
            _digits(m)
            if _CUE_BEFORE.search(text, 0, m.start()) or _CUE_AFTER.match(text, m.end())
            else m[0]
        ),
        text,
    )


def _digits(match: re.Match[str]) -> str:
    tokens = re.split(r"[\s-]+", match[0].lower())
    out: list[str] = []
    total = value = 0
    active = False

    def flush() -> None:
        nonlocal total, value, active
        if active:
            out.append(str(total + value))
        total = value = 0
        active = False

    for n, word in enumerate(tokens):
        following = tokens[n + 1] if n + 1 < len(tokens) else ""
        if word in _UNITS or word in _TENS:
            value += _UNITS.get(word) or _TENS[word]
            active = True
        elif word == "one" and (active or following in _SCALES):
            value += 1
            active = True
        elif word in _SCALES:
            value = max(value, 1) * _SCALES[word]
            if _SCALES[word] >= 1000:
                total, value = total + value, 0
            active = True
        elif word == "a" and following in _SCALES:
            continue  # "a hundred"
        elif word == "and" and n and tokens[n - 1] in _SCALES and following in {**_UNITS, **_TENS}:
            continue  # "a hundred and fifty", not "twenty and forty"
        else:
            flush()
            out.append(word)
    flush()
    text = " ".join(out)
    return match[0] if text == match[0].lower() else text
