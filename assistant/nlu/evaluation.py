"""Offline evaluation of the intent model: the protocols behind `shopassist eval nlu`.

Every protocol is deterministic (seeded splits and sampling) and reads the shared data sets:

* ``bitext``: stratified 80/20 split of the Bitext customer-service set (27 intents); train on
  the 80% part only; accuracy and macro-F1 on the 20% part.
* ``banking77-10shot``: BANKING77 with 10 training examples per intent, sampled per seed from
  `train.csv`, tested on `test.csv`; metrics averaged over the seeds.
* ``banking77-full``: all of BANKING77's `train.csv`, tested on `test.csv`.
* ``oos``: a seeded quarter of BANKING77's intents is held out as unseen; the model is trained
  on the other intents' training utterances, the temperature and the out-of-scope threshold are
  chosen on a validation split of that training data, and the test utterances give the
  out-of-scope recall (unseen-intent utterances answered `out_of_scope`) and the in-scope
  accuracy (seen-intent utterances answered with their intent; a rejection counts as wrong).
"""

from __future__ import annotations

import csv
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import BadRequest
from assistant.nlu.finetune import FineTuneConfig
from assistant.nlu.intents import OUT_OF_SCOPE, IntentModel, fit_temperature, stratified_split
from retrieval.embedder import Embedder

log = logging.getLogger(__name__)

PROTOCOLS = ("bitext", "banking77-10shot", "banking77-full", "oos")
BITEXT = Path("bitext-intents") / "bitext_21k.csv"
BANKING77 = Path("banking77")

Examples = list[tuple[str, str]]


def read_bitext(path: Path) -> Examples:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return [(row["utterance"].strip(), row["intent"]) for row in csv.DictReader(handle)]


def read_banking77(path: Path) -> Examples:
    with path.open(newline="", encoding="utf-8") as handle:
        return [(row["text"].strip(), row["category"]) for row in csv.DictReader(handle)]


def accuracy(truth: Sequence[str], predicted: Sequence[str]) -> float:
    return float(np.mean([t == p for t, p in zip(truth, predicted, strict=True)]))


