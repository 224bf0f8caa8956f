from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from retrieval.catalog import Product
from retrieval.columns import CatalogColumns
from retrieval.filters import Filters, Vocabulary, parse_query

from .conftest import TOY_STORE


def _product(**fields: Any) -> Product:
    return Product(id="p", title=fields.pop("title", "Thing"), **fields)


@pytest.mark.parametrize(
    ("filters", "product", "expected"),
    [
        (Filters(price_max=20), _product(price=19.99), True),
        (Filters(price_max=20), _product(price=20.01), False),
        (Filters(price_min=20), _product(price=20.0), True),
        (Filters(price_min=1), _product(), False),  # unknown price fails a price bound
        (Filters(category="Puzzles"), _product(category="Toys & Games > Puzzles > 3-D"), True),
        (Filters(category="toys & games"), _product(category="Toys & Games > Puzzles"), True),
        (
            Filters(category="Toys & Games | Puzzles"),
            _product(category="Toys & Games > Puzzles"),
            True,
        ),
        (Filters(category="Toys and Games"), _product(category="Toys & Games > Puzzles"), True),
        (Filters(category="Toys"), _product(category="Toys & Games > Puzzles"), False),
        (
            Filters(category="Puzzles > 3-D"),
            _product(category="Toys & Games > Puzzles > 3-D"),
            True,
        ),
        (Filters(category="Games > Puzzles"), _product(category="Toys & Games > Puzzles"), False),
        (Filters(brand="lego"), _product(brand="LEGO"), True),
        (Filters(brand="Melissa  & doug"), _product(brand="Melissa & Doug"), True),
        (Filters(brand="Lego"), _product(brand="Lego Duplo"), False),
        (Filters(brand="Lego"), _product(), False),
        (Filters(color="red"), _product(color="Red/Black"), True),
        (Filters(color="gray"), _product(color="Dark Grey"), True),
        (Filters(color="red"), _product(color="Blue"), False),
        (Filters(color="red"), _product(title="Red Fire Truck"), True),  # no colour field
        (Filters(color="red"), _product(title="Red Fire Truck", color="Blue"), False),
        (Filters(in_stock=True), _product(stock=None), True),
        (Filters(in_stock=True), _product(stock=0), False),
        (Filters(in_stock=False), _product(stock=0), True),
        (Filters(), _product(), True),
        # Ages: the stated range must overlap; a product that states none passes.
        (Filters(age_min=3, age_max=3), _product(description="Ages 3 and up"), True),
        (Filters(age_min=3, age_max=3), _product(description="ages 14+"), False),
        (Filters(age_max=2), _product(description="For ages 3-5"), False),
        (Filters(age_min=6), _product(description="For ages 3-5"), False),
        (Filters(age_min=4, age_max=4), _product(description="For ages 3-5"), True),
        (Filters(age_min=3, age_max=3), _product(), True),
        # Piece counts: a product without one fails.
        (Filters(pieces_min=1000, pieces_max=1000), _product(title="1000 Piece Puzzle"), True),
        (Filters(pieces_min=1000), _product(title="500 Piece Puzzle"), False),
        (Filters(pieces_max=100), _product(title="Puzzle"), False),
        (Filters(size="medium"), _product(size="S/M/L"), True),
        (Filters(size="xl"), _product(size="Large"), False),
        (Filters(size="m"), _product(), False),
        (
            Filters(price_max=30, brand="LEGO", in_stock=True),
            _product(brand="LEGO", price=10),
            True,
        ),
    ],
)
def test_filters_match(filters: Filters, product: Product, expected: bool) -> None:
    assert filters.matches(product) is expected
    assert bool(CatalogColumns([product]).mask(filters)[0]) is expected


def test_filter_mask_agrees_with_matches_on_catalog() -> None:
    columns = CatalogColumns(TOY_STORE)
    cases = [
        Filters(price_max=20),
        Filters(price_min=20, price_max=50, in_stock=True),
        Filters(category="Toys & Games"),
        Filters(category="Board Games"),
        Filters(brand="gund", in_stock=False),
        Filters(color="blue"),
        Filters(color="red", category="toys & games"),
        Filters(age_min=3, age_max=3),
        Filters(age_min=8),
        Filters(pieces_min=500),
        Filters(size="m"),
    ]
    for filters in cases:
        assert columns.mask(filters).tolist() == [filters.matches(p) for p in TOY_STORE], filters


