from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval.errors import RetrievalError
from retrieval.evaluation import JudgedQuery, evaluate, load_judged
from retrieval.search import SearchEngine

DEV_SET = Path(__file__).resolve().parents[2] / "benchmarks/data/search_dev.jsonl"


def test_evaluate_reports_every_ranker(engine: SearchEngine) -> None:
    queries = [
        JudgedQuery("q1", "fire station", "keyword", {}, {"lego-fire": 3, "lego-police": 1}),
        JudgedQuery("q2", "puzzle under $20", "constraint", {"price_max": 20},
                    {"puzzle-night": 3, "puzzle-farm": 3, "puzzle-eiffel": 0}),
        JudgedQuery("q3", "laptop charger", "not_carried", {}, {}),
    ]  # fmt: skip
    report = evaluate(engine, queries)
    assert set(report) == {"bm25", "dense", "hybrid"}
    hybrid = report["hybrid"]
    assert hybrid["queries"] == 2 and hybrid["mrr"] == 1.0 and hybrid["violations"] == 0.0
    assert set(hybrid["by_kind"]) == {"keyword", "constraint"}
    assert hybrid["no_good_match"]["not_carried"] == 1.0


def test_the_judged_dev_set_is_well_formed() -> None:
    queries = load_judged(DEV_SET)
    assert len(queries) >= 60
    kinds = {q.kind for q in queries}
    assert kinds == {"keyword", "natural", "constraint", "typo", "synonym", "not_carried"}
    assert len({q.query_id for q in queries}) == len(queries)
    for query in queries:
        assert set(query.judgments.values()) <= {0, 1, 2, 3}
        query.filters  # noqa: B018 - constraints are valid Filters fields
        assert query.kind == "not_carried" or max(query.judgments.values()) >= 2


def test_load_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"query_id": "x", "query": "y", "oops": 1}) + "\n")
    with pytest.raises(RetrievalError, match=r"bad.jsonl:1: unknown fields \['oops'\]"):
        load_judged(bad)
    with pytest.raises(RetrievalError):
        load_judged(tmp_path / "missing.jsonl")
