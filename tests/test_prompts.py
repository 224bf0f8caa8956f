"""Templates render, and a missing variable is an error rather than a blank."""

from __future__ import annotations

import pytest

from prompts import TITLE_CHARS, PromptError, names, render, short_title


def test_missing_variable_is_an_error():
    with pytest.raises(PromptError, match="order_id"):
        render("order_not_found")


def test_unknown_template():
    with pytest.raises(PromptError, match="no template"):
        render("no-such-template")


def test_the_system_prompt_is_the_same_every_turn_and_the_turn_context_says_what_changes():
    rules = render("system", store_name="Acme")
    assert "Acme" in rules and "search_products" in rules
    anonymous = render("turn_context", signed_in=False, context="")
    assert "not signed in" in anonymous and "conversation so far" not in anonymous
    context = '{"filters": {"max_price": 20.0, "in_stock_only": true}}'
    shown = render("turn_context", signed_in=True, context=context)
    assert context in shown and "is signed in" in shown


def test_money_is_written_as_shoppers_read_it():
    from retrieval.catalog import Product

    cheap = Product(id="a", title="A", price=1234.5)
    euro = Product(id="b", title="B", price=7.0, currency="EUR")
    unpriced = Product(id="c", title="C")
    assert "$1,234.50" in render("product_detail", p=cheap)
    assert "7.00 EUR" in render("product_detail", p=euro)
    assert "price on request" in render("product_detail", p=unpriced)


def test_every_template_is_listed():
    assert {"system", "search_results", "order_status", "policy_answer", "refusal"} <= set(names())


def test_stock_is_only_claimed_when_the_catalog_gives_it():
    from retrieval.catalog import Product

    unknown, counted = Product(id="a", title="A", price=1.0), Product(id="b", title="B", stock=0)
    assert "Availability" not in render("product_detail", p=unknown)
    assert "Availability: out of stock" in render("product_detail", p=counted)
    compared = render("compare", products=[unknown, counted], cheapest=None, best_rated=None)
    assert compared.count("stock") == 1 and "out of stock" in compared


def test_long_titles_are_shortened_at_a_word() -> None:
    title = "Wooden Puzzle Box " + "with a very long description, " * 20
    short = short_title(title)
    assert len(short) <= TITLE_CHARS and short.endswith("long…")
    assert title.startswith(short[:-1]) and title[len(short) - 1] == " "  # cut at a word
    assert short_title("LEGO City Police Car") == "LEGO City Police Car"
    assert short_title("x" * 500) == "x" * (TITLE_CHARS - 1) + "…"