def test_filters_merge_dict_and_emptiness() -> None:
    parsed = Filters(price_max=20, brand="LEGO")
    merged = parsed.merged(Filters(price_max=50, in_stock=True))
    assert merged == Filters(price_max=50, brand="LEGO", in_stock=True)
    assert merged.to_dict() == {"price_max": 50, "brand": "LEGO", "in_stock": True}
    assert Filters().is_empty() and not merged.is_empty()
    assert Filters(in_stock=False).to_dict() == {"in_stock": False}


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return CatalogColumns(TOY_STORE).vocabulary(np.ones(len(TOY_STORE), dtype=bool))


def test_vocabulary_from_products(vocabulary: Vocabulary) -> None:
    assert {"LEGO", "Melissa & Doug", "Mega Bloks"} <= set(vocabulary.brands)
    colours = ("black", "blue", "brown", "green", "grey", "orange", "pink", "red", "white")
    assert vocabulary.colors == colours
    assert {"Puzzles", "Jigsaw Puzzles", "Board Games", "Toys & Games"} <= set(
        vocabulary.categories
    )


@pytest.mark.parametrize(
    ("query", "text", "filters"),
    [
        ("puzzles under $20", "puzzles", {"price_max": 20.0, "category": "Puzzles"}),
        ("puzzle below 20", "puzzle", {"price_max": 20.0, "category": "Puzzles"}),
        ("scooter less than 20 dollars", "scooter", {"price_max": 20.0, "category": "Scooters"}),
        ("kite less than 20 dollars", "kite", {"price_max": 20.0}),
        ("drone over 50", "drone", {"price_min": 50.0}),
        ("more than $50", "", {"price_min": 50.0}),
        ("longboard at least $1,000", "longboard", {"price_min": 1000.0}),
        (
            "board game between $30 and $50",
            "board game",
            {"price_min": 30.0, "price_max": 50.0, "category": "Board Games"},
        ),
        (
            "$30-$50 board games",
            "board games",
            {"price_min": 30.0, "price_max": 50.0, "category": "Board Games"},
        ),
        ("toy from 10 to 20", "toy", {"price_min": 10.0, "price_max": 20.0}),
        ("gift for under 25.50 in stock", "gift", {"price_max": 25.5, "in_stock": True}),
        (
            "available jigsaw puzzle",
            "jigsaw puzzle",
            {"in_stock": True, "category": "Jigsaw Puzzles"},
        ),
        ("red lego", "", {"brand": "LEGO", "color": "red"}),
        ("lego star wars under 50", "star wars", {"brand": "LEGO", "price_max": 50.0}),
        (
            "melissa and doug farm puzzle",
            "farm puzzle",
            {"brand": "Melissa & Doug", "category": "Puzzles"},
        ),
        (
            "Mega Bloks for toddlers",
            "toddlers",
            {"brand": "Mega Bloks", "age_min": 1.0, "age_max": 3.0},
        ),
        ("gray spaceship", "spaceship", {"color": "grey"}),
        ("teddy bears for kids", "teddy bears for kids", {"category": "Teddy Bears"}),
        # Ages, piece counts and other numbers are not prices.
        ("toys for kids under 5", "toys for kids", {"age_max": 4.0}),
        ("puzzle over 500 pieces", "puzzle", {"pieces_min": 500, "category": "Puzzles"}),
        ("dice for 3-5 players", "dice for 3-5 players", {}),
        ("helmet for ages 8+", "helmet", {"age_min": 8.0}),
        (
            "1,000-piece puzzle under $20",
            "puzzle",
            {"pieces_min": 1000, "pieces_max": 1000, "price_max": 20.0, "category": "Puzzles"},
        ),
        ("blocks with fewer than 50 pcs", "blocks", {"pieces_max": 50}),
        ("gift for a 3 year old", "gift", {"age_min": 3.0, "age_max": 3.0}),
        ("rattle for my 6-month-old", "rattle", {"age_min": 0.5, "age_max": 0.5}),
        ("science kit ages 8 to 12", "science kit", {"age_min": 8.0, "age_max": 12.0}),
        (
            "board games for adults",
            "board games for adults",
            {"age_min": 18.0, "category": "Board Games"},
        ),
        # A category word inside a longer name is not a category filter (and the toy store
        # has too few jigsaws for the word to imply one: see test_kinds).
        ("starry night van gogh jigsaw puzzle", "starry night van gogh jigsaw puzzle", {}),
        # Colours the catalog does not use are ordinary words.
        ("purple dinosaur", "purple dinosaur", {}),
        ("", "", {}),
    ],
)
def test_parse_query(
    vocabulary: Vocabulary, query: str, text: str, filters: dict[str, Any]
) -> None:
    parsed = parse_query(query, vocabulary)
    assert (parsed.text, parsed.filters.to_dict()) == (text, filters)


