"""Intent classifier: a softmax head on sentence embeddings, with calibrated confidence.

Examples that ship in `assistant/nlu/data/` (a seeded sample of the Bitext customer-service
set plus hand-written shopping, store-policy, greeting and out-of-scope utterances) train it
on first use; stores add or replace intents with `shopassist nlu train`. Two training methods:

* ``"linear"``: multinomial logistic regression on frozen MiniLM embeddings (seconds);
* ``"finetune"``: MiniLM fine-tuned end to end with a cosine head (minutes; more accurate),
  see :mod:`assistant.nlu.finetune`.

Either way the softmax temperature is fitted on a held-out part of the examples, so the
confidence is calibrated; predictions below a confidence threshold are `out_of_scope`.
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
from assistant.nlu.finetune import FineTuneConfig, TunedEncoder, fine_tune
from retrieval.embedder import Embedder

log = logging.getLogger(__name__)

OUT_OF_SCOPE = "out_of_scope"
DATA_DIR = Path(__file__).parent / "data"
_BUILTIN_FILES = ("bitext_sample.csv", "store.csv")
METHODS = ("linear", "finetune")
MIN_CALIBRATION = 50
"""Fewer held-out examples than this leave the temperature at 1."""


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
    first = 1
    if rows and [c.strip().lower() for c in rows[0][:2]] == ["text", "intent"]:
        rows, first = rows[1:], 2
    examples = []
    for line, row in enumerate(rows, start=first):
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise BadRequest(f"{path}:{line}: expected 'text,intent', got {row!r}")
        examples.append((row[0].strip(), row[1].strip()))
    if not examples:
        raise BadRequest(f"{path}: no examples")
    return examples


def builtin_examples() -> list[tuple[str, str]]:
    """The examples that ship with the project."""
    return [ex for name in _BUILTIN_FILES for ex in read_examples(DATA_DIR / name)]


def stratified_split(
    labels: Sequence[str], fraction: float, seed: int, *, min_per_class: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Indices `(kept, held_out)`: about `fraction` of each label's rows held out (at least
    one), from labels with more than `min_per_class` rows; seeded, so deterministic."""
    if fraction <= 0:
        return np.arange(len(labels)), np.array([], dtype=int)
    rng = np.random.default_rng(seed)
    by_label: dict[str, list[int]] = {}
    for index, label in enumerate(labels):
        by_label.setdefault(label, []).append(index)
    held: list[int] = []
    for label in sorted(by_label):
        rows = by_label[label]
        if len(rows) <= min_per_class:
            continue
        count = min(max(1, round(fraction * len(rows))), len(rows) - min_per_class)
        held.extend(rng.choice(rows, size=count, replace=False).tolist())
    mask = np.zeros(len(labels), dtype=bool)
    mask[held] = True
    return np.flatnonzero(~mask), np.flatnonzero(mask)


def fit_temperature(logits: np.ndarray, targets: np.ndarray) -> float:
    """The softmax temperature that minimises the negative log-likelihood of `targets`
    (temperature scaling, Guo et al. 2017), by golden-section search on log T."""

    def nll(log_t: float) -> float:
        scaled = logits / np.exp(log_t)
        scaled = scaled - scaled.max(axis=1, keepdims=True)
        log_z = np.log(np.exp(scaled).sum(axis=1))
        return float(np.mean(log_z - scaled[np.arange(len(targets)), targets]))

    low, high = np.log(0.05), np.log(20.0)
    ratio = (np.sqrt(5) - 1) / 2
    for _ in range(60):
        a, b = high - ratio * (high - low), low + ratio * (high - low)
        if nll(a) < nll(b):
            high = b
        else:
            low = a
    return float(np.exp((low + high) / 2))


def _softmax(logits: np.ndarray) -> np.ndarray:
    logits = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(logits)
    return np.asarray(probs / probs.sum(axis=1, keepdims=True))


