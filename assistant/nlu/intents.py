"""Intent classifier: logistic regression on sentence embeddings.

Examples that ship in `assistant/nlu/data/` (a seeded sample of the Bitext customer-service
set plus hand-written shopping, store-policy, greeting and out-of-scope utterances) train it
on first use; stores add or replace intents with `shopassist nlu train`. Predictions below a
confidence threshold are reported as `out_of_scope`.
"""

from __future__ import annotations

import csv
import json
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.errors import BadRequest, IndexNotBuilt
from retrieval.embedder import Embedder

log = logging.getLogger(__name__)

OUT_OF_SCOPE = "out_of_scope"
DATA_DIR = Path(__file__).parent / "data"
_BUILTIN_FILES = ("bitext_sample.csv", "store.csv")


@dataclass(frozen=True)
class Prediction:
    intent: str
    confidence: float


def read_examples(path: Path) -> list[tuple[str, str]]:
    """Read `text,intent` rows; a header row is optional. Raises BadRequest on bad files."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except OSError as exc:
        raise BadRequest(f"cannot read examples file {path}: {exc}") from exc
    if rows and [c.strip().lower() for c in rows[0][:2]] == ["text", "intent"]:
        rows = rows[1:]
    examples = []
    for line, row in enumerate(rows, start=2):
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise BadRequest(f"{path}:{line}: expected 'text,intent', got {row!r}")
        examples.append((row[0].strip(), row[1].strip()))
    if not examples:
        raise BadRequest(f"{path}: no examples")
    return examples


def builtin_examples() -> list[tuple[str, str]]:
    """The examples that ship with the project."""
    return [ex for name in _BUILTIN_FILES for ex in read_examples(DATA_DIR / name)]


class IntentModel:
    """Multinomial logistic regression over L2-normalised sentence embeddings."""

    def __init__(
        self,
        embedder: Embedder,
        classes: Sequence[str],
        coef: np.ndarray,
        bias: np.ndarray,
        threshold: float,
    ) -> None:
        self.embedder = embedder
        self.classes = list(classes)
        self.coef = coef.astype(np.float32)
        self.bias = bias.astype(np.float32)
        self.threshold = threshold

    @classmethod
    def train(
        cls,
        examples: Iterable[tuple[str, str]],
        embedder: Embedder,
        *,
        threshold: float = 0.3,
        c: float = 10.0,
    ) -> IntentModel:
        from sklearn.linear_model import LogisticRegression

        texts, labels = zip(*examples, strict=True)
        if len(set(labels)) < 2:
            raise BadRequest("need examples of at least two intents")
        started = time.perf_counter()
        vectors = embedder.embed(list(texts))
        clf = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
        clf.fit(vectors, np.asarray(labels))
        log.info(
            "trained intent model on %d examples, %d intents in %.1fs",
            len(texts),
            len(clf.classes_),
            time.perf_counter() - started,
        )
        coef, bias = clf.coef_, clf.intercept_
        if len(clf.classes_) == 2:
            # Binary LR keeps one row, p(second) = sigmoid(w.x + b): as softmax logits [0, w.x + b].
            coef, bias = np.vstack([np.zeros_like(coef), coef]), np.concatenate([[0.0], bias])
        return cls(embedder, [str(x) for x in clf.classes_], coef, bias, threshold)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        if not texts:
            return []
        logits = self.embedder.embed(list(texts)) @ self.coef.T + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        best = probs.argmax(axis=1)
        predictions = []
        for row, index in enumerate(best):
            confidence = float(probs[row, index])
            intent = self.classes[index] if confidence >= self.threshold else OUT_OF_SCOPE
            predictions.append(Prediction(intent, round(confidence, 4)))
        return predictions

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        np.savez(directory / "intent_model.npz", coef=self.coef, bias=self.bias)
        meta = {
            "classes": self.classes,
            "threshold": self.threshold,
            "embedder": self.embedder.name,
        }
        (directory / "intent_model.json").write_text(json.dumps(meta, indent=2))

    @classmethod
    def load(cls, directory: Path, embedder: Embedder) -> IntentModel:
        meta_path = directory / "intent_model.json"
        if not meta_path.exists():
            raise IndexNotBuilt(f"no intent model in {directory}; run `shopassist nlu train`")
        meta = json.loads(meta_path.read_text())
        arrays = np.load(directory / "intent_model.npz")
        return cls(embedder, meta["classes"], arrays["coef"], arrays["bias"], meta["threshold"])
