"""Store policy documents split into sections and retrieved by meaning.

The assistant quotes the best passage verbatim, with the runner-up when the two score
within :data:`TIE_MARGIN` of each other; when no passage is close enough it says the
documents do not cover the question instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.embedder import Embedder

_HEADING = re.compile(r"^(#{1,3})\s+(.*)$")
TIE_MARGIN = 0.03
"""Passages scoring within this of the best answer about as well as it: "how long do I have
to return something?" scores 0.71-0.75 on both the returns policy's opening (30 days) and
its "After we receive your return" section, 0.004-0.012 apart, in an order that differs
between CPUs (int8 kernels) and between int8 and float32 models. Such passages are all
quoted, in the documents' order, so the answer does not hang on which one won."""


@dataclass(frozen=True)
class Passage:
    document: str
    section: str
    text: str

    def to_dict(self) -> dict[str, str]:
        return {"document": self.document, "section": self.section, "text": self.text}


def split_sections(document: str, markdown: str) -> list[Passage]:
    """One passage per `##`/`###` section (the title line and intro count as a section)."""
    passages: list[Passage] = []
    section, lines = document, list[str]()
    for line in markdown.splitlines():
        match = _HEADING.match(line)
        if match:
            if " ".join(lines).strip():
                passages.append(Passage(document, section, "\n".join(lines).strip()))
            section, lines = match.group(2).strip(), []
        else:
            lines.append(line)
    if " ".join(lines).strip():
        passages.append(Passage(document, section, "\n".join(lines).strip()))
    return passages


class PolicyIndex:
    """Dense retrieval over policy sections; small enough for exact search."""

    def __init__(self, passages: list[Passage], embedder: Embedder, min_score: float = 0.35):
        self.passages = passages
        self.embedder = embedder
        self.min_score = min_score
        texts = [f"{p.document}: {p.section}. {p.text}" for p in passages]
        self._vectors = embedder.embed(texts) if passages else np.zeros((0, embedder.dim))

    @classmethod
    def from_folder(cls, folder: Path, embedder: Embedder) -> PolicyIndex:
        passages: list[Passage] = []
        for path in sorted(folder.glob("*.md")) if folder.exists() else []:
            passages += split_sections(path.stem, path.read_text(encoding="utf-8"))
        return cls(passages, embedder)

    def search(self, question: str, k: int = 2) -> list[tuple[Passage, float]]:
        """The best passages scoring at least `min_score` (may be empty): first those within
        `TIE_MARGIN` of the best, in the documents' order, then the rest, best first."""
        if not self.passages or not question.strip():
            return []
        scores = self._vectors @ self.embedder.embed([question])[0]
        order = [int(i) for i in np.argsort(-scores, kind="stable")[:k]]
        order = [i for i in order if scores[i] >= self.min_score]
        if not order:
            return []
        tied = sorted(i for i in order if scores[i] >= scores[order[0]] - TIE_MARGIN)
        rest = [i for i in order if i not in tied]
        return [(self.passages[i], float(scores[i])) for i in tied + rest]


def leading_ties(scores: list[float]) -> int:
    """How many of the passages :meth:`PolicyIndex.search` returned (by their `scores`, in
    its order) answer as well as the best: the ones to quote together."""
    if not scores:
        return 0
    best = max(scores)
    return next((n for n, score in enumerate(scores) if score < best - TIE_MARGIN), len(scores))
