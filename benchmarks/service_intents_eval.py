"""Customer-service intents on messages written outside the project, with the order numbers,
amounts, emails and dates real shoppers type; writes the "service-intents" section of
docs/benchmarks.md.

    python -m benchmarks.service_intents_eval [--no-write]

`benchmarks/data/service_messages.jsonl` was written by a helper who had read neither the
intent model nor its training examples, split into dev and test by style and wording. The
model is the one every store gets (`shopassist nlu train` with the built-in examples,
linear head on MiniLM), so the numbers are the product's.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.report import machine, write_section

ROOT = Path(__file__).resolve().parents[1]
MESSAGES = ROOT / "benchmarks" / "data" / "service_messages.jsonl"
NEAR = {
    "refunds": {"get_refund", "track_refund", "check_refund_policy"},
    "delivery": {"delivery_options", "delivery_period"},
    "order changes": {"change_order", "change_shipping_address", "cancel_order"},
    "contact": {"contact_customer_service", "contact_human_agent"},
    "invoices": {"get_invoice", "check_invoices"},
}


def score(rows: list[dict[str, Any]], predicted: list[str]) -> dict[str, Any]:
    right = [row["intent"] == intent for row, intent in zip(rows, predicted, strict=True)]
    groups = {}
    for name, intents in NEAR.items():
        inside = [ok for row, ok in zip(rows, right, strict=True) if row["intent"] in intents]
        groups[name] = sum(inside) / max(len(inside), 1)
    confused = Counter(
        f"{row['intent']} -> {intent}"
        for row, intent in zip(rows, predicted, strict=True)
        if row["intent"] != intent
    )
    return {
        "messages": len(rows),
        "accuracy": sum(right) / len(rows),
        "near_groups": groups,
        "confusions": confused.most_common(8),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    from assistant.nlu.intents import IntentModel, builtin_examples
    from assistant.shop import set_threads
    from retrieval.embedder import get_embedder

    set_threads(2)
    model = IntentModel.train(builtin_examples(), get_embedder("minilm", threads=2))
    rows = [json.loads(line) for line in MESSAGES.read_text().splitlines() if line.strip()]
    results = {}
    for split in ("dev", "test"):
        chosen = [row for row in rows if row["split"] == split]
        predicted = [p.intent for p in model.predict([row["text"] for row in chosen])]
        results[split] = score(chosen, predicted)
    print(json.dumps(results, indent=2))
    lines = [
        "## Customer-service intents",
        "",
        f"`python -m benchmarks.service_intents_eval` — {machine()}.",
        "",
        "`benchmarks/data/service_messages.jsonl`: messages to the shop's chat for the 27 "
        "customer-service intents, with real order numbers, amounts, emails and dates, "
        "written by a helper who had read neither the model nor its training examples, "
        "split by style and wording. The built-in model (linear head on MiniLM), as "
        "`shopassist nlu train` gives every store; order numbers, amounts, emails and dates "
        "are put in the same words before classification (`nlu.entities.generic_entities`).",
        "",
        "| split | messages | accuracy | "
        + " | ".join(f"{name} (near intents)" for name in NEAR)
        + " |",
        "|---|---|---|" + "---|" * len(NEAR),
    ]
    for split, r in results.items():
        groups = " | ".join(f"{r['near_groups'][name]:.1%}" for name in NEAR)
        lines.append(f"| {split} | {r['messages']} | {r['accuracy']:.1%} | {groups} |")
    lines += [
        "",
        "Most frequent confusions on test: "
        + "; ".join(f"{pair} ({n})" for pair, n in results["test"]["confusions"])
        + ".",
    ]
    if not args.no_write:
        write_section("service-intents", "\n".join(lines))


if __name__ == "__main__":
    main()
