"""Intent classifier: a softmax head on sentence embeddings, with calibrated confidence.

Examples that ship in `assistant/nlu/data/` (a seeded sample of the Bitext customer-service
set plus hand-written shopping, store-policy, greeting and out-of-scope utterances) train it
on first use; stores add or replace intents with `shopassist nlu train`. Two training methods:

* ``"linear"``: multinomial logistic regression on frozen MiniLM embeddings (seconds);
* ``"finetune"``: MiniLM fine-tuned end to end (minutes; more accurate, see
  :mod:`assistant.nlu.finetune`), then logistic regression on the tuned embeddings (the
  SetFit recipe) plus a :class:`Probe`: logistic regression on the frozen embeddings of a
  larger model (all-mpnet-base-v2), whose logits are added to the tuned head's.

Either way each intent's name ("card_arrival" -> "card arrival") is added as one more example
of it, and a held-out part of the examples calibrates the model: it fits the softmax
temperature, so the confidence is calibrated, and `min_support`. A prediction is
`out_of_scope` when its confidence is below a fixed threshold, or when the utterance is far
from every training example of the predicted intent: its *support* (the cosine similarity to
the closest one) is below `min_support`, the highest threshold that rejects only a small
share of the held-out examples. Confidence alone misses utterances from other domains (it
tells which intent, not whether any); support catches them, and unseen intents of the same
domain better than confidence does.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import BadRequest, Damaged, IndexNotBuilt
from assistant.nlu.entities import generic_entities
from assistant.nlu.finetune import FineTuneConfig, TunedEncoder, fine_tune
from retrieval.embedder import Embedder, get_embedder
from retrieval.errors import UnknownEmbedderError
from retrieval.readers import TableError, csv_rows

log = logging.getLogger(__name__)

OUT_OF_SCOPE = "out_of_scope"
DATA_DIR = Path(__file__).parent / "data"
_BUILTIN_FILES = ("bitext_sample.csv", "store.csv", "service.csv")
METHODS = ("linear", "finetune")
OPEN_INTENTS = frozenset({"product_search"})
"""Intents whose messages name what no training example can (a store's products and
brands: "show me zorblax tops"): far from every example is normal for them, so the support
rule does not reject them; whether the store has what they name is the search's to say."""
MIN_CALIBRATION = 50
"""Fewer held-out examples than this leave the temperature at 1 and take `min_support` from
the training examples themselves (:meth:`Support.left_out`)."""
PROBE_EMBEDDER = "mpnet"
"""The frozen embedder of a fine-tuned model's probe. On validation rows drawn from
BANKING77's training set (10-shot, seeds 0-2), the probe on all-mpnet-base-v2 added 1.1
points more than the same probe on MiniLM (87.8% against 86.6%); alone, frozen mpnet beats
frozen MiniLM by 1.4 points there and by 0.3 with all examples."""
PROBE_WEIGHT = 0.5
"""Weight of the probe's logits: 0.5 to 2 scored within 0.4 points of each other there."""
PROBE_C = 100.0
"""The probe's inverse regularisation (mpnet's vectors want less than MiniLM's `c` = 10)."""


@dataclass(frozen=True)
class Prediction:
    intent: str
    confidence: float


_TEXT_COLUMNS = ("text", "utterance", "sentence", "query", "message")
_INTENT_COLUMNS = ("intent", "label", "category")
"""Header names read as the text and the intent column, in order of preference (Bitext's
file has `utterance`, `category` and `intent`; BANKING77's `text` and `category`)."""


