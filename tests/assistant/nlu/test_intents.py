"""Local NLU: entities by rule, intents by the trained model."""

from __future__ import annotations

import pytest

from assistant.errors import BadRequest
from assistant.nlu import IntentModel, builtin_examples, extract_entities
from assistant.nlu.entities import CatalogIds
from assistant.nlu.intents import read_examples


def test_entities():
    e = extract_entities(
        "Where is order SA-104233? Also compare the second one and P0012, "
        "email me at jo@example.com, budget $1,250.50 or 30 dollars",
        CatalogIds({"P0012", "P0013"}.__contains__),
    )
    assert e.order_ids == ["SA-104233"]
    assert e.product_ids == ["P0012"]
    assert e.emails == ["jo@example.com"]
    assert e.amounts == [1250.5, 30.0]
    assert e.positions == [2]
    assert extract_entities("is the red one in stock").color_refs == ["red"]
    assert extract_entities("order number 1234567").order_ids == ["1234567"]


def test_builtin_examples_cover_the_contract_intents():
    intents = {intent for _, intent in builtin_examples()}
    shopping = {"product_search", "recommendation", "product_question", "compare_products"}
    cart = {"add_to_cart", "view_cart", "remove_from_cart"}
    assert shopping | cart | {"greeting", "out_of_scope"} <= intents
    assert len(intents - shopping - cart - {"greeting", "out_of_scope"}) == 27  # Bitext's
    assert {"track_order", "cancel_order", "get_refund", "contact_human_agent"} <= intents


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("where is my package", "track_order"),
        ("I want to cancel my order", "cancel_order"),
        ("I want a refund", "get_refund"),
        ("let me speak with a human", "contact_human_agent"),
        ("show me blue running shoes", "product_search"),
        ("compare the first and second", "compare_products"),
        ("what is the weather in Paris", "out_of_scope"),
        # Small talk with the assistant, none of it a training example:
        ("I love you", "out_of_scope"),
        ("how old are you", "out_of_scope"),
        ("what is the bitcoin price", "out_of_scope"),
        ("call my mom", "out_of_scope"),
        ("retractable side awning", "product_search"),
    ],
)
def test_builtin_intents(shop, text, intent):
    assert shop.intents.predict([text])[0].intent == intent


GIFT_CARDS = [
    "I want to buy a gift card",
    "can I purchase a gift voucher",
    "do you sell gift cards",
    "send a gift card to my sister",
    "how do I get an e-gift card",
    "buy a $50 gift certificate",
]
LOYALTY = [
    "how many reward points do I have",
    "check my loyalty points balance",
    "what is my points balance",
    "can I redeem my loyalty points",
    "show my rewards",
    "did I earn points on my last purchase",
]


def test_custom_intents_replace_the_builtins(tmp_path, embedder):
    examples = [(t, "buy_gift_card") for t in GIFT_CARDS] + [(t, "loyalty_points") for t in LOYALTY]
    model = IntentModel.train(examples, embedder)
    assert model.classes == ["buy_gift_card", "loyalty_points"]
    prediction = model.predict(["I'd like a gift card for a friend"])[0]
    assert prediction.intent == "buy_gift_card" and 0 < prediction.confidence <= 1
    model.save(tmp_path)
    reloaded = IntentModel.load(tmp_path, embedder)
    assert reloaded.predict(["how many points have I collected"])[0].intent == "loyalty_points"


def test_bad_example_rows_are_reported_and_skipped(tmp_path, caplog):
    headerless = tmp_path / "headerless.csv"
    headerless.write_text("hi,greeting\nbye\n\n,thanks\nsee you,goodbye\n")
    assert read_examples(headerless) == [("hi", "greeting"), ("see you", "goodbye")]
    assert "headerless.csv:2" in caplog.text and "headerless.csv:4" in caplog.text
    path = tmp_path / "bad.csv"
    path.write_text("text,intent\nhello,\n")
    with pytest.raises(BadRequest, match="no 'text,intent' examples"):
        read_examples(path)
    with pytest.raises(BadRequest, match="cannot read"):
        read_examples(tmp_path / "missing.csv")


def test_a_text_given_two_intents_is_reported(tmp_path, caplog):
    path = tmp_path / "examples.csv"
    path.write_text("where is my parcel,wismo\nWhere is my parcel,giftcard\nhi,greeting\n")
    assert len(read_examples(path)) == 3
    assert "1 texts are examples of more than one intent" in caplog.text
    assert "giftcard, wismo" in caplog.text


def test_an_open_quote_costs_its_row_only(tmp_path, caplog):
    """A quoted field left open is reported; the rows after it still load, and so does a
    field over csv's 128 KiB default."""
    path = tmp_path / "examples.csv"
    long_text = "gift " * 40_000
    path.write_text(
        f'text,intent\nwhere is my parcel,wismo\n"unterminated,wismo\n'
        f'a gift card please,giftcard\n"{long_text}",giftcard\n'
    )
    assert read_examples(path) == [
        ("where is my parcel", "wismo"),
        ("a gift card please", "giftcard"),
        (long_text.strip(), "giftcard"),
    ]
    assert "examples.csv:3: unbalanced quotes" in caplog.text


def test_a_header_names_the_text_and_intent_columns(tmp_path):
    """Data sets' own files load as they are: `utterance,label`, BANKING77's
    `text,category`, Bitext's `flags,utterance,category,intent` (intent over category)."""
    cases = {
        "utterance,label\nhello there,greet\n": [("hello there", "greet")],
        "text,category\nmy card is lost,lost_card\n": [("my card is lost", "lost_card")],
        "flags,utterance,category,intent\nB,where is my parcel,ORDER,track_order\n": [
            ("where is my parcel", "track_order")
        ],
        "hello there,greet\n": [("hello there", "greet")],
    }
    for number, (text, expected) in enumerate(cases.items()):
        path = tmp_path / f"examples{number}.csv"
        path.write_text(text)
        assert read_examples(path) == expected


def test_builtin_confidence_is_calibrated(shop):
    model = shop.intents
    assert 0.05 < model.temperature < 20
    clear, vague, unrelated = model.predict(
        ["I want to cancel my order", "something about the thing", "how tall is mount everest"]
    )
    assert all(0 <= p.confidence <= 1 for p in (clear, vague, unrelated))
    assert clear.intent == "cancel_order" and clear.confidence > 0.8
    assert clear.confidence > vague.confidence
    assert unrelated.intent == "out_of_scope"


def test_quantities_and_ordinals_are_not_colours():
    assert extract_entities("add 2 of the second one to my cart").quantity == 2
    assert extract_entities("put three in my basket").quantity == 3
    third = extract_entities("tell me more about the third one")
    assert third.positions == [3] and third.color_refs == [] and third.quantity is None
