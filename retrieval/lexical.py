"""BM25 keyword search with English stemming (PyStemmer) and stopwords, common shopping
synonyms, and typo tolerance: a query word the index has never seen is replaced by the
most frequent indexed word one edit away (a deleted, inserted, changed or swapped
letter), so "dinosuar", "skatebord" and "legoo" still match.

The index takes additions and removals without a rebuild, the way Lucene does: added
texts form a new segment of postings (merged into one when there are too many), removed
ones leave their postings but drop out of the statistics and the results, so scores are
exactly those of a fresh index over the live texts."""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import Stemmer

from .errors import IndexNotBuiltError, RetrievalError
from .text import deletions, one_edit_apart

_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_KNOWN_SLIP = 6
"""A word this long or longer one typing slip from an indexed word is a misspelling of it."""
# fmt: off
_STOPWORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is",
    "it", "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there",
    "these", "they", "this", "to", "was", "will", "with",
})
# fmt: on
"""Lucene's English stopwords."""
_ARRAYS_FILE = "postings.npz"
_PARAMS_FILE = "params.json"
_FORMAT = 2
_MAX_SEGMENTS = 8
"""More segments than this after an addition are merged into one."""
_SEGMENT_TEXTS = 1 << 16
"""Texts per segment when many are added at once, so that building never holds more
than this many texts' token arrays."""
_MAX_COUNT = np.iinfo(np.uint16).max
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


@dataclass(frozen=True)
class _Segment:
    """Postings of some texts, by term: the documents (positions) holding term ``t`` are
    ``documents[starts[t]:starts[t + 1]]`` (increasing) with their term counts in
    ``counts`` (uint16, capped: six bytes a posting). Terms added to the vocabulary after
    the segment was made have no postings in it."""

    starts: np.ndarray
    documents: np.ndarray
    counts: np.ndarray

    @classmethod
    def of(cls, documents: list[np.ndarray], first: int, terms: int) -> _Segment:
        """The segment of ``documents`` (each an array of term ids), the first of which
        is at position ``first``, over a vocabulary of ``terms`` terms."""
        if documents:
            term_ids = np.concatenate(documents)
            positions = np.repeat(
                np.arange(first, first + len(documents), dtype=np.int64),
                [len(d) for d in documents],
            )
        else:
            term_ids = positions = np.empty(0, dtype=np.int64)
        # One entry per (term, document), counting repeats.
        pairs, counts = np.unique(
            term_ids * (first + len(documents)) + positions, return_counts=True
        )
        terms_of, documents_of = np.divmod(pairs, first + len(documents))
        starts = np.searchsorted(terms_of, np.arange(terms + 1))
        counts = np.minimum(counts, _MAX_COUNT).astype(np.uint16)
        return cls(starts, documents_of.astype(np.int32), counts)

    def document_frequency(self, terms: int, chosen: np.ndarray | None = None) -> np.ndarray:
        """How many documents hold each of ``terms`` terms: all of the segment's, or
        only those where the boolean array ``chosen`` (by position) is True. One gather
        over the postings: no sorting, however many documents are chosen."""
        if chosen is None:
            frequency = np.zeros(terms, dtype=np.int64)
            frequency[: len(self.starts) - 1] = np.diff(self.starts)
            return frequency
        hits = np.flatnonzero(chosen[self.documents])
        term_of = np.searchsorted(self.starts, hits, side="right") - 1
        return np.bincount(term_of, minlength=terms)

    def postings(self, term: int) -> tuple[np.ndarray, np.ndarray]:
        if term + 1 >= len(self.starts):
            return self.documents[:0], self.counts[:0]
        start, end = self.starts[term], self.starts[term + 1]
        return self.documents[start:end], self.counts[start:end]


