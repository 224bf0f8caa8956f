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
    """The Lucene variant (as in bm25s): idf = ln(1 + (N - df + .5) / (df + .5)),
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


MORE = ["Skateboard wheels, set of four", "Giant floor puzzle for kids", "Puzzle glue"]


def _same(a: LexicalIndex, b: LexicalIndex, queries: list[str]) -> None:
    for query in queries:
        np.testing.assert_allclose(a.scores(query), b.scores(query), rtol=1e-5, atol=1e-7)


def test_updates_score_as_a_fresh_index_of_the_live_texts(index: LexicalIndex) -> None:
    changed = index.updated(added=MORE, removed=[1, 3])
    assert len(changed) == len(TEXTS) + len(MORE) and len(index) == len(TEXTS)
    # An empty text still counts as a document; a removed one does not.
    fresh = LexicalIndex.build([t for i, t in enumerate(TEXTS + MORE) if i not in (1, 3)])
    queries = ["puzzle", "skateboard wheels", "board game family", "glue", "skatebord"]
    kept = [i for i in range(len(TEXTS) + len(MORE)) if i not in (1, 3)]
    for query in queries:
        np.testing.assert_allclose(changed.scores(query)[kept], fresh.scores(query), rtol=1e-5)
        assert not changed.scores(query)[[1, 3]].any()
    assert changed.search("wooden", 5)[1].tolist() == []  # only in a removed text
    assert index.search("wooden", 5)[1].tolist() == [1]  # the old index is untouched


def test_many_small_updates_merge_segments(tmp_path: Path) -> None:
    grown = LexicalIndex.build(TEXTS)
    for i, text in enumerate(MORE * 4):
        grown = grown.updated(added=[f"{text} {i}"], removed=[i] if i < 3 else [])
    fresh = LexicalIndex.build(TEXTS).updated(
        added=[f"{t} {i}" for i, t in enumerate(MORE * 4)], removed=[0, 1, 2]
    )
    _same(grown, fresh, ["puzzle", "skateboard", "glue 7", "helmet"])
    grown.save(tmp_path / "bm25")
    _same(LexicalIndex.load(tmp_path / "bm25"), grown, ["puzzle", "skateboard", "glue 7"])


def test_a_big_build_is_cut_into_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = TEXTS + MORE * 3
    whole = LexicalIndex.build(texts)
    monkeypatch.setattr("retrieval.lexical._SEGMENT_TEXTS", 2)  # bounds the build's memory
    _same(LexicalIndex.build(texts), whole, ["puzzle", "skateboard", "glue", "helmet pads"])


def test_removing_unknown_positions_fails(index: LexicalIndex) -> None:
    with pytest.raises(IndexError):
        index.updated(removed=[len(TEXTS)])
