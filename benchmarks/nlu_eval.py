"""Evaluate the intent model on every NLU protocol and write the "nlu" section of
docs/benchmarks.md.

    OMP_WAIT_POLICY=PASSIVE python -m benchmarks.nlu_eval [--methods finetune linear]
        [--protocols ...] [--data ../shared/data] [--threads 2]

Results are also kept as JSON (`--out`), so a run can be resumed protocol by protocol.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from benchmarks.report import machine, write_section  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

PUBLISHED = {
    "bitext": "—",
    "banking77-10shot": "USE+ConveRT 85.2%",
    "banking77-full": "BERT 93.7%",
    "oos": "—",
}
TARGETS = {
    "bitext": "—",
    "banking77-10shot": "≥ 88%",
    "banking77-full": "≥ 94%",
    "oos": "OOS recall ≥ 85% at in-scope ≥ 94%",
}


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _row(result: dict) -> str:
    protocol, method = result["protocol"], result["method"]
    if protocol == "oos":
        ours = (
            f"OOS recall {_pct(result['oos_recall'])}, in-scope acc "
            f"{_pct(result['in_scope_accuracy'])}"
        )
        f1 = "—"
    else:
        ours, f1 = _pct(result["accuracy"]), _pct(result["macro_f1"])
    seconds = result["train_seconds"]
    train = f"{result['train_examples']:.0f} ex, {seconds:.0f} s"
    return (
        f"| {protocol} | {method} | {ours} | {f1} | {PUBLISHED[protocol]} | "
        f"{TARGETS[protocol]} | {train} |"
    )


def render(results: list[dict]) -> str:
    lines = [
        "## NLU: intent classification",
        "",
        f"Machine: {machine()}. Command: `python -m benchmarks.nlu_eval` (resumable; "
        "results kept in `--out`); the same protocols run with `shopassist eval nlu`.",
        "",
        "Methods: `linear` = logistic regression on frozen MiniLM embeddings; `finetune` = "
        "MiniLM fine-tuned end to end with a cosine head (bf16 autocast, AdamW, batch 32, "
        "max_len 64, 3 epochs or enough to see ~6,000 examples) on 90% of the examples, the "
        "other 10% fitting the softmax temperature. Accuracy counts every test utterance; "
        "10-shot rows are means over seeds 0, 1, 2; train time is per model, on 2 CPU threads "
        "of a machine shared with other jobs (so times vary by up to ~1.5x).",
        "",
        "| protocol | method | accuracy | macro-F1 | published | target | train |",
        "|---|---|---|---|---|---|---|",
        *[_row(r) for r in results],
        "",
        "Protocols: `bitext` = stratified 80/20 split of bitext_21k.csv (27 intents); "
        "`banking77-10shot` = 10 train examples per intent; `banking77-full` = all 10,003; "
        "`oos` = 19 of 77 BANKING77 intents (seeded) held out as unseen, temperature and "
        "threshold chosen on a 10% validation split of the training data (threshold: the "
        "highest that costs ≤ 2 points of validation accuracy).",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--methods", nargs="+", default=["finetune", "linear"])
    parser.add_argument(
        "--protocols", nargs="+", default=["banking77-10shot", "oos", "banking77-full", "bitext"]
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, help="fine-tuning epochs (default: automatic)")
    parser.add_argument("--out", type=Path, default=Path("/tmp/nlu_eval.json"))
    parser.add_argument("--no-write", action="store_true", help="do not touch benchmarks.md")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    import torch

    from assistant.nlu.evaluation import run
    from retrieval.embedder import get_embedder

    torch.set_num_threads(args.threads)
    embedder = get_embedder("minilm", threads=args.threads)
    results = json.loads(args.out.read_text()) if args.out.exists() else []
    done = {(r["protocol"], r["method"]) for r in results}
    for method in args.methods:
        for protocol in args.protocols:
            if (protocol, method) in done:
                continue
            options = {"epochs": args.epochs} if method == "finetune" else {}
            result = run(protocol, args.data, embedder, method=method, **options)
            logging.info("%s", json.dumps(result | {"runs": None}))
            results.append(result)
            args.out.write_text(json.dumps(results, indent=2))
    order = {p: i for i, p in enumerate(PUBLISHED)}
    results.sort(key=lambda r: (order[r["protocol"]], r["method"]))
    if not args.no_write:
        write_section("nlu", render(results))


if __name__ == "__main__":
    main()
