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
    "banking77-full": "≥ 94%; far OOS recall ≥ 85% at in-scope ≥ 94% (baseline 75% at 93.5%)",
    "oos": "— (the hard case)",
}


def _pct(value: float, digits: int = 1) -> str:
    return f"{100 * value:.{digits}f}%"


def _row(result: dict) -> str:
    protocol, method = result["protocol"], result["method"]
    if "note" in result:  # e.g. a row kept from an earlier version, not re-run
        method = f"{method} ({result['note']})"
    if protocol == "oos":
        ours = (
            f"OOS recall near {_pct(result['oos_recall'])}, far "
            f"{_pct(result['far_oos_recall'])}; in-scope acc {_pct(result['in_scope_accuracy'])}"
        )
        f1 = "—"
    else:
        ours, f1 = _pct(result["accuracy"]), _pct(result["macro_f1"])
        if result.get("far_examples"):
            at = result["far_oos_recall_at"]
            ours += (
                f"; OOS rule as calibrated: in-scope acc {_pct(result['in_scope_accuracy'], 2)}, "
                f"far OOS recall {_pct(result['far_oos_recall'])}; far OOS recall at "
                f"{_pct(result['at_in_scope_accuracy'])} in scope: "
                + (_pct(at) if at is not None else "none (closed-set accuracy below)")
            )
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
        "Methods: `linear` = logistic regression on frozen MiniLM embeddings (the embedder "
        "of `retrieval.embedder`); `finetune` = "
        "MiniLM fine-tuned end to end with a cosine head (bf16 autocast, AdamW, batch 32, "
        "max_len 64, 3 epochs or enough to see ~6,000 examples) on 90% of the examples, the "
        "other 10% calibrating the model (softmax temperature and out-of-scope rule); it "
        "predicts with logistic regression on the tuned embeddings plus 0.5 x the logits of "
        "logistic regression (C = 100) on frozen all-mpnet-base-v2 embeddings (float32 ONNX), "
        "both refitted on all examples after calibration. Both add "
        'each intent\'s name as an example (`card_arrival` -> "card arrival"). Accuracy '
        "counts every test utterance (the most probable intent); 10-shot rows are means over "
        "seeds 0, 1, 2; train time is per model, on 1-2 CPU threads of a machine shared with "
        "other jobs (so times vary by up to ~2x).",
        "",
        "| protocol | method | accuracy | macro-F1 | published | target | train |",
        "|---|---|---|---|---|---|---|",
        *[_row(r) for r in results],
        "",
        "Protocols: `bitext` = stratified 80/20 split of bitext_21k.csv (27 intents); "
        "`banking77-10shot` = 10 train examples per intent (previous version: finetune 85.3%, "
        "linear 84.7%); `banking77-full` = all 10,003 (previous version: finetune 93.7%, "
        "94.0% with `--calibration 0`; one run each, with a different embedder initialising "
        "the head, so the change is not separated from run-to-run variation); with the OOS "
        "rule its `min_support` may cost 0.5 points of held-out accuracy (no confidence "
        "threshold), and *far* (below) measures the recall, also at the support threshold "
        "that keeps 94% of the test utterances right (set on them, as FPR at 95% TPR is); "
        "`oos` = 19 of 77 BANKING77 intents (seed 0) held out as unseen; the model trains on "
        "the other 58, the 10% it holds out choosing the temperature and `min_support` (reject "
        "when the *support*, the cosine similarity to the closest training example of the "
        "predicted intent, is below it; the highest threshold that costs ≤ 2 points of "
        "held-out accuracy; no confidence threshold). The previous rule (max-softmax "
        "threshold, same budget) got near 42.2% at 92.7% in-scope (finetune) and 42.0% at "
        "90.9% (linear). OOS recall *near* = unseen BANKING77 intents' test utterances (other "
        "banking questions); *far* = 1,020 utterances from other domains: 60 per Bitext "
        "intent whose requests no BANKING77 intent serves (changing an order, invoices, "
        "cancellation fees, complaints, contact, newsletter, reviews; 540) and the 480 WANDS "
        "shopping queries. Near is the hard case; far is what an off-topic question looks "
        "like.",
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
            options: dict = {}
            if method == "finetune":
                probe = get_embedder("mpnet", threads=args.threads)
                options = {"epochs": args.epochs, "probe_embedder": probe}
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
