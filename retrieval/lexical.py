"""BM25 keyword search (bm25s) with English stemming (PyStemmer) and stopwords."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN

from .errors import IndexNotBuiltError, RetrievalError

_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_STOPWORDS = frozenset(STOPWORDS_EN)
_PARAMS_FILE = "params.index.json"


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

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every text for ``query``: float32, shape ``(len(self),)``;
        0 for texts sharing no term with it."""
        ids = self._bm25.get_tokens_ids(self._analyze(query))
        if not ids:
            return np.zeros(len(self), dtype=np.float32)
        return np.asarray(self._bm25.get_scores_from_ids(ids), dtype=np.float32)

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
