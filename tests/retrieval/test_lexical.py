from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from retrieval.errors import IndexNotBuiltError
from retrieval.lexical import LexicalIndex

TEXTS = [
    "Bamboo longboard skateboard for cruising",
    "Wooden jigsaw puzzle with 1000 pieces",
    "Kids puzzles: farm animals peg puzzle",
    "Classic board game for the whole family",
    "",
    "Skateboard helmet and knee pads",
]


@pytest.fixture(scope="module")
def index() -> LexicalIndex:
    return LexicalIndex.build(TEXTS)


def test_finds_exact_keyword(index: LexicalIndex) -> None:
    scores, positions = index.search("longboard", 3)
    assert positions.tolist() == [0]
    assert scores[0] > 0


def test_stems_and_ranks(index: LexicalIndex) -> None:
    _, positions = index.search("Puzzles", 10)
    assert positions.tolist() == [2, 1]  # two mentions beat one
    assert set(index.search("skateboarding", 10)[1].tolist()) == {0, 5}


def test_no_match_gives_nothing(index: LexicalIndex) -> None:
    for query in ["unicorn", "the and for", ""]:
        scores, positions = index.search(query, 5)
        assert len(scores) == len(positions) == 0
    assert not index.scores("unicorn").any()


def test_scores_match_lucene_bm25_reference(index: LexicalIndex) -> None:
    """bm25s' Lucene variant: idf = ln(1 + (N - df + .5) / (df + .5)),
    tf part = tf / (tf + k1 * (1 - b + b * len / avglen)), on stemmed, stopword-free tokens."""
    docs = [
        ["bamboo", "longboard", "skateboard", "cruis"],
        ["wooden", "jigsaw", "puzzl", "1000", "piec"],
        ["kid", "puzzl", "farm", "anim", "peg", "puzzl"],
        ["classic", "board", "game", "whole", "famili"],
        [],
        ["skateboard", "helmet", "knee", "pad"],
    ]
    k1, b = 1.5, 0.75
    avg = sum(map(len, docs)) / len(docs)

    def bm25(term: str, doc: list[str]) -> float:
        df = sum(term in d for d in docs)
        idf = math.log(1 + (len(docs) - df + 0.5) / (df + 0.5))
        tf = doc.count(term)
        return idf * tf / (tf + k1 * (1 - b + b * len(doc) / avg))

    want = [bm25("puzzl", d) + bm25("skateboard", d) for d in docs]
    np.testing.assert_allclose(index.scores("puzzle skateboards"), want, rtol=1e-5)


def test_round_trip(index: LexicalIndex, tmp_path: Path) -> None:
    index.save(tmp_path / "bm25")
    loaded = LexicalIndex.load(tmp_path / "bm25")
    assert len(loaded) == len(TEXTS)
    np.testing.assert_array_equal(loaded.scores("wooden puzzle"), index.scores("wooden puzzle"))
    with pytest.raises(IndexNotBuiltError):
        LexicalIndex.load(tmp_path / "missing")