class LexicalIndex:
    """BM25 (Lucene variant: ``idf = ln(1 + (N - df + 0.5) / (df + 0.5))``, term part
    ``tf / (tf + k1 * (1 - b + b * length / average length))``) over texts addressed by
    position. :meth:`updated` returns a new index with texts added and removed; the old
    one stays valid, so searches never see a half-made change."""

    def __init__(
        self,
        vocabulary: dict[str, int],
        segments: list[_Segment],
        lengths: np.ndarray,
        removed: np.ndarray,
        *,
        k1: float = 1.5,
        b: float = 0.75,
        neighbours: dict[str, list[str]] | None = None,
        document_frequency: np.ndarray | None = None,
    ) -> None:
        self._vocabulary = vocabulary
        self._segments = segments
        self._lengths = lengths
        self._removed = removed
        self.k1, self.b = k1, b
        self._analyze = _Analyzer()
        if neighbours is not None:
            self.__dict__["_neighbours"] = neighbours
        live = ~removed
        self._live_count = int(live.sum())
        self._average_length = float(lengths[live].mean()) if self._live_count else 0.0
        if document_frequency is None:
            document_frequency = np.zeros(len(vocabulary), dtype=np.int64)
            for segment in segments:
                document_frequency += segment.document_frequency(len(vocabulary))
            if removed.any():
                document_frequency -= self._frequency_at(np.flatnonzero(removed), len(vocabulary))
        self._document_frequency = document_frequency

    @classmethod
    def build(cls, texts: Sequence[str], *, k1: float = 1.5, b: float = 0.75) -> LexicalIndex:
        empty = cls({}, [], np.empty(0, dtype=np.float32), np.empty(0, dtype=bool), k1=k1, b=b)
        return empty.updated(added=texts)

    def __len__(self) -> int:
        return len(self._lengths)

    def updated(
        self, *, added: Sequence[str] = (), removed: Sequence[int] | np.ndarray = ()
    ) -> LexicalIndex:
        """A new index with ``added`` texts appended (at positions ``len(self)`` on) and
        the texts at ``removed`` positions taken out (they keep their positions, which
        then match nothing). Costs time in the size of the change, plus a merge of all
        segments now and then."""
        vocabulary = dict(self._vocabulary)
        new_terms: list[str] = []
        segments = list(self._segments)
        lengths = [self._lengths]
        first = len(self)
        for start in range(0, len(added), _SEGMENT_TEXTS):
            documents = []
            for text in added[start : start + _SEGMENT_TEXTS]:
                tokens = self._analyze(text)
                for token in tokens:
                    if token not in vocabulary:
                        vocabulary[token] = len(vocabulary)
                        new_terms.append(token)
                documents.append(np.array([vocabulary[t] for t in tokens], dtype=np.int64))
            segments.append(_Segment.of(documents, first, len(vocabulary)))
            lengths.append(np.array([len(d) for d in documents], dtype=np.float32))
            first += len(documents)
        terms = len(vocabulary)
        frequency = np.zeros(terms, dtype=np.int64)
        frequency[: len(self._vocabulary)] = self._document_frequency
        for segment in segments[len(self._segments) :]:
            frequency += segment.document_frequency(terms)
        gone = np.concatenate([self._removed, np.zeros(first - len(self), dtype=bool)])
        newly_removed = np.setdiff1d(np.asarray(removed, dtype=np.int64), np.flatnonzero(gone))
        if len(newly_removed):
            if newly_removed.min() < 0 or newly_removed.max() >= len(self):
                raise IndexError("removed positions must be in the index")
            frequency -= self._frequency_at(newly_removed, terms)
            gone[newly_removed] = True
        if len(segments) > _MAX_SEGMENTS:
            segments = [_merged(segments, terms)]
        neighbours = None
        if "_neighbours" in self.__dict__:
            neighbours = dict(self._neighbours)
            for term in new_terms:
                _add_neighbour(neighbours, term, copy=True)
        return LexicalIndex(
            vocabulary,
            segments,
            np.concatenate(lengths),
            gone,
            k1=self.k1,
            b=self.b,
            neighbours=neighbours,
            document_frequency=frequency,
        )

    def _frequency_at(self, positions: np.ndarray, terms: int) -> np.ndarray:
        """Per term, how many of the documents at ``positions`` hold it."""
        chosen = np.zeros(len(self), dtype=bool)
        chosen[positions] = True
        frequency = np.zeros(terms, dtype=np.int64)
        for segment in self._segments:
            frequency += segment.document_frequency(terms, chosen)
        return frequency

    def scores(self, query: str, *, fuzzy: bool = True) -> np.ndarray:
        """BM25 score of every text for ``query``: float32, shape ``(len(self),)``;
        0 for texts sharing no term with it and for removed ones. With ``fuzzy``,
        synonyms are added and unknown words replaced by their closest indexed word
        (see the module doc)."""
        if fuzzy:
            query = expand_synonyms(query)
        tokens = self._analyze(query)
        if fuzzy:
            tokens = [self.correct(token) for token in tokens]
        scores = np.zeros(len(self), dtype=np.float32)
        terms = [self._vocabulary[t] for t in dict.fromkeys(tokens) if t in self._vocabulary]
        if not terms:
            return scores
        live, k1, b = self._live_count, self.k1, self.b
        average = max(self._average_length, 1e-9)
        for term in terms:
            df = self._document_frequency[term]
            idf = math.log(1 + (live - df + 0.5) / (df + 0.5))
            for segment in self._segments:
                documents, counts = segment.postings(term)
                norm = k1 * (1 - b + b * self._lengths[documents] / average)
                scores[documents] += idf * counts / (counts + norm)
        if live < len(self):
            scores[self._removed] = 0.0
        return scores

    def coverage(self, query: str, positions: np.ndarray) -> np.ndarray:
        """For each text at ``positions``, the share of ``query``'s words (weighted by
        IDF; typos corrected) that it contains: 1.0 when it has them all. Words the
        index has never seen count as missing everywhere."""
        tokens = list(dict.fromkeys(self.correct(t) for t in self._analyze(query)))
        covered = np.zeros(len(positions), dtype=np.float64)
        if not tokens:
            return covered
        weights = []
        for token in tokens:
            term = self._vocabulary.get(token)
            df = 0 if term is None else int(self._document_frequency[term])
            weight = math.log(1 + (self._live_count - df + 0.5) / (df + 0.5))
            weights.append(weight)
            if term is not None:
                for segment in self._segments:
                    covered += weight * _contains(segment.postings(term)[0], positions)
        return covered / sum(weights)

    def knows(self, word: str) -> bool:
        """Whether some indexed text has ``word`` (stemmed), or, for a long word, one
        typing slip from it ("cancleing"), or it is a stopword. A short word one slip from
        an indexed one is not known: "sony" is not "son"."""
        vocabulary, long = self._vocabulary, len(word) >= _KNOWN_SLIP
        return all(
            token in vocabulary or (long and self.correct(token) in vocabulary)
            for token in self._analyze(word)
        )

    def correct(self, token: str) -> str:
        """``token`` if indexed, else the most frequent indexed token one edit away
        (``token`` itself when there is none)."""
        vocabulary = self._vocabulary
        if token in vocabulary or len(token) < _MIN_FUZZY:
            return token
        best, best_df = token, 0
        for key in {token, *deletions(token)}:
            for candidate in self._neighbours.get(key, ()):
                df = int(self._document_frequency[vocabulary[candidate]])
                if df > best_df and one_edit_apart(token, candidate):
                    best, best_df = candidate, df
        return best

    @cached_property
    def _neighbours(self) -> dict[str, list[str]]:
        """Each indexed token and each of its one-letter deletions -> the tokens."""
        index: dict[str, list[str]] = {}
        for token in self._vocabulary:
            _add_neighbour(index, token, copy=False)
        return index

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
        """Write the index files into ``directory`` (its segments merged into one)."""
        directory.mkdir(parents=True, exist_ok=True)
        segment = _merged(self._segments, len(self._vocabulary))
        np.savez(
            directory / _ARRAYS_FILE,
            starts=segment.starts,
            documents=segment.documents,
            counts=segment.counts,
            lengths=self._lengths,
            removed=self._removed,
        )
        params = {
            "format": _FORMAT,
            "k1": self.k1,
            "b": self.b,
            "vocabulary": list(self._vocabulary),
        }
        (directory / _PARAMS_FILE).write_text(json.dumps(params), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        """Read an index written by :meth:`save`."""
        if not (directory / _PARAMS_FILE).exists():
            raise IndexNotBuiltError(f"no lexical index in {directory}")
        try:
            params = json.loads((directory / _PARAMS_FILE).read_text(encoding="utf-8"))
            if params.get("format") != _FORMAT:
                raise ValueError("unknown format; rebuild the index")
            with np.load(directory / _ARRAYS_FILE) as arrays:
                segment = _Segment(arrays["starts"], arrays["documents"], arrays["counts"])
                lengths, removed = arrays["lengths"], arrays["removed"]
        except (OSError, ValueError, KeyError) as exc:
            raise RetrievalError(f"cannot read the lexical index in {directory}: {exc}") from exc
        vocabulary = {term: i for i, term in enumerate(params["vocabulary"])}
        return cls(vocabulary, [segment], lengths, removed, k1=params["k1"], b=params["b"])


def _contains(documents: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """For each of ``positions``, whether the sorted ``documents`` hold it (a binary
    search each: far cheaper than ``np.isin`` when a few positions meet long postings)."""
    found = np.searchsorted(documents, positions)
    inside = found < len(documents)
    found[~inside] = 0
    return inside & (documents[found] == positions) if len(documents) else inside


def _merged(segments: list[_Segment], terms: int) -> _Segment:
    """One segment holding the postings of all ``segments`` (which cover disjoint,
    increasing positions), over a vocabulary of ``terms`` terms."""
    starts = np.zeros(terms + 1, dtype=np.int64)
    for segment in segments:
        sizes = np.diff(segment.starts)
        starts[1 : len(sizes) + 1] += sizes
    np.cumsum(starts, out=starts)
    documents = np.empty(starts[-1], dtype=np.int32)
    counts = np.empty(starts[-1], dtype=np.uint16)
    filled = starts[:-1].copy()
    for segment in segments:
        sizes = np.diff(segment.starts)
        term_of = np.repeat(np.arange(len(sizes)), sizes)
        offsets = np.arange(len(term_of)) - segment.starts[term_of]
        where = filled[term_of] + offsets
        documents[where] = segment.documents
        counts[where] = segment.counts
        filled[: len(sizes)] += sizes
    return _Segment(starts, documents, counts)


def _add_neighbour(index: dict[str, list[str]], token: str, *, copy: bool) -> None:
    """Index ``token`` under itself and its one-letter deletions; with ``copy``, lists
    are replaced rather than appended to (they may be shared with another index)."""
    if len(token) < _MIN_FUZZY - 1:
        return
    for key in {token, *deletions(token)}:
        if copy:
            index[key] = [*index.get(key, ()), token]
        else:
            index.setdefault(key, []).append(token)
