"""The conversation state and the rules for what a follow-up keeps, replaces or relaxes."""

from __future__ import annotations

import pytest

from assistant.conversation import ConversationState, FollowUp
from retrieval.catalog import Product
from retrieval.filters import Filters

SHOWN = ConversationState(
    query="dog toys",
    filters=Filters(price_max=20.0, color="red", brand="Fetchcraft", in_stock=True),
    listing="search",
    shown=["P1", "P2"],
    shown_prices=[12.5, 18.0],
    shown_category="Dog Toys",
)


def test_the_state_round_trips_through_its_saved_form():
    again = ConversationState.from_dict(SHOWN.to_dict())
    assert again == SHOWN
    assert ConversationState.from_dict({"filters": {"color": "red"}, "unknown": 1}).filters == (
        Filters(color="red")
    )


def test_showing_products_records_them_and_their_one_category():
    state = ConversationState(focus="P9")
    state.show(
        [
            Product(id="A", title="a", category="Pets > Dog Toys", price=5.0),
            Product(id="B", title="b", category="Pets > Dog Toys"),
        ]
    )
    assert (state.shown, state.shown_prices, state.shown_category) == (
        ["A", "B"],
        [5.0],
        "Dog Toys",
    )
    assert state.focus is None  # "it" now means one of these


@pytest.mark.parametrize(
    ("message", "dropped"),
    [
        ("forget the price limit", {"price_max"}),
        ("ok then ignore the budget", {"price_max"}),
        ("any colour is fine", {"color"}),
        ("the brand doesn't matter", {"brand"}),
        ("not that brand", {"brand"}),
        ("doesn't have to be in stock", {"in_stock"}),
    ],
)
def test_a_follow_up_lets_go_of_what_it_says(message, dropped):
    follow = FollowUp.read(message)
    assert follow.refines
    kept = follow.filters(SHOWN, Filters()).to_dict()
    assert dropped.isdisjoint(kept)
    assert kept["category"] == "Dog Toys"  # the listing's category stays
    assert set(SHOWN.filters.to_dict()) - dropped <= set(kept)


def test_a_stated_filter_replaces_the_one_in_force():
    filters = FollowUp.read("in blue instead").filters(SHOWN, Filters(color="blue"))
    assert filters.color == "blue" and filters.price_max == 20.0


@pytest.mark.parametrize("message", ["make that 30 instead", "30 instead", "let's say $30"])
def test_a_corrected_amount_replaces_the_price_bound(message):
    follow = FollowUp.read(message)
    assert follow.amount == 30.0
    assert follow.filters(SHOWN, Filters()).price_max == 30.0
    floor = ConversationState(query="jackets", filters=Filters(price_min=100.0))
    assert follow.filters(floor, Filters()).to_dict() == {"price_min": 30.0}


@pytest.mark.parametrize(
    "message", ["anything cheaper?", "hmm, anything less pricey?", "any cheeper ones", "too dear"]
)
def test_cheaper_goes_below_the_cheapest_shown_and_falls_back_to_the_dearest(message):
    follow = FollowUp.read(message)
    assert follow.cheaper and "cheap" not in follow.text
    assert follow.filters(SHOWN, Filters()).price_max == 12.49
    assert follow.fallback_ceiling(SHOWN) == 18.0
    assert follow.fallback_ceiling(ConversationState()) is None  # nothing was shown


def test_turning_a_value_down_lets_the_next_one_replace_it():
    follow = FollowUp.read("no, not L. XL")
    assert follow.corrects and "L." not in follow.text.split() and "XL" in follow.text


def test_a_new_search_keeps_nothing_but_a_price_said_to_be_the_same():
    assert FollowUp.read("now show me headphones").carried(SHOWN) == Filters()
    same = FollowUp.read("and building sets for the same price?")
    assert same.keeps_price and "price" not in same.text
    assert same.carried(SHOWN) == Filters(price_max=20.0)


def test_plain_messages_are_no_refinement():
    for message in ("red building sets", "where is my order SA-102133", "thanks"):
        follow = FollowUp.read(message)
        assert not follow.refines and not follow.keeps_price and follow.text == message