class IntentModel:
    """A softmax head (`coef`, `bias`, `temperature`) over unit-length sentence embeddings.

    With ``method="finetune"`` the embedder is a :class:`TunedEncoder` saved with the model.
    """

    def __init__(
        self,
        embedder: Embedder,
        classes: Sequence[str],
        coef: np.ndarray,
        bias: np.ndarray,
        threshold: float,
        temperature: float = 1.0,
    ) -> None:
        self.embedder = embedder
        self.classes = list(classes)
        self.coef = coef.astype(np.float32)
        self.bias = bias.astype(np.float32)
        self.threshold = threshold
        self.temperature = temperature

    @classmethod
    def train(
        cls,
        examples: Iterable[tuple[str, str]],
        embedder: Embedder,
        *,
        method: str = "linear",
        threshold: float = 0.3,
        c: float = 10.0,
        calibration: float = 0.1,
        finetune: FineTuneConfig | None = None,
        seed: int = 0,
    ) -> IntentModel:
        """Train on `(text, intent)` pairs.

        `method`: ``"linear"`` (logistic regression with inverse regularisation `c` on the
        frozen `embedder`) or ``"finetune"`` (fine-tune MiniLM; `finetune` sets epochs etc.).
        `calibration`: the fraction of each intent's examples held out to fit the softmax
        temperature (0 keeps all for training and the temperature at 1). The linear head is
        refitted on all examples afterwards; the fine-tuned model is not (that would double
        the training time). Predictions whose confidence is below `threshold` are
        `out_of_scope`.
        """
        if method not in METHODS:
            raise BadRequest(f"unknown training method {method!r}; use one of {METHODS}")
        pairs = list(examples)
        if not pairs:
            raise BadRequest("no examples")
        texts = [text for text, _ in pairs]
        classes = sorted({intent for _, intent in pairs})
        if len(classes) < 2:
            raise BadRequest("need examples of at least two intents")
        index = {name: i for i, name in enumerate(classes)}
        labels = np.array([index[intent] for _, intent in pairs])
        fit, held = stratified_split([i for _, i in pairs], calibration, seed, min_per_class=4)
        if len(held) < MIN_CALIBRATION:
            fit, held = np.arange(len(pairs)), np.array([], dtype=int)
        started = time.perf_counter()
        vectors = embedder.embed(texts)
        if method == "linear":
            model = cls._fit_linear(embedder, classes, vectors, labels, fit, c, threshold)
            if len(held):
                model.temperature = fit_temperature(model._logits(vectors[held]), labels[held])
                refit = cls._fit_linear(
                    embedder, classes, vectors, labels, np.arange(len(pairs)), c, threshold
                )
                model.coef, model.bias = refit.coef, refit.bias
        else:
            config = finetune or FineTuneConfig(seed=seed)
            centroids = np.stack(
                [vectors[fit][labels[fit] == k].mean(0) for k in range(len(classes))]
            )
            encoder, head = fine_tune([texts[i] for i in fit], labels[fit], centroids, config)
            model = cls(encoder, classes, head, np.zeros(len(classes)), threshold)
            if len(held):
                logits = model._logits(encoder.embed([texts[i] for i in held]))
                model.temperature = fit_temperature(logits, labels[held])
        log.info(
            "trained intent model (%s) on %d examples, %d intents in %.1fs; temperature %.2f",
            method,
            len(pairs),
            len(classes),
            time.perf_counter() - started,
            model.temperature,
        )
        return model

    @classmethod
    def _fit_linear(
        cls,
        embedder: Embedder,
        classes: list[str],
        vectors: np.ndarray,
        labels: np.ndarray,
        rows: np.ndarray,
        c: float,
        threshold: float,
    ) -> IntentModel:
        from sklearn.linear_model import LogisticRegression

        clf = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
        clf.fit(vectors[rows], labels[rows])
        coef = np.zeros((len(classes), vectors.shape[1]))
        bias = np.full(len(classes), -1e4)  # an intent absent from `rows` is never predicted
        if len(clf.classes_) == 2:
            # Binary LR keeps one row, p(second) = sigmoid(w.x + b): as softmax logits [0, w.x + b].
            first, second = clf.classes_
            coef[second], bias[first], bias[second] = clf.coef_[0], 0.0, clf.intercept_[0]
        else:
            coef[clf.classes_], bias[clf.classes_] = clf.coef_, clf.intercept_
        return cls(embedder, classes, coef, bias, threshold)

    def _logits(self, vectors: np.ndarray) -> np.ndarray:
        return np.asarray(vectors @ self.coef.T + self.bias, dtype=np.float64)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated class probabilities, shape `(len(texts), len(self.classes))`."""
        if not texts:
            return np.empty((0, len(self.classes)))
        return _softmax(self._logits(self.embedder.embed(list(texts))) / self.temperature)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        probs = self.predict_proba(texts)
        predictions = []
        for row in probs:
            index = int(row.argmax())
            confidence = float(row[index])
            intent = self.classes[index] if confidence >= self.threshold else OUT_OF_SCOPE
            predictions.append(Prediction(intent, round(confidence, 4)))
        return predictions

    def with_threshold(self, threshold: float) -> IntentModel:
        """A copy of this model that reports `out_of_scope` below `threshold`."""
        return IntentModel(
            self.embedder, self.classes, self.coef, self.bias, threshold, self.temperature
        )

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        np.savez(directory / "intent_model.npz", coef=self.coef, bias=self.bias)
        if isinstance(self.embedder, TunedEncoder):
            self.embedder.save(directory)
        meta = {
            "classes": self.classes,
            "threshold": self.threshold,
            "temperature": self.temperature,
            "embedder": self.embedder.name,
        }
        (directory / "intent_model.json").write_text(json.dumps(meta, indent=2))

    @classmethod
    def load(cls, directory: Path, embedder: Embedder) -> IntentModel:
        """Load a saved model; `embedder` is used unless the model carries its own tuned one."""
        meta_path = directory / "intent_model.json"
        if not meta_path.exists():
            raise IndexNotBuilt(f"no intent model in {directory}; run `shopassist nlu train`")
        meta = json.loads(meta_path.read_text())
        if meta["embedder"] == TunedEncoder.name:
            embedder = TunedEncoder.load(directory)
        arrays = np.load(directory / "intent_model.npz")
        return cls(
            embedder,
            meta["classes"],
            arrays["coef"],
            arrays["bias"],
            meta["threshold"],
            meta.get("temperature", 1.0),
        )