def macro_f1(truth: Sequence[str], predicted: Sequence[str]) -> float:
    """Unweighted mean of the per-class F1 over the classes present in `truth`."""
    scores = []
    for label in sorted(set(truth)):
        tp = sum(t == label and p == label for t, p in zip(truth, predicted, strict=True))
        fp = sum(t != label and p == label for t, p in zip(truth, predicted, strict=True))
        fn = sum(t == label and p != label for t, p in zip(truth, predicted, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(scores))


def few_shot(examples: Examples, shots: int, seed: int) -> Examples:
    """`shots` examples of each intent (all of an intent's when it has fewer), seeded."""
    rng = np.random.default_rng(seed)
    by_intent: dict[str, list[int]] = {}
    for index, (_, intent) in enumerate(examples):
        by_intent.setdefault(intent, []).append(index)
    chosen = [
        i
        for intent in sorted(by_intent)
        for i in rng.permutation(by_intent[intent])[:shots].tolist()
    ]
    return [examples[i] for i in sorted(chosen)]


def choose_threshold(confidence: np.ndarray, correct: np.ndarray, max_drop: float) -> float:
    """The highest confidence threshold whose rejections cost at most `max_drop` of in-scope
    accuracy on validation data (`correct`: the argmax intent was right)."""
    order = np.argsort(confidence)
    # Rejecting the k least confident examples loses the correct ones among them.
    lost = np.concatenate([[0], np.cumsum(correct[order])]) / len(correct)
    k = int(np.flatnonzero(lost <= max_drop + 1e-12).max())
    return float(confidence[order[k]]) if k < len(order) else float(confidence.max()) + 1e-6


def _train(examples: Examples, embedder: Embedder, method: str, seed: int, **options: Any) -> Any:
    started = time.perf_counter()
    config = FineTuneConfig(seed=seed, epochs=options.pop("epochs", None))
    model = IntentModel.train(
        examples, embedder, method=method, seed=seed, finetune=config, **options
    )
    return model, time.perf_counter() - started


def _scores(model: IntentModel, test: Examples) -> dict[str, Any]:
    started = time.perf_counter()
    predicted = [p.intent for p in model.predict([text for text, _ in test])]
    truth = [intent for _, intent in test]
    return {
        "accuracy": round(accuracy(truth, predicted), 4),
        "macro_f1": round(macro_f1(truth, predicted), 4),
        "test_examples": len(test),
        "predict_seconds": round(time.perf_counter() - started, 1),
    }


def closed_set(
    train: Examples, test: Examples, embedder: Embedder, method: str, seed: int, **options: Any
) -> dict[str, Any]:
    """Train on `train`, score on `test`; no out-of-scope rejection."""
    model, seconds = _train(train, embedder, method, seed, threshold=0.0, **options)
    return {"train_examples": len(train), "train_seconds": round(seconds, 1)} | _scores(model, test)


def open_set(
    train: Examples,
    test: Examples,
    unseen: set[str],
    embedder: Embedder,
    method: str,
    seed: int,
    *,
    validation: float = 0.1,
    max_drop: float = 0.02,
    **options: Any,
) -> dict[str, Any]:
    """Out-of-scope detection: train on the intents not in `unseen`; pick temperature and
    threshold on a validation split of `train`; score recall of `out_of_scope` on the test
    utterances of `unseen` intents and accuracy on the others."""
    known = [ex for ex in train if ex[1] not in unseen]
    fit, held = stratified_split([i for _, i in known], validation, seed, min_per_class=4)
    model, seconds = _train(
        [known[i] for i in fit], embedder, method, seed, calibration=0.0, **options
    )
    val = [known[i] for i in held]
    log_probs = np.log(np.maximum(model.predict_proba([t for t, _ in val]), 1e-300))
    targets = np.array([model.classes.index(i) for _, i in val])
    model.temperature = fit_temperature(log_probs, targets)
    probs = model.predict_proba([t for t, _ in val])
    correct = probs.argmax(axis=1) == targets
    threshold = choose_threshold(probs.max(axis=1), correct, max_drop)
    model = model.with_threshold(threshold)
    predicted = [p.intent for p in model.predict([text for text, _ in test])]
    is_unseen = np.array([intent in unseen for _, intent in test])
    hits = np.array([p == t for p, (_, t) in zip(predicted, test, strict=True)])
    rejected = np.array([p == OUT_OF_SCOPE for p in predicted])
    return {
        "unseen_intents": len(unseen),
        "train_examples": len(fit),
        "train_seconds": round(seconds, 1),
        "threshold": round(threshold, 4),
        "temperature": round(model.temperature, 3),
        "validation_accuracy": round(float(correct.mean()), 4),
        "oos_recall": round(float(rejected[is_unseen].mean()), 4),
        "in_scope_accuracy": round(float(hits[~is_unseen].mean()), 4),
        "in_scope_rejected": round(float(rejected[~is_unseen].mean()), 4),
    }


def _mean(runs: list[dict[str, Any]]) -> dict[str, Any]:
    keys = [k for k, v in runs[0].items() if isinstance(v, int | float)]
    return {k: round(float(np.mean([r[k] for r in runs])), 4) for k in keys} | {"runs": runs}


def run(
    protocol: str,
    data_dir: Path,
    embedder: Embedder | None = None,
    *,
    method: str = "finetune",
    seeds: Sequence[int] = (0, 1, 2),
    **options: Any,
) -> dict[str, Any]:
    """Run one protocol on the data sets under `data_dir` (the folder holding
    `bitext-intents/` and `banking77/`) with `embedder` (default MiniLM); returns a metrics
    object. `options` go to
    :meth:`IntentModel.train` (e.g. `c`, `epochs`), or to :func:`open_set` for ``oos``."""
    if protocol not in PROTOCOLS:
        raise BadRequest(f"unknown NLU protocol {protocol!r}; use one of {', '.join(PROTOCOLS)}")
    if embedder is None:
        from retrieval.embedder import get_embedder

        embedder = get_embedder("minilm")
    seed = seeds[0]
    header: dict[str, Any] = {"protocol": protocol, "method": method}
    if protocol == "bitext":
        examples = read_bitext(data_dir / BITEXT)
        kept, held = stratified_split([i for _, i in examples], 0.2, seed=0)
        train, test = [examples[i] for i in kept], [examples[i] for i in held]
        return header | closed_set(train, test, embedder, method, seed, **options)
    train = read_banking77(data_dir / BANKING77 / "train.csv")
    test = read_banking77(data_dir / BANKING77 / "test.csv")
    if protocol == "banking77-full":
        return header | closed_set(train, test, embedder, method, seed, **options)
    if protocol == "banking77-10shot":
        runs = [
            {"seed": s} | closed_set(few_shot(train, 10, s), test, embedder, method, s, **options)
            for s in seeds
        ]
        return header | _mean(runs)
    intents = sorted({intent for _, intent in train})
    rng = np.random.default_rng(seed)
    unseen = set(rng.choice(intents, size=round(0.25 * len(intents)), replace=False).tolist())
    return header | open_set(train, test, unseen, embedder, method, seed, **options)