def read_examples(path: Path) -> list[tuple[str, str]]:
    """Read `text,intent` rows. A header row is optional; one that names a text and an
    intent column (`_TEXT_COLUMNS`, `_INTENT_COLUMNS`) picks those columns, so data sets'
    own files load as they are. A row without both is reported (file, line) and skipped; a
    file that cannot be read or holds no example is BadRequest."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv_rows(handle, ",", path))
    except (OSError, TableError) as exc:
        raise BadRequest(f"cannot read examples file {path}: {exc}") from exc
    text, intent = 0, 1
    first = rows[0][1] if rows and isinstance(rows[0][1], list) else []
    header = [cell.strip().lower() for cell in first]
    named = [
        next((header.index(name) for name in names if name in header), None)
        for names in (_TEXT_COLUMNS, _INTENT_COLUMNS)
    ]
    if named[0] is not None and named[1] is not None:
        rows, (text, intent) = rows[1:], (named[0], named[1])
    examples = []
    for line, row in rows:
        if isinstance(row, str):
            log.warning("skipped %s:%d: %s", path, line, row)
        elif not any(cell.strip() for cell in row):
            continue
        elif len(row) <= max(text, intent) or not row[text].strip() or not row[intent].strip():
            log.warning("skipped %s:%d: expected 'text,intent', got %r", path, line, row)
        else:
            examples.append((row[text].strip(), row[intent].strip()))
    if not examples:
        raise BadRequest(f"{path}: no 'text,intent' examples")
    _warn_of_conflicts(path, examples)
    return examples


def _warn_of_conflicts(path: Path, examples: list[tuple[str, str]]) -> None:
    """Log texts given as examples of two or more intents (the model learns them all)."""
    intents: dict[str, set[str]] = {}
    for text, intent in examples:
        intents.setdefault(text.casefold(), set()).add(intent)
    conflicts = {text: names for text, names in intents.items() if len(names) > 1}
    if conflicts:
        text, names = next(iter(conflicts.items()))
        log.warning(
            "%s: %d texts are examples of more than one intent (e.g. %r: %s)",
            path,
            len(conflicts),
            text,
            ", ".join(sorted(names)),
        )


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


def name_example(intent: str) -> str:
    """An intent's name as an utterance: "card_arrival" -> "card arrival"."""
    return " ".join(intent.replace("_", " ").replace("-", " ").split())


def choose_threshold(score: np.ndarray, correct: np.ndarray, max_drop: float) -> float:
    """The highest threshold on `score` whose rejections (score below it) cost at most
    `max_drop` of accuracy on held-out in-scope examples (`correct`: the argmax intent was
    right)."""
    order = np.argsort(score)
    # Rejecting the k lowest-scoring examples loses the correct ones among them.
    lost = np.concatenate([[0], np.cumsum(correct[order])]) / len(correct)
    k = int(np.flatnonzero(lost <= max_drop + 1e-12).max())
    return float(score[order[k]]) if k < len(order) else float(score.max()) + 1e-6


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


@dataclass(frozen=True)
class Support:
    """Unit vectors of the training examples and their intent indices: the *support* of a
    prediction is the cosine similarity of the utterance to the closest training example of
    the predicted intent."""

    vectors: np.ndarray
    labels: np.ndarray

    def of(self, vectors: np.ndarray, predicted: np.ndarray) -> np.ndarray:
        if not len(self.labels):  # a model saved without support: no support rule
            return np.ones(len(vectors))
        similarity = vectors @ self.vectors.T
        same = self.labels[None, :] == predicted[:, None]
        return np.asarray(np.where(same, similarity, -1.0).max(axis=1), dtype=np.float64)

    def left_out(self, skip: int | None) -> np.ndarray:
        """Each example's support among the *other* examples of its intent: what support
        an unseen in-scope utterance gets, for a model with too few examples to hold any
        out. Only intents with two or more examples count, and not `skip` (out_of_scope)."""
        counted = np.bincount(self.labels)[self.labels] > 1
        if skip is not None:
            counted &= self.labels != skip
        rows = np.flatnonzero(counted)
        support = np.empty(len(rows))
        for start in range(0, len(rows), 1024):  # bounded memory for large sets
            chunk = rows[start : start + 1024]
            similarity = self.vectors[chunk] @ self.vectors.T
            similarity[np.arange(len(chunk)), chunk] = -1.0  # not itself
            same = self.labels[chunk][:, None] == self.labels[None, :]
            support[start : start + len(chunk)] = np.where(same, similarity, -1.0).max(axis=1)
        return support


def linear_head(
    n_classes: int, vectors: np.ndarray, labels: np.ndarray, rows: np.ndarray, c: float
) -> tuple[np.ndarray, np.ndarray]:
    """`(coef, bias)` of a multinomial logistic regression (inverse regularisation `c`,
    balanced class weights) fitted on `vectors[rows]`, as softmax logits over all
    `n_classes`: an intent absent from `rows` gets a bias that keeps it from being predicted."""
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
    clf.fit(vectors[rows], labels[rows])
    coef = np.zeros((n_classes, vectors.shape[1]))
    bias = np.full(n_classes, -1e4)
    if len(clf.classes_) == 2:
        # Binary LR keeps one row, p(second) = sigmoid(w.x + b): as softmax logits [0, w.x + b].
        first, second = clf.classes_
        coef[second], bias[first], bias[second] = clf.coef_[0], 0.0, clf.intercept_[0]
    else:
        coef[clf.classes_], bias[clf.classes_] = clf.coef_, clf.intercept_
    return coef.astype(np.float32), bias.astype(np.float32)


