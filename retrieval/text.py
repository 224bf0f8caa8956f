"""Small text helpers shared by catalog loading, filters and query parsing."""

from __future__ import annotations

import re

CATEGORY_SEPARATOR = " > "

# Tried in order: the first separator present in a category path is the one it uses,
# so "Toys & Games > 2/3 Years" keeps its slash.
_CATEGORY_SEPARATORS = (">", "|", "›", "»", "/")

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")

# fmt: off
COLOURS: frozenset[str] = frozenset({
    "beige", "black", "blue", "bronze", "brown", "burgundy", "charcoal", "copper", "coral",
    "cream", "cyan", "gold", "golden", "gray", "green", "grey", "indigo", "ivory", "khaki",
    "lavender", "lilac", "magenta", "maroon", "mint", "navy", "olive", "orange", "peach",
    "pink", "purple", "red", "rose", "silver", "tan", "teal", "turquoise", "violet", "white",
    "yellow",
})
# fmt: on
"""Common colour names that the query parser recognises (when the catalog uses them)."""

_COLOUR_ALIASES = {"gray": "grey", "golden": "gold"}


def normalize_category(value: str) -> str:
    """Normalise a category path to ``"A > B > C"`` whatever separator the source used
    (``" | "``, ``"/"``, ``">"``, ``"›"``); empty segments are dropped."""
    for separator in _CATEGORY_SEPARATORS:
        if separator in value:
            segments = value.split(separator)
            break
    else:
        segments = [value]
    return CATEGORY_SEPARATOR.join(s for s in (" ".join(x.split()) for x in segments) if s)


def category_leaf(path: str) -> str:
    """The most specific segment of a normalised category path (as a product's ``category``
    holds it): ``"A > B > C"`` -> ``"C"``, ``""`` for none."""
    return path.rpartition(CATEGORY_SEPARATOR)[2]


def category_segments(path: str) -> list[str]:
    """The segments of a normalised category path, case-folded."""
    return [s.casefold() for s in path.split(CATEGORY_SEPARATOR) if s]


def words(text: str) -> list[str]:
    """Case-folded words of ``text`` (letters and digits; inner apostrophes kept)."""
    return _WORD.findall(text.casefold())


def canonical_colour(word: str) -> str:
    """One spelling per colour: ``"gray"`` -> ``"grey"``; other words are returned as is."""
    word = word.casefold()
    return _COLOUR_ALIASES.get(word, word)


def number_forms(phrase: str) -> set[str]:
    """The singular and plural spellings of a case-folded phrase, varying its last word:
    ``"jigsaw puzzles"`` -> ``{"jigsaw puzzles", "jigsaw puzzle"}``."""
    head, _, last = phrase.rpartition(" ")
    prefix = f"{head} " if head else ""
    forms = {last}
    if last.endswith("ies") and len(last) > 4:
        forms.add(last[:-3] + "y")
    elif last.endswith(("ches", "shes", "sses", "xes", "zes")):
        forms.add(last[:-2])
    elif last.endswith("s") and not last.endswith("ss") and len(last) > 3:
        forms.add(last[:-1])
    else:
        if last.endswith("y") and len(last) > 2 and last[-2] not in "aeiou":
            forms.add(last[:-1] + "ies")
        elif last.endswith(("ch", "sh", "ss", "x", "z")):
            forms.add(last + "es")
        else:
            forms.add(last + "s")
    return {prefix + form for form in forms}


def deletions(word: str) -> set[str]:
    """``word`` with one letter taken out, each way."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def one_edit_apart(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by one deletion, insertion, substitution or
    swap of neighbouring letters (Damerau-Levenshtein distance 1)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))
