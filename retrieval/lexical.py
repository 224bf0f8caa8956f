"""BM25 keyword search (bm25s) with English stemming (PyStemmer) and stopwords, common
shopping synonyms, and typo tolerance: a query word the index has never seen is replaced
by the most frequent indexed word one edit away (a deleted, inserted, changed or swapped
letter), so "dinosuar", "skatebord" and "legoo" still match."""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN

from .errors import IndexNotBuiltError, RetrievalError

_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_STOPWORDS = frozenset(STOPWORDS_EN)
_PARAMS_FILE = "params.index.json"
_MIN_FUZZY = 4
"""Words shorter than this are never corrected (too many neighbours)."""

# Query words and phrases -> words added to the query: spelling variants and everyday
# names for what catalogs call otherwise. Kept small and general on purpose.
# fmt: off
SYNONYMS: dict[str, str] = {
    "colouring": "coloring colored", "colour": "color", "colours": "colors",
    "grey": "gray", "gray": "grey", "favourite": "favorite", "jewellery": "jewelry",
    "bicycle": "bike", "bicycles": "bikes", "bike": "bicycle",
    "rollerblades": "inline skates", "rollerblade": "inline skate",
    "teddy": "bear plush", "soft toy": "plush stuffed", "cuddly toy": "plush stuffed",
    "stuffed animal": "plush", "plushie": "plush", "fancy dress": "costume",
    "dress up": "costume", "doll house": "dollhouse", "dollhouse": "doll house",
    "building blocks": "building bricks construction", "blocks": "bricks",
    "trainers": "sneakers", "sneakers": "trainers", "nappy": "diaper", "nappies": "diapers",
    "pram": "stroller", "buggy": "stroller", "jigsaw": "puzzle", "tee": "t-shirt",
    "tshirt": "t-shirt", "kids": "children", "children": "kids", "toddler": "baby",
}
# fmt: on
_SYNONYM_PATTERN = re.compile(
    r"\b(" + "|".join(re.escape(k) for k in sorted(SYNONYMS, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)


def expand_synonyms(text: str) -> str:
    """``text`` followed by the synonyms of the words and phrases it contains."""
    extra = [SYNONYMS[m.casefold()] for m in _SYNONYM_PATTERN.findall(text)]
    return " ".join([text, *extra]) if extra else text


class _Analyzer:
    """Lower-case words of two or more characters, stopwords removed, stemmed."""

    def __init__(self) -> None:
        self._stemmer = Stemmer.Stemmer("english")
        self._lock = threading.Lock()  # PyStemmer objects are not thread-safe

    def __call__(self, text: str) -> list[str]:
        tokens = [token for token in _TOKEN.findall(text.lower()) if token not in _STOPWORDS]
        with self._lock:
            stems: list[str] = self._stemmer.stemWords(tokens)
        return stems


class LexicalIndex:
    """BM25 (Lucene variant) over a fixed list of texts, addressed by position."""

    def __init__(self, bm25: bm25s.BM25) -> None:
        self._bm25 = bm25
        self._analyze = _Analyzer()

    @classmethod
    def build(cls, texts: Sequence[str], *, k1: float = 1.5, b: float = 0.75) -> LexicalIndex:
        analyze = _Analyzer()
        bm25 = bm25s.BM25(k1=k1, b=b)
        bm25.index([analyze(text) for text in texts], show_progress=False)
        return cls(bm25)

    def __len__(self) -> int:
        return int(self._bm25.scores["num_docs"])

    def scores(self, query: str, *, fuzzy: bool = True) -> np.ndarray:
        """BM25 score of every text for ``query``: float32, shape ``(len(self),)``;
        0 for texts sharing no term with it. With ``fuzzy``, synonyms are added and
        unknown words replaced by their closest indexed word (see the module doc)."""
        if fuzzy:
            query = expand_synonyms(query)
        tokens = self._analyze(query)
        if fuzzy:
            tokens = [self.correct(token) for token in tokens]
        ids = list(dict.fromkeys(self._bm25.get_tokens_ids(tokens)))
        if not ids:
            return np.zeros(len(self), dtype=np.float32)
        return np.asarray(self._bm25.get_scores_from_ids(ids), dtype=np.float32)

    def coverage(self, query: str, positions: np.ndarray) -> np.ndarray:
        """For each text at ``positions``, the share of ``query``'s words (weighted by
        IDF; synonyms added, typos corrected) that it contains: 1.0 when it has them
        all. Words the index has never seen count as missing everywhere."""
        tokens = list(dict.fromkeys(self.correct(t) for t in self._analyze(query)))
        covered = np.zeros(len(positions), dtype=np.float64)
        if not tokens:
            return covered
        vocab, indptr = self._bm25.vocab_dict, np.asarray(self._bm25.scores["indptr"])
        indices = np.asarray(self._bm25.scores["indices"])
        size = len(self)
        weights = []
        for token in tokens:
            column = vocab.get(token)
            df = 0 if column is None else int(self._document_frequency[column])
            weight = math.log(1 + (size - df + 0.5) / (df + 0.5))
            weights.append(weight)
            if column is not None:
                docs = indices[indptr[column] : indptr[column + 1]]
                covered += weight * np.isin(positions, docs)
        return covered / sum(weights)

    def correct(self, token: str) -> str:
        """``token`` if indexed, else the most frequent indexed token one edit away
        (``token`` itself when there is none)."""
        vocab = self._bm25.vocab_dict
        if token in vocab or len(token) < _MIN_FUZZY:
            return token
        best, best_df = token, 0
        for key in {token, *_deletes(token)}:
            for candidate in self._neighbours.get(key, ()):
                df = int(self._document_frequency[vocab[candidate]])
                if df > best_df and _one_edit(token, candidate):
                    best, best_df = candidate, df
        return best

    @cached_property
    def _neighbours(self) -> dict[str, list[str]]:
        """Each indexed token and each of its one-letter deletions -> the tokens."""
        index: dict[str, list[str]] = {}
        for token in self._bm25.vocab_dict:
            if len(token) >= _MIN_FUZZY - 1:
                for key in {token, *_deletes(token)}:
                    index.setdefault(key, []).append(token)
        return index

    @cached_property
    def _document_frequency(self) -> np.ndarray:
        indptr = np.asarray(self._bm25.scores["indptr"])
        return np.diff(indptr)

    def search(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The up to ``k`` best-scoring texts that share a term with ``query``:
        ``(scores, positions)``, best first (ties: lower position first)."""
        if k < 1:
            raise ValueError("k must be at least 1")
        scores = self.scores(query)
        matching = np.flatnonzero(scores > 0)
        order = np.argsort(-scores[matching], kind="stable")[:k]
        positions = matching[order]
        return scores[positions], positions

    def save(self, directory: Path) -> None:
        """Write the index files into ``directory``."""
        self._bm25.save(str(directory), show_progress=False)

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        """Read an index written by :meth:`save`."""
        if not (directory / _PARAMS_FILE).exists():
            raise IndexNotBuiltError(f"no lexical index in {directory}")
        try:
            bm25 = bm25s.BM25.load(str(directory), show_progress=False)
        except (OSError, ValueError, KeyError) as exc:
            raise RetrievalError(f"cannot read the lexical index in {directory}: {exc}") from exc
        return cls(bm25)


def _deletes(token: str) -> set[str]:
    return {token[:i] + token[i + 1 :] for i in range(len(token))}


def _one_edit(a: str, b: str) -> bool:
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