def test_parse_query_swaps_reversed_range(vocabulary: Vocabulary) -> None:
    parsed = parse_query("between 50 and 30", vocabulary)
    assert (parsed.filters.price_min, parsed.filters.price_max) == (30.0, 50.0)


def test_parse_query_with_empty_vocabulary() -> None:
    parsed = parse_query("red lego under $20", Vocabulary())
    assert (parsed.text, parsed.filters) == ("red lego", Filters(price_max=20.0))


def test_a_word_for_whom_is_not_a_category_after_another_word() -> None:
    vocabulary = Vocabulary(categories=("Boys", "Costumes", "Bedding"))
    gift = parse_query("toys for a 10 year old boy under $30", vocabulary).filters
    assert gift.category is None and gift.age_min == 10 and gift.price_max == 30
    assert parse_query("boys", vocabulary).filters.category == "Boys"
    assert parse_query("bedding for a boy's bedroom", vocabulary).filters.category == "Bedding"


@pytest.mark.parametrize(
    ("query", "expected", "text"),
    [
        # negated floors are ceilings
        ("nothing over $50, for a board game", {"price_max": 50.0}, "board game"),
        ("phone charger, not more than 30", {"price_max": 30.0}, "phone charger"),
        ("no pricier than 40 dollars please", {"price_max": 40.0}, ""),
        # budgets and spending
        ("my budget is 40, need a lamp", {"price_max": 40.0}, "need a lamp"),
        ("budget: $60. jacket?", {"price_max": 60.0}, "jacket?"),
        ("on a $20 budget, looking for a jigsaw", {"price_max": 20.0}, "looking for a jigsaw"),
        ("I can spend about $25 on a mug", {"price_max": 25.0}, "I on a mug"),
        # ceilings after the amount, and symbols
        ("cast iron skillet $25 max", {"price_max": 25.0}, "cast iron skillet"),
        ("board game 30 tops", {"price_max": 30.0}, "board game"),
        ("lamp 45 or less", {"price_max": 45.0}, "lamp"),
        ("sleeping pad <$100", {"price_max": 100.0}, "sleeping pad"),
        ("$50+ headphones", {"price_min": 50.0}, "headphones"),
        # ranges and numbers in words
        ("puzzle in the 50-80 range", {"price_min": 50.0, "price_max": 80.0}, "puzzle"),
        ("tent under ten bucks", {"price_max": 10.0}, "tent"),
        ("two hundred fifty max for a pan", {"price_max": 250.0}, "pan"),
        ("twenty quid max", {"price_max": 20.0}, ""),
        # not prices
        ("headphones about 80 bucks", {}, "headphones about 80 bucks"),
        ("up to 4 players", {}, "up to 4 players"),
        ("A Tale of Two Cities", {}, "Tale of Two Cities"),  # a leading "a" goes
        # ages said otherwise
        ("card game for a 7 yo", {"age_min": 7.0, "age_max": 7.0}, "card game"),
        ("my kid is 4, any building sets?", {"age_min": 4.0, "age_max": 4.0}, "any building sets?"),
        ("puzzle for a child aged 6", {"age_min": 6.0, "age_max": 6.0}, "puzzle"),
    ],
)  # fmt: skip
def test_constraints_said_the_ways_shoppers_say_them(query, expected, text) -> None:
    parsed = parse_query(query, Vocabulary())
    assert parsed.filters.to_dict() == expected
    assert parsed.text == text


def test_a_size_is_the_catalogs_own_when_it_names_one() -> None:
    """Read in capitals, as catalogs write sizes ("US 10", "M"); matching ignores case."""
    shoes = Vocabulary(sizes=frozenset({"us 10", "us 10.5", "m"}))
    assert parse_query("boots size 10", shoes).filters.size == "US 10"
    assert parse_query("jacket size m", shoes).filters.size == "M"
    both = Vocabulary(sizes=frozenset({"us 10", "eu 10"}))
    assert parse_query("boots size 10", both).filters.size == "10"  # not one: as said
