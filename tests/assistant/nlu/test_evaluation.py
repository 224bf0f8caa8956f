"""Evaluation protocols, calibration and out-of-scope rules on small data with known answers."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import f1_score

from assistant.errors import BadRequest, Damaged
from assistant.nlu import OUT_OF_SCOPE, IntentModel
from assistant.nlu.evaluation import (
    FAR_BITEXT_INTENTS,
    FAR_PER_INTENT,
    OPERATING_ACCURACY,
    _open_scores,
    accuracy,
    few_shot,
    macro_f1,
    run,
)
from assistant.nlu.finetune import FineTuneConfig
from assistant.nlu.intents import (
    PROBE_EMBEDDER,
    PROBE_WEIGHT,
    Support,
    choose_threshold,
    fit_temperature,
    name_example,
    stratified_split,
)
from retrieval.embedder import Embedder

FILLER = ["please", "i", "want", "to", "my", "the", "can", "you"]


class KeywordEmbedder(Embedder):
    """One dimension per known word, one shared dimension for every unknown word; like a
    sentence encoder, it weighs content words (here: non-filler) above filler."""

    name = "keywords"

    def __init__(self, vocabulary: Sequence[str]) -> None:
        self.index = {word: i + 1 for i, word in enumerate(vocabulary)}
        self.dim = len(vocabulary) + 1

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.split():
                vectors[row, self.index.get(word, 0)] += 1.0 if word in FILLER else 3.0
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def _utterances(intent: int, count: int, rng: np.random.Generator) -> list[str]:
    """Each intent owns three keywords; utterances mix one or two of them with filler."""
    keywords = [f"k{intent}a", f"k{intent}b", f"k{intent}c"]
    return [
        " ".join(
            rng.permutation(
                list(rng.choice(keywords, size=rng.integers(1, 3), replace=False))
                + list(rng.choice(FILLER, size=3))
            )
        )
        for _ in range(count)
    ]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, KeywordEmbedder]:
    """12 well-separated intents in the Bitext and BANKING77 file layouts."""
    root = tmp_path_factory.mktemp("nlu-data")
    rng = np.random.default_rng(7)
    names = [f"intent_{i:02d}" for i in range(12)]
    (root / "bitext-intents").mkdir()
    with (root / "bitext-intents" / "bitext_21k.csv").open("w", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(["flags", "utterance", "category", "intent"])
        for i, name in enumerate(names):
            writer.writerows(["B", text, "CAT", name] for text in _utterances(i, 30, rng))
    (root / "banking77").mkdir()
    for split, count in (("train", 60), ("test", 10)):
        with (root / "banking77" / f"{split}.csv").open("w", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["text", "category"])
            for i, name in enumerate(names):
                writer.writerows([text, name] for text in _utterances(i, count, rng))
    return root, KeywordEmbedder(FILLER + [f"k{i}{s}" for i in range(12) for s in "abc"])


def test_metrics_match_sklearn():
    rng = np.random.default_rng(0)
    truth = rng.choice(["a", "b", "c", "d"], size=200).tolist()
    predicted = [t if rng.random() < 0.7 else "b" for t in truth]
    assert accuracy(truth, predicted) == pytest.approx(np.mean(np.equal(truth, predicted)))
    assert macro_f1(truth, predicted) == pytest.approx(f1_score(truth, predicted, average="macro"))
    assert accuracy(["a", "b"], ["a", "b"]) == macro_f1(["a", "b"], ["a", "b"]) == 1.0


def test_splits_are_stratified_and_seeded():
    labels = ["a"] * 50 + ["b"] * 20 + ["c"] * 3
    kept, held = stratified_split(labels, 0.2, seed=1, min_per_class=4)
    assert sorted(np.concatenate([kept, held]).tolist()) == list(range(len(labels)))
    assert [labels[i] for i in held].count("a") == 10
    assert [labels[i] for i in held].count("b") == 4
    assert "c" not in {labels[i] for i in held}  # too few to hold any out
    again = stratified_split(labels, 0.2, seed=1, min_per_class=4)
    assert np.array_equal(held, again[1])
    assert len(stratified_split(labels, 0.0, seed=1)[1]) == 0
    examples = [(f"t{i}", label) for i, label in enumerate(labels)]
    shots = few_shot(examples, 5, seed=3)
    assert [i for _, i in shots].count("a") == 5 and [i for _, i in shots].count("c") == 3
    assert shots == few_shot(examples, 5, seed=3) != few_shot(examples, 5, seed=4)


def test_fit_temperature_recovers_the_true_temperature():
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=4.0, size=(20000, 5))
    scaled = logits / 2.5
    probs = np.exp(scaled - scaled.max(1, keepdims=True))
    probs /= probs.sum(1, keepdims=True)
    targets = np.array([rng.choice(5, p=p) for p in probs])
    assert fit_temperature(logits, targets) == pytest.approx(2.5, rel=0.05)


def test_choose_threshold():
    confidence = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95])
    correct = np.array([0, 1, 0, 1, 1, 1, 1, 1, 1, 1], dtype=bool)
    assert choose_threshold(confidence, correct, 0.0) == 0.2  # free to drop the wrong 0.1
    assert choose_threshold(confidence, correct, 0.1) == 0.4  # may also lose one right one
    assert choose_threshold(confidence, np.ones(10, dtype=bool), 0.0) == 0.1
    assert choose_threshold(confidence, np.zeros(10, dtype=bool), 0.0) > 0.95


def test_support_is_the_similarity_to_the_closest_example_of_the_predicted_intent():
    vectors = np.eye(3, dtype=np.float32)
    support = Support(vectors, np.array([0, 0, 1]))
    queries = np.array([[0.6, 0.8, 0.0], [0.6, 0.8, 0.0]], dtype=np.float32)
    assert support.of(queries, np.array([0, 1])) == pytest.approx([0.8, 0.0])


def test_intent_names_become_examples():
    assert name_example("card_arrival") == "card arrival"
    assert name_example("top-up__limits") == "top up limits"


def test_support_rejects_other_domains_that_confidence_accepts(synthetic):
    """Filler only: the softmax still picks an intent, but nothing like it was seen."""
    _, embedder = synthetic
    rng = np.random.default_rng(2)
    examples = [(t, f"intent_{i}") for i in range(12) for t in _utterances(i, 60, rng)]
    # Synthetic supports come in tied steps; the budget must cover the lowest step.
    model = IntentModel.train(examples, embedder, threshold=0.0, max_drop=0.1)
    assert model.min_support > 0
    assert model.predict(["k3a k3b please"])[0].intent == "intent_3"
    assert model.predict(["please can you the"])[0].intent == OUT_OF_SCOPE
    uncalibrated = IntentModel.train(examples, embedder, threshold=0.0, calibration=0.0)
    assert uncalibrated.min_support == 0.0 and uncalibrated.threshold == 0.0


def test_a_model_saved_without_support_loads_without_the_rule(synthetic, tmp_path):
    _, embedder = synthetic
    rng = np.random.default_rng(3)
    examples = [(t, f"intent_{i}") for i in range(12) for t in _utterances(i, 60, rng)]
    IntentModel.train(examples, embedder).save(tmp_path)
    arrays = dict(np.load(tmp_path / "intent_model.npz"))
    np.savez(tmp_path / "intent_model.npz", coef=arrays["coef"], bias=arrays["bias"])
    meta = json.loads((tmp_path / "intent_model.json").read_text())
    del meta["min_support"]
    (tmp_path / "intent_model.json").write_text(json.dumps(meta))
    legacy = IntentModel.load(tmp_path, embedder)
    assert legacy.min_support == 0.0
    assert legacy.predict(["please can you the", "k3a k3b please"])[1].intent == "intent_3"


def test_closed_set_protocols_on_separable_data(synthetic):
    root, embedder = synthetic
    bitext = run("bitext", root, embedder, method="linear")
    assert bitext["test_examples"] == 12 * 6 and bitext["train_examples"] == 12 * 24
    assert bitext["accuracy"] == bitext["macro_f1"] == 1.0
    shot = run("banking77-10shot", root, embedder, method="linear", seeds=(0, 1))
    assert len(shot["runs"]) == 2 and shot["runs"][0]["train_examples"] == 120
    assert shot["accuracy"] == pytest.approx(
        np.mean([r["accuracy"] for r in shot["runs"]]), abs=1e-4
    )
    assert shot["accuracy"] >= 0.9
    with pytest.raises(BadRequest, match="unknown NLU protocol"):
        run("nope", root, embedder)


def test_out_of_scope_protocol_rejects_unseen_intents(synthetic):
    root, embedder = synthetic
    # 2% of 54 held-out examples is one, less than the lowest tied step of synthetic supports.
    result = run("oos", root, embedder, method="linear", max_drop=0.05)
    assert result["unseen_intents"] == 3
    assert result["in_scope_accuracy"] >= 0.95
    assert result["oos_recall"] >= 0.8
    assert 0 < result["min_support"] <= 1
    assert result["far_examples"] == 0 and result["far_oos_recall"] is None  # no other domains


def test_full_protocol_also_scores_the_out_of_scope_rule_on_other_domains(synthetic, tmp_path):
    """With Bitext utterances of an intent outside banking, `banking77-full` reports the
    accuracy with the rule as well as without it, and how many of them it rejects."""
    root, embedder = synthetic
    (tmp_path / "banking77").symlink_to(root / "banking77")
    (tmp_path / "bitext-intents").mkdir()
    rng = np.random.default_rng(5)
    with (tmp_path / "bitext-intents" / "bitext_21k.csv").open("w", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(["flags", "utterance", "category", "intent"])
        for n in range(FAR_PER_INTENT + 10):
            filler = " ".join(rng.choice(FILLER, size=4))  # no intent's keyword
            writer.writerow(["B", filler, "CAT", FAR_BITEXT_INTENTS[n % 2]])
    # As for oos: the budget must cover the lowest tied step of synthetic supports.
    result = run("banking77-full", tmp_path, embedder, method="linear", max_drop=0.05)
    assert result["far_examples"] == FAR_PER_INTENT + 10  # fewer than asked of each intent
    assert result["far_oos_recall"] == result["far_oos_recall_at"] == 1.0
    assert result["at_in_scope_accuracy"] == OPERATING_ACCURACY
    assert result["accuracy"] == 1.0 >= result["in_scope_accuracy"] >= 0.95
    assert result["in_scope_rejected"] == pytest.approx(1 - result["in_scope_accuracy"])
    assert 0 < result["min_support"] <= 1
    assert "far_examples" not in run("banking77-full", root, embedder, method="linear")


def test_no_operating_point_below_the_closed_set_accuracy(synthetic):
    """A model right on fewer test utterances than `OPERATING_ACCURACY` has no threshold to
    read the far recall at; the calibrated rule is still scored."""
    _, embedder = synthetic
    rng = np.random.default_rng(4)
    examples = [(t, f"intent_{i}") for i in range(12) for t in _utterances(i, 60, rng)]
    model = IntentModel.train(examples, embedder, threshold=0.0, max_drop=0.05)
    texts = [t for i in range(12) for t in _utterances(i, 5, rng)]
    probs, support = model.scores(texts)
    wrong = np.zeros(len(texts), dtype=bool)  # every test utterance labelled another intent
    scores = _open_scores(model, wrong, probs, support, ["please can you the"])
    assert scores["far_oos_recall_at"] is None and scores["in_scope_accuracy"] == 0.0
    assert scores["far_oos_recall"] == 1.0 and scores["far_examples"] == 1


def test_confidence_is_calibrated_and_rejects_unrelated_text(synthetic):
    _, embedder = synthetic
    rng = np.random.default_rng(1)
    examples = [(t, f"intent_{i}") for i in range(12) for t in _utterances(i, 60, rng)]
    model = IntentModel.train(examples, embedder, threshold=0.5)
    assert model.temperature != 1.0  # fitted on the held-out tenth
    clear, mixed, unrelated = model.predict(["k1a k1b please", "k1a k2a", "weather in paris"])
    assert clear.intent == "intent_1"
    assert all(0 <= p.confidence <= 1 for p in (clear, mixed, unrelated))
    assert clear.confidence > mixed.confidence > unrelated.confidence
    assert unrelated.intent == OUT_OF_SCOPE
    probs, _ = model.scores(["k1a k1b please"])
    assert probs.shape == (1, 12) and probs.sum() == pytest.approx(1.0)


GIFT = ["I want to buy a gift card", "do you sell gift cards", "buy a $50 gift certificate"]
POINTS = ["how many reward points do I have", "check my loyalty points", "show my rewards"]


@pytest.mark.parametrize("method", ["linear", "finetune"])
def test_save_load_round_trip(tmp_path, embedder, mpnet, method):
    examples = [(t, "gift") for t in GIFT] + [(t, "points") for t in POINTS]
    model = IntentModel.train(examples, embedder, method=method, finetune=FineTuneConfig(epochs=2))
    model.save(tmp_path)
    reloaded = IntentModel.load(tmp_path, embedder)
    texts = ["a gift card for my mum", "my points balance", "hello there"]
    assert reloaded.predict(texts) == model.predict(texts)
    assert [p.intent for p in reloaded.predict(texts[:2])] == ["gift", "points"]
    if method == "finetune":
        assert (tmp_path / "encoder.safetensors").stat().st_size < 60e6  # bf16 weights
        assert reloaded.probe is not None and reloaded.probe.embedder.name == PROBE_EMBEDDER
    else:
        assert model.probe is None and reloaded.probe is None


def test_finetuned_logits_add_the_frozen_probe(tmp_path, embedder, mpnet):
    """The fine-tuned model's logits are its tuned head's plus the weighted probe's, on the
    frozen mpnet vectors; a saved probe whose embedder is not available does not load."""
    examples = [(t, "gift") for t in GIFT] + [(t, "points") for t in POINTS]
    model = IntentModel.train(
        examples,
        embedder,
        method="finetune",
        finetune=FineTuneConfig(epochs=1),
        probe_embedder=mpnet,
    )
    assert model.probe is not None and model.probe.weight == PROBE_WEIGHT
    assert model.probe.embedder is mpnet and model.probe.coef.shape == (2, 768)
    texts = ["a gift card for my mum", "my points balance"]
    tuned, frozen = model.embedder.embed(texts), mpnet.embed(texts)
    expected = (
        tuned @ model.coef.T
        + model.bias
        + PROBE_WEIGHT * (frozen @ model.probe.coef.T + model.probe.bias)
    )
    np.testing.assert_allclose(model._logits(tuned, frozen), expected, rtol=1e-5, atol=1e-5)
    model.save(tmp_path)
    meta = json.loads((tmp_path / "intent_model.json").read_text())
    (tmp_path / "intent_model.json").write_text(json.dumps(meta | {"probe_embedder": "word2vec"}))
    with pytest.raises(Damaged, match="needs embedder 'word2vec'"):
        IntentModel.load(tmp_path, embedder)


def test_unknown_method(embedder):
    with pytest.raises(BadRequest, match="unknown training method"):
        IntentModel.train([("a", "x"), ("b", "y")], embedder, method="magic")


def test_a_model_too_small_to_hold_out_still_rejects_unrelated_text(embedder):
    """Too few examples to calibrate on: `min_support` comes from each example's support
    among the others of its intent, so other topics are out of scope while paraphrases
    are not."""
    examples = [(t, "gift") for t in GIFT] + [(t, "points") for t in POINTS]
    model = IntentModel.train(examples, embedder)
    assert model.min_support == pytest.approx(model.support.left_out(None).min())
    texts = ["a gift card for my mum", "my points balance", "how do I bake sourdough bread"]
    assert [p.intent for p in model.predict(texts)] == ["gift", "points", OUT_OF_SCOPE]
    support = Support(np.eye(3, dtype=np.float32)[[0, 0, 1, 2]], np.array([0, 0, 1, 2]))
    np.testing.assert_allclose(support.left_out(None), [1.0, 1.0])  # 1 and 2 stand alone
    assert len(support.left_out(0)) == 0
