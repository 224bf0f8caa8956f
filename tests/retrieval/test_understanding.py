"""Response fields of a search: "cheap", unmet constraints, facets, no-good-match, and
the lexical side's typo and synonym tolerance."""

from __future__ import annotations

import numpy as np

from retrieval.filters import Filters, Vocabulary, parse_query
from retrieval.lexical import LexicalIndex, expand_synonyms
from retrieval.search import CHEAP_PERCENTILE, SearchEngine

from .conftest import TOY_STORE


def test_cheap_is_read_from_the_query() -> None:
    parsed = parse_query("cheap board game", Vocabulary())
    assert parsed.cheap and parsed.text == "board game" and parsed.filters.is_empty()
    assert not parse_query("board game", Vocabulary()).cheap


def test_cheap_means_the_lower_quartile_of_what_is_asked(engine: SearchEngine) -> None:
    puzzles = [p.price for p in TOY_STORE if "Puzzles" in p.category and p.price]
    result = engine.search("cheap puzzles", k=10)
    assert result.filters.price_max == round(float(np.percentile(puzzles, CHEAP_PERCENTILE)), 2)
    assert result.hits and all(h.product.price <= result.filters.price_max for h in result.hits)  # type: ignore[operator]
    stated = engine.search("cheap puzzles under $30")  # an explicit price wins
    assert stated.filters.price_max == 30


def test_unmet_constraints_are_named_and_never_dropped(engine: SearchEngine) -> None:
    result = engine.search("puzzle", filters=Filters(brand="Nonexistent Brand"))
    assert result.hits == [] and result.unmet == ["brand"]
    both = engine.search("toy", filters=Filters(brand="LEGO", price_max=1))
    assert both.hits == [] and both.unmet == ["price_max"]
    together = engine.search("toy", filters=Filters(brand="GUND", color="orange"))
    assert together.hits == [] and together.unmet == ["brand", "color"]
    assert engine.search("puzzle").unmet == []


def test_piece_counts_and_ages_are_hard_filters(engine: SearchEngine) -> None:
    thousand = engine.search("1000 piece puzzle", k=10)
    assert [h.product.id for h in thousand.hits] == ["puzzle-night"]
    assert thousand.filters.pieces_min == thousand.filters.pieces_max == 1000
    assert engine.search("5000 piece puzzle").unmet == ["pieces_min"]
    toddler = engine.search("puzzle for a 2 year old", k=10)
    assert toddler.hits and "puzzle-night" not in [h.product.id for h in toddler.hits]
    assert all(toddler.filters.matches(h.product) for h in toddler.hits)


def test_facets_count_the_matching_products(engine: SearchEngine) -> None:
    facets = engine.search("", k=3, filters=Filters(brand="LEGO")).facets
    assert facets["brand"] == {"LEGO": 3}
    assert facets["category"] == {"Toys & Games > Building Toys": 3}
    assert facets["price"] == {"10-25": 1, "25-50": 1, "50-100": 1}
    text = engine.search("puzzle", k=2).facets
    assert sum(text["category"].values()) >= 3  # counts all candidates, not only k hits


def test_no_good_match_for_things_the_store_does_not_sell(engine: SearchEngine) -> None:
    assert engine.search("laptop charger").no_good_match
    assert not engine.search("fire station").no_good_match
    assert not engine.search("teddy bear").no_good_match


def test_typos_are_corrected_on_the_lexical_side() -> None:
    texts = ["wooden dinosaur puzzle", "bamboo skateboard", "lego police car", "dinosaur"]
    index = LexicalIndex.build(texts)
    assert index.correct("dinosuar") == "dinosaur"  # swapped letters
    assert index.correct("skatebord") == "skateboard"  # a missing letter
    assert index.correct("legoo") == "lego"  # an extra letter
    assert index.correct("xyzzy") == "xyzzy"  # nothing close
    assert index.correct("car") == "car"  # too short to correct
    assert index.scores("dinosuar")[[0, 3]].all()
    assert int(np.argmax(index.scores("skatebord"))) == 1
    assert int(np.argmax(index.scores("legoo polise"))) == 2
    assert not index.scores("dinosuar", fuzzy=False).any()


def test_synonyms_expand_the_query() -> None:
    assert (
        expand_synonyms("Rollerblades for kids") == "Rollerblades for kids inline skates children"
    )
    assert expand_synonyms("puzzle") == "puzzle"
    index = LexicalIndex.build(["adult inline skates", "kick scooter"])
    assert index.scores("rollerblades")[0] > 0 and index.scores("rollerblades")[1] == 0


def test_coverage_weighs_query_words_by_idf() -> None:
    index = LexicalIndex.build(["red fire truck", "red ball", "blue ball"])
    covered = index.coverage("red fire truck", np.array([0, 1, 2]))
    assert covered[0] == 1.0 and 0 < covered[1] < 0.5 and covered[2] == 0
    assert index.coverage("laptop", np.array([0]))[0] == 0
