"""The kinds of product a catalog's titles name, and the category each implies: a shopper
who asks for "earbuds", "a frying pan" or "a tent" names no category, but in a store whose
titles say "Wireless Earbuds" only under Headphones, earbuds are a Headphones request.

Built from the catalog itself, so it holds for any store. A title names its kind of
product at the end of its main part, English nouns coming last ("... Waterproof Hiking
Boots - Olive", "... Whole Bean Coffee, Dark Roast"), or in a parenthesis ("(Paperback)"):
those words are its *kind words* (:func:`title_terms`), leaving out the brand's words,
colours, numbers and words that say who a product is for. A kind word implies a category
segment when at least :data:`MIN_PRODUCTS` live products have it and at least
:data:`PURITY` of them sit under that segment: the deepest such segment below a
department (a top-level segment narrows little and would only drop the few products a
department-wide word has elsewhere, such as trading cards filed outside "Toys & Games").
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import numpy as np

from .text import CATEGORY_SEPARATOR, COLOURS, words

MIN_PRODUCTS = 3
PURITY = 0.9
_NOT_KINDS = frozenset(
    " ".join(
        [
            "and the for with from with without set sets pack kit new one two three",
            "men mens men's man women womens women's woman kid kids kid's boy boys girl girls",
            "baby babies toddler adult adults unisex inch inches piece pieces pcs size",
            "small medium large extra mini big",
        ]
    ).split()
)
"""Title words that name no kind of product: who it is for, counts, measures."""
_DIGIT = re.compile(r"\d")
_MAIN = re.compile(r"\s[-–|]\s|,\s|\(")
_PARENS = re.compile(r"\(([^)]*)\)")
KIND_WORDS = 2
"""How many of the last words of a title's main part may name its kind."""


def singular(word: str) -> str:
    """One spelling for a word's singular and plural: "earbuds" -> "earbud", "batteries"
    -> "battery" (the inverse of :func:`retrieval.text.number_forms`)."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def title_terms(title: str, brand: str = "") -> list[str]:
    """The words of `title` that may name its kind of product, singular, once each: the
    last :data:`KIND_WORDS` of its main part (before a " - ", "," or "(") and the words
    in parentheses, leaving out `brand`'s words."""
    main = _MAIN.split(title, maxsplit=1)[0]
    skipped = set(words(brand)) | COLOURS | _NOT_KINDS
    found = [singular(w) for w in words(main) if w not in skipped and not _DIGIT.search(w)]
    found = [w for w in found if len(w) > 2 and w not in skipped][-KIND_WORDS:]
    found += [singular(w) for group in _PARENS.findall(title) for w in words(group)]
    return list(dict.fromkeys(w for w in found if len(w) > 2 and w not in skipped))


def implied_categories(
    terms: Sequence[str],
    term_ids: np.ndarray,
    rows: np.ndarray,
    paths: Sequence[str],
    path_codes: np.ndarray,
) -> dict[str, str]:
    """Term -> the deepest category segment it implies. `term_ids[i]` is a term of the
    title of row `rows[i]` (live rows only); `path_codes[row]` indexes its category path
    in `paths`."""
    if not len(term_ids):
        return {}
    counts = np.bincount(term_ids, minlength=len(terms))
    frequent = np.flatnonzero(counts >= MIN_PRODUCTS)
    keep = np.isin(term_ids, frequent)
    pairs, pair_counts = np.unique(
        term_ids[keep].astype(np.int64) * len(paths) + path_codes[rows[keep]],
        return_counts=True,
    )
    by_term: dict[int, Counter[str]] = defaultdict(Counter)
    for pair, count in zip(pairs.tolist(), pair_counts.tolist(), strict=True):
        term, path = divmod(pair, len(paths))
        for depth, segment in enumerate(_segments(paths[path])):
            if depth:  # below the department
                by_term[term][f"{depth}\t{segment}"] += count
    implied = {}
    for term, segments in by_term.items():
        total = int(counts[term])
        pure = [key for key, count in segments.items() if count >= PURITY * total]
        if pure:
            implied[terms[term]] = max(pure, key=lambda key: int(key.split("\t")[0]))
    return {term: key.split("\t", 1)[1] for term, key in implied.items()}


def _segments(path: str) -> Iterable[str]:
    return (s for s in path.split(CATEGORY_SEPARATOR) if s)