@dataclass
class Probe:
    """A second linear head, on the vectors of the frozen `embedder`, whose logits (times
    `weight`) a fine-tuned model adds to its own: the frozen and the tuned embeddings err on
    partly different utterances, so the sum is more accurate than either head alone."""

    embedder: Embedder
    coef: np.ndarray
    bias: np.ndarray
    weight: float = PROBE_WEIGHT

    def logits(self, vectors: np.ndarray) -> np.ndarray:
        return np.asarray(self.weight * (vectors @ self.coef.T + self.bias), dtype=np.float64)


class IntentModel:
    """A softmax head (`coef`, `bias`, `temperature`) over unit-length sentence embeddings,
    and the training examples' embeddings (`support`) for the out-of-scope rule.

    With ``method="finetune"`` the embedder is a :class:`TunedEncoder` saved with the model,
    and `probe` adds the logits of a head on the frozen embedder.
    """

    def __init__(
        self,
        embedder: Embedder,
        classes: Sequence[str],
        coef: np.ndarray,
        bias: np.ndarray,
        support: Support,
        *,
        threshold: float,
        temperature: float = 1.0,
        min_support: float = 0.0,
        probe: Probe | None = None,
    ) -> None:
        self.embedder = embedder
        self.classes = list(classes)
        self.coef = coef.astype(np.float32)
        self.bias = bias.astype(np.float32)
        self.support = support
        self.threshold = threshold
        self.temperature = temperature
        self.min_support = min_support
        self.probe = probe

    @classmethod
    def train(
        cls,
        examples: Iterable[tuple[str, str]],
        embedder: Embedder,
        *,
        method: str = "linear",
        threshold: float = 0.3,
        max_drop: float = 0.01,
        c: float = 10.0,
        calibration: float = 0.1,
        finetune: FineTuneConfig | None = None,
        probe_embedder: Embedder | None = None,
        seed: int = 0,
    ) -> IntentModel:
        """Train on `(text, intent)` pairs, plus each intent's name as one more example.

        `method`: ``"linear"`` (logistic regression with inverse regularisation `c` on the
        frozen `embedder`) or ``"finetune"`` (fine-tune MiniLM; `finetune` sets epochs etc.;
        the probe runs on `probe_embedder`, by default the one named `PROBE_EMBEDDER`).
        `calibration`: the fraction of each intent's examples held out to fit the softmax
        temperature and `min_support` (the highest that costs at most `max_drop` of the
        held-out examples' accuracy); 0 (or too few examples to hold out) keeps all for
        training and the temperature at 1, and `min_support` then rejects at most `max_drop`
        of the examples by their support among the others (:meth:`Support.left_out`). The
        linear heads are refitted on all examples afterwards; the fine-tuned encoder is not
        (that would double the training time). Predictions whose confidence is below
        `threshold` are `out_of_scope` too.
        """
        if method not in METHODS:
            raise BadRequest(f"unknown training method {method!r}; use one of {METHODS}")
        pairs = list(examples)
        if not pairs:
            raise BadRequest("no examples")
        classes = sorted({intent for _, intent in pairs})
        if len(classes) < 2:
            raise BadRequest("need examples of at least two intents")
        fit, held = stratified_split([i for _, i in pairs], calibration, seed, min_per_class=4)
        if len(held) < MIN_CALIBRATION:
            fit, held = np.arange(len(pairs)), np.array([], dtype=int)
        names = [(name_example(c), c) for c in classes if c != OUT_OF_SCOPE]
        fit = np.concatenate([fit, np.arange(len(pairs), len(pairs) + len(names))])
        pairs += names
        texts = [generic_entities(text) for text, _ in pairs]
        index = {name: i for i, name in enumerate(classes)}
        labels = np.array([index[intent] for _, intent in pairs])
        started = time.perf_counter()
        vectors = embedder.embed(texts)
        probe_vectors = None
        if method == "linear":
            model = cls._fit_linear(embedder, classes, vectors, labels, fit, c, threshold)
        else:
            config = finetune or FineTuneConfig(seed=seed)
            model, vectors = cls._fit_finetuned(
                classes, texts, vectors, labels, fit, c, threshold, config
            )
            frozen = probe_embedder or get_embedder(PROBE_EMBEDDER)
            probe_vectors = frozen.embed(texts)
            head = linear_head(len(classes), probe_vectors, labels, fit, PROBE_C)
            model.probe = Probe(frozen, *head)
        if len(held):
            model._calibrate(vectors, probe_vectors, labels, held, max_drop)
            model.support = Support(vectors, labels)
            model._refit(vectors, labels, probe_vectors, c)
        else:
            left_out = model.support.left_out(index.get(OUT_OF_SCOPE))
            if len(left_out):
                everyone = np.ones(len(left_out), dtype=bool)
                model.min_support = choose_threshold(left_out, everyone, max_drop)
        log.info(
            "trained intent model (%s) on %d examples, %d intents in %.1fs; temperature %.2f, "
            "min support %.2f",
            method,
            len(pairs),
            len(classes),
            time.perf_counter() - started,
            model.temperature,
            model.min_support,
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
        coef, bias = linear_head(len(classes), vectors, labels, rows, c)
        support = Support(vectors[rows], labels[rows])
        return cls(embedder, classes, coef, bias, support, threshold=threshold)

    @classmethod
    def _fit_finetuned(
        cls,
        classes: list[str],
        texts: list[str],
        vectors: np.ndarray,
        labels: np.ndarray,
        rows: np.ndarray,
        c: float,
        threshold: float,
        config: FineTuneConfig,
    ) -> tuple[IntentModel, np.ndarray]:
        """Fine-tune MiniLM on `rows` (its cosine head starting at the class centroids of the
        frozen `vectors`) and fit logistic regression on the tuned vectors. Returns the model
        (without its probe) and the tuned vectors of `texts`."""
        centroids = np.stack(
            [vectors[rows][labels[rows] == k].mean(0) for k in range(len(classes))]
        )
        encoder = fine_tune([texts[i] for i in rows], labels[rows], centroids, config)
        tuned = encoder.embed(texts)
        return cls._fit_linear(encoder, classes, tuned, labels, rows, c, threshold), tuned

    def _calibrate(
        self,
        vectors: np.ndarray,
        probe_vectors: np.ndarray | None,
        labels: np.ndarray,
        held: np.ndarray,
        max_drop: float,
    ) -> None:
        """Fit the temperature and `min_support` on the `held` rows (unseen in training)."""
        logits = self._logits(vectors[held], None if probe_vectors is None else probe_vectors[held])
        self.temperature = fit_temperature(logits, labels[held])
        predicted = logits.argmax(axis=1)
        support = self.support.of(vectors[held], predicted)
        self.min_support = choose_threshold(support, predicted == labels[held], max_drop)

    def _refit(
        self, vectors: np.ndarray, labels: np.ndarray, probe_vectors: np.ndarray | None, c: float
    ) -> None:
        """Refit the linear head (and the probe's) on all examples, once the held-out part
        has calibrated the model: the calibration rows then also teach the heads."""
        rows = np.arange(len(labels))
        self.coef, self.bias = linear_head(len(self.classes), vectors, labels, rows, c)
        if self.probe is not None and probe_vectors is not None:
            self.probe.coef, self.probe.bias = linear_head(
                len(self.classes), probe_vectors, labels, rows, PROBE_C
            )

    def _logits(self, vectors: np.ndarray, probe_vectors: np.ndarray | None = None) -> np.ndarray:
        """Softmax logits (before the temperature): the head's, plus the probe's if any."""
        logits = np.asarray(vectors @ self.coef.T + self.bias, dtype=np.float64)
        if self.probe is not None and probe_vectors is not None:
            logits += self.probe.logits(probe_vectors)
        return logits

    def scores(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Calibrated class probabilities, shape `(len(texts), len(self.classes))`, and the
        support of the most probable intent: the cosine similarity of each text to the
        closest training example of that intent."""
        texts = [generic_entities(text) for text in texts]
        vectors = self.embedder.embed(texts)
        probe_vectors = self.probe.embedder.embed(texts) if self.probe else None
        probs = _softmax(self._logits(vectors, probe_vectors) / self.temperature)
        return probs, self.support.of(vectors, probs.argmax(axis=1))

    def known(self, probs: np.ndarray, support: np.ndarray) -> np.ndarray:
        """Which of the `scores` rows keep their most probable intent: the rest are
        `out_of_scope` (confidence below `threshold` or support below `min_support`; the
        support rule spares `OPEN_INTENTS`)."""
        open_intent = np.isin(probs.argmax(axis=1), self._open_columns)
        confident = probs.max(axis=1) >= self.threshold
        return confident & ((support >= self.min_support) | open_intent)

    @cached_property
    def _open_columns(self) -> np.ndarray:
        return np.array([i for i, c in enumerate(self.classes) if c in OPEN_INTENTS], dtype=int)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        if not texts:
            return []
        probs, support = self.scores(texts)
        return [
            Prediction(
                self.classes[int(row.argmax())] if known else OUT_OF_SCOPE,
                round(float(row.max()), 4),
            )
            for row, known in zip(probs, self.known(probs, support), strict=True)
        ]

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, Any] = {
            "coef": self.coef,
            "bias": self.bias,
            "support_vectors": self.support.vectors.astype(np.float16),
            "support_labels": self.support.labels,
        }
        if self.probe:
            arrays |= {"probe_coef": self.probe.coef, "probe_bias": self.probe.bias}
        np.savez(directory / "intent_model.npz", **arrays)
        if isinstance(self.embedder, TunedEncoder):
            self.embedder.save(directory)
        meta: dict[str, Any] = {
            "classes": self.classes,
            "threshold": self.threshold,
            "temperature": self.temperature,
            "min_support": self.min_support,
            "embedder": self.embedder.name,
        }
        if self.probe:
            meta |= {"probe_embedder": self.probe.embedder.name, "probe_weight": self.probe.weight}
        (directory / "intent_model.json").write_text(json.dumps(meta, indent=2))

    @staticmethod
    def saved_in(directory: Path) -> bool:
        """Whether `directory` holds a saved model (which may still fail to load)."""
        return (directory / "intent_model.json").exists()

    @classmethod
    def fits(cls, directory: Path, embedder: Embedder) -> bool:
        """Whether `directory` holds a model for `embedder`'s vectors (or one carrying
        its own tuned encoder); a model that cannot be read is left to `load` to report."""
        if not cls.saved_in(directory):
            return False
        try:
            saved = json.loads((directory / "intent_model.json").read_text())["embedder"]
        except (OSError, ValueError, KeyError, TypeError):
            return True
        return saved in (embedder.name, TunedEncoder.name)

    @classmethod
    def load(cls, directory: Path, embedder: Embedder) -> IntentModel:
        """Load a saved model; `embedder` is used unless the model carries its own tuned one.
        A model saved before the support rule existed loads without it (`min_support` 0).
        IndexNotBuilt when there is none, Damaged when its files are."""
        if not cls.saved_in(directory):
            raise IndexNotBuilt(f"no intent model in {directory}; run `shopassist nlu train`")
        try:
            meta = json.loads((directory / "intent_model.json").read_text())
            arrays = np.load(directory / "intent_model.npz")
            probe = cls._load_probe(meta, arrays, embedder)
            if meta["embedder"] == TunedEncoder.name:
                embedder = TunedEncoder.load(directory)
            if "support_vectors" in arrays.files:
                vectors, labels = arrays["support_vectors"], arrays["support_labels"]
            else:
                vectors, labels = np.zeros((0, arrays["coef"].shape[1])), np.zeros(0, int)
            return cls(
                embedder,
                meta["classes"],
                arrays["coef"],
                arrays["bias"],
                Support(vectors.astype(np.float32), labels),
                threshold=meta["threshold"],
                temperature=meta.get("temperature", 1.0),
                min_support=meta.get("min_support", 0.0),
                probe=probe,
            )
        except (OSError, ValueError, KeyError, TypeError, EOFError) as exc:
            raise Damaged(
                f"the intent model in {directory} is damaged ({type(exc).__name__}: {exc}); "
                "run `shopassist nlu train` again"
            ) from exc

    @staticmethod
    def _load_probe(meta: dict, arrays: Any, embedder: Embedder) -> Probe | None:
        """The saved probe on the embedder it was trained on (`embedder` when that is the
        one), None if the model has none; Damaged when that embedder is not available, as
        a probe on other vectors would be meaningless."""
        if "probe_coef" not in arrays.files:
            return None
        frozen = embedder
        if meta["probe_embedder"] != embedder.name:
            try:
                frozen = get_embedder(meta["probe_embedder"])
            except UnknownEmbedderError as exc:
                raise Damaged(
                    f"intent model needs embedder {meta['probe_embedder']!r} ({exc}); "
                    "run `shopassist nlu train`"
                ) from exc
        return Probe(frozen, arrays["probe_coef"], arrays["probe_bias"], meta["probe_weight"])
