"""Offline search evaluation against graded relevance judgments: nDCG@k, Recall@50, MRR
(the graded metrics of :mod:`retrieval.metrics`) and the share of top-k results that break
a constraint the query states, per ranker."""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import RetrievalError
from .filters import Filters
from .metrics import RELEVANT, ndcg, recall, reciprocal_rank
from .search import MODES, Mode, SearchEngine, SearchResult

RECALL_DEPTH = 50


@dataclass
class JudgedQuery:
    """One query of a judged set, with graded products."""

    query_id: str
    query: str
    kind: str = "keyword"
    """keyword, natural, constraint, typo, synonym or not_carried."""
    constraints: dict[str, Any] = field(default_factory=dict)
    """The hard constraints the query states, as :class:`Filters` fields."""
    judgments: dict[str, int] = field(default_factory=dict)
    """Product id -> grade 0-3; products not listed count as 0."""

    @property
    def filters(self) -> Filters:
        return Filters(**self.constraints)


def load_judged(path: Path) -> list[JudgedQuery]:
    """Read a judged set: JSON lines with the fields of :class:`JudgedQuery`."""
    queries = []
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    data = json.loads(line)
                    unknown = sorted(set(data) - {f.name for f in dataclasses.fields(JudgedQuery)})
                    if unknown:
                        raise RetrievalError(f"{path}:{number}: unknown fields {unknown}")
                    try:
                        queries.append(JudgedQuery(**data))
                    except TypeError as exc:
                        raise RetrievalError(f"{path}:{number}: missing fields ({exc})") from exc
    except (OSError, ValueError) as exc:
        raise RetrievalError(f"cannot read judged queries from {path}: {exc}") from exc
    return queries


def _has_relevant(query: JudgedQuery) -> bool:
    return any(g >= RELEVANT for g in query.judgments.values())


def evaluate(
    engine: SearchEngine,
    queries: Sequence[JudgedQuery],
    k: int = 10,
    *,
    modes: Iterable[Mode] = MODES,
) -> dict[str, dict[str, Any]]:
    """Metrics of each ranker (``"bm25"``, ``"dense"``, ``"hybrid"``) on ``queries``.

    Each query is searched as a shopper would type it (filters in its text understood),
    for the top :data:`RECALL_DEPTH`. Per mode: ``ndcg`` (@k), ``recall`` (@50), ``mrr``
    (means over queries with a relevant product), ``violations`` (share of all top-k hits
    that break the query's stated ``constraints``), ``no_good_match`` (share of queries
    answered as not carried: flagged as having no good match, or with a constraint no
    product meets, such as a brand the store lacks; for ``not_carried`` queries and for
    the rest),
    ``queries`` and ``by_kind`` (the same means per query kind).
    """
    report: dict[str, dict[str, Any]] = {}
    depth = max(k, RECALL_DEPTH)
    for mode in modes:
        results = engine.search_batch([q.query for q in queries], k=depth, mode=mode)
        report[mode] = _summarise(queries, results, k)
    return report


def _summarise(
    queries: Sequence[JudgedQuery], results: Sequence[SearchResult], k: int
) -> dict[str, Any]:
    per_kind: dict[str, list[dict[str, float]]] = defaultdict(list)
    scored: list[dict[str, float]] = []
    hits_checked = broken = 0
    flagged = {"not_carried": [0, 0], "carried": [0, 0]}
    for query, result in zip(queries, results, strict=True):
        ranked = [hit.product.id for hit in result.hits]
        constraints = query.filters
        top = result.hits[:k]
        hits_checked += len(top)
        broken += sum(not constraints.matches(hit.product) for hit in top)
        bucket = flagged["not_carried" if query.kind == "not_carried" else "carried"]
        bucket[0] += int(result.no_good_match or bool(result.unmet))
        bucket[1] += 1
        if not _has_relevant(query):
            continue
        row = {
            "ndcg": ndcg(ranked, query.judgments, k),
            "recall": recall(ranked, query.judgments, RECALL_DEPTH),
            "mrr": reciprocal_rank(ranked, query.judgments),
        }
        scored.append(row)
        per_kind[query.kind].append(row)
    summary: dict[str, Any] = _means(scored)
    summary["violations"] = broken / hits_checked if hits_checked else 0.0
    summary["no_good_match"] = {
        name: (count / total if total else 0.0) for name, (count, total) in flagged.items()
    }
    summary["queries"] = len(scored)
    summary["by_kind"] = {kind: _means(rows) for kind, rows in sorted(per_kind.items())}
    return summary


def _means(rows: Sequence[Mapping[str, float]]) -> dict[str, Any]:
    if not rows:
        return {"ndcg": 0.0, "recall": 0.0, "mrr": 0.0, "queries": 0}
    means: dict[str, Any] = {
        name: sum(row[name] for row in rows) / len(rows) for name in ("ndcg", "recall", "mrr")
    }
    means["queries"] = len(rows)
    return means
