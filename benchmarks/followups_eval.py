"""Follow-ups in product search, on conversations written outside the project: what a
follow-up keeps, replaces or relaxes, "cheaper", switching topic, corrections; writes the
"follow-ups" section of docs/benchmarks.md.

    python -m benchmarks.followups_eval [--split dev|test|all] [--no-write]

`benchmarks/data/conversations_followups.jsonl` was written by a helper who had not read
the understanding code, each conversation checked against the demo catalog and put in a
dev or test split by wording family (no follow-up phrasing appears in both). The local
tier answers every turn on a scratch copy of the demo store (`shopassist eval chat`).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.report import machine, write_section
from benchmarks.understanding_eval import conversations

ROOT = Path(__file__).resolve().parents[1]
FOLLOWUPS = ROOT / "benchmarks" / "data" / "conversations_followups.jsonl"


def render(results: dict[str, dict[str, Any]]) -> str:
    lines = [
        "## Follow-ups",
        "",
        f"`python -m benchmarks.followups_eval` — {machine()}.",
        "",
        "`benchmarks/data/conversations_followups.jsonl`: conversations about what a "
        'follow-up keeps, replaces or relaxes ("in blue instead", "make that 30", '
        '"forget the budget", "anything cheaper?", a new topic, "not L, XL"), written by a '
        "helper who had not read the understanding code, split into dev and test by "
        "wording. Tuned on dev; test reported once. Local tier.",
        "",
        "| split | conversations / turns | task success | filter accuracy | ungrounded-claim "
        "rate | turn latency p50 / p99 (ms) |",
        "|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['conversations']} / {r['turns']} | {r['task_success']:.3f} | "
            f"{r['filter_accuracy']:.3f} | {r['ungrounded_claim_rate']:.3f} | "
            f"{r['latency_ms_p50']} / {r['latency_ms_p99']} |"
        )
    failures = [f for r in results.values() for f in r["failures"]]
    if failures:
        lines += ["", "What still fails:", ""]
        lines += [f"- `{f['id']}`: {'; '.join(f['problems'])}" for f in failures]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "test", "all"), default="all")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    splits = ("dev", "test") if args.split == "all" else (args.split,)
    with tempfile.TemporaryDirectory(prefix="shopassist-followups-") as tmp:
        results = {split: conversations(Path(tmp) / "home", FOLLOWUPS, split) for split in splits}
    for name, result in results.items():
        print(name, json.dumps({k: v for k, v in result.items() if k != "failures"}))
        for failure in result["failures"]:
            print("   ", failure)
    markdown = render(results)
    if not args.no_write and args.split == "all":
        write_section("follow-ups", markdown)


if __name__ == "__main__":
    main()
