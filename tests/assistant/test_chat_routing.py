"""Local-tier routing of short product requests, off-topic messages and follow-ups that
nothing in the store fits (demo store, real intent model and indexes)."""

from __future__ import annotations

import pytest

from assistant.llm.local import LocalBackend
from assistant.orchestrator import Assistant
from assistant.tools import Toolbox
from assistant.understanding import names_products, request_topic
from retrieval.catalog import Product


@pytest.fixture
def assistant(shop):
    return Assistant(shop, LocalBackend("Demo"), store_name="Demo", max_chars=4000)


@pytest.mark.parametrize("message", ["1000 piece puzzle", "jigsaw puzzles", "strategy board game"])
def test_short_product_names_search_the_catalog(assistant, message):
    response = assistant.chat(message)
    assert response.intent == "product_search"
    assert response.products
    assert "Which product do you mean" not in response.reply


def test_a_product_title_alone_finds_that_product(assistant, shop):
    for product in list(shop.catalog.engine.products)[:40:8]:
        response = assistant.chat(product.title)
        assert response.intent == "product_search", product.title
        assert product.id in [p["id"] for p in response.products], product.title


@pytest.mark.parametrize(
    "message",
    [
        "what's the weather like in Paris?",
        "tell me a joke",
        "who won the football game last night",
        "write a haiku about autumn leaves",
        "how do I change a flat tyre on my bike",
        "what's the capital of France?",
    ],
)
def test_off_topic_messages_stay_out_of_scope(assistant, message):
    response = assistant.chat(message)
    assert response.intent == "out_of_scope"
    assert not response.products
    assert "Sorry, I can only help with shopping" in response.reply


def test_numbers_alone_name_no_product(assistant):
    response = assistant.chat("what is 2+2")
    assert response.intent != "product_search" and not response.products


def test_customer_service_keeps_its_handling(assistant):
    assert assistant.chat("where is my order").intent == "track_order"
    assert assistant.chat("I want to talk to a human").intent == "contact_human_agent"


def test_question_about_a_shown_product_is_not_a_new_search(assistant):
    first = assistant.chat("jigsaw puzzles")
    second = assistant.chat("how many pieces does the second one have", first.session_id)
    assert second.intent == "product_question"
    assert [p["id"] for p in second.products] == [first.products[1]["id"]]


def test_search_the_store_has_nothing_for_lists_nothing(shop):
    session = shop.db.create_session(None)
    tools = Toolbox(shop, session, None)
    result = tools.search_products("snowboard bindings", max_price=8.0)
    assert result["no_good_match"] is True
    assert result["products"] == []


def test_cheaper_and_cheaper_ends_at_the_cheapest_saying_so(assistant):
    """Each "anything cheaper?" goes below the cheapest shown; once nothing is, the answer
    says so and keeps listing the lowest-priced puzzles: never nothing, never dearer."""
    reply = assistant.chat("jigsaw puzzles")
    assert reply.products
    for _ in range(6):
        cheapest = min(p["price"] for p in reply.products)
        reply = assistant.chat("anything cheaper?", reply.session_id)
        assert reply.products and all("puzzle" in p["title"].lower() for p in reply.products)
        if "nothing cheaper" in reply.reply:
            assert min(p["price"] for p in reply.products) == cheapest
            break
        assert all(p["price"] < cheapest for p in reply.products)
    assert "nothing cheaper than what I showed" in reply.reply


def test_request_topic_and_naming():
    assert request_topic("show me lego sets") == "lego sets"
    assert request_topic("do you have a cast iron skillet") == "cast iron skillet"
    named = [Product(id="p1", title="Acme Wooden Train Set", category="Toys > Trains")]
    assert names_products("wooden trains", named)
    assert names_products("train set size M", named)
    assert not names_products("what's the weather", named)
    assert not names_products("", named)


def test_request_for_something_the_store_lacks_lists_nothing_unrelated(assistant):
    response = assistant.chat("snowboard bindings under $40")
    assert not response.products
    assert "couldn't find anything" in response.reply


def test_a_request_is_searched_for_its_topic(assistant):
    """ "Do you have any ..." is not part of what is searched for, so the category and
    every word of "board games for 4 players" count, however close in meaning the
    embedding puts the whole sentence."""
    response = assistant.chat("do you have any board games for 4 players?")
    assert response.filters == {"category": "Board Games"}
    assert response.products and all(
        p["category"].endswith("Board Games") for p in response.products
    )
    assert "do you have" not in response.reply.split("\n")[0]


@pytest.mark.parametrize(
    ("refine", "stated"),
    [
        ("only in stock please", {"in_stock": True}),
        ("in stock only", {"in_stock": True}),
        ("under $250", {"price_max": 250.0}),
    ],
)
def test_filters_alone_refine_the_listing_whatever_the_intent_model_says(assistant, refine, stated):
    """A follow-up that only states filters refines the listing, also where the intent
    model leans to a product question ("only in stock please": 0.57-0.60 either way)."""
    first = assistant.chat("camping tents")
    assert first.products
    second = assistant.chat(refine, first.session_id)
    assert second.products and stated.items() <= second.filters.items()
    shown = {p["category"] for p in first.products}
    assert {p["category"] for p in second.products} <= shown
    for product in second.products:
        assert product["in_stock"] or "in_stock" not in stated
        assert product["price"] <= stated.get("price_max", product["price"])


def test_a_question_about_it_is_not_a_refinement(assistant):
    first = assistant.chat("camping tents")
    detail = assistant.chat("tell me more about the first one", first.session_id)
    question = assistant.chat("is it in stock?", detail.session_id)
    assert question.intent == "product_question"
    assert [p["id"] for p in question.products] == [first.products[0]["id"]]


@pytest.mark.parametrize(
    ("query", "brand"),
    [("sony headphones", "Sony"), ("le creuset dutch oven", "Le Creuset"), ("JBL earbuds", "Jbl")],
)
def test_a_brand_the_store_does_not_carry_is_reported_unmet(shop, query, brand):
    """A word no product has, right before a kind of product, is a brand: the search says
    it cannot be met instead of listing other brands' products as if they were it."""
    result = shop.catalog.search(query, k=5)
    assert result.filters.brand == brand and result.unmet == ["brand"] and not result.hits


@pytest.mark.parametrize("query", ["nosie cancleing earbuds", "som dog toyz", "nice tent"])
def test_typos_and_wishes_before_a_kind_are_not_brands(shop, query):
    result = shop.catalog.search(query, k=5)
    assert result.filters.brand is None and result.hits
