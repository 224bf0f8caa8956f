"""The kinds of product a catalog's titles name, and the categories they imply."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.catalog import Product
from retrieval.columns import CatalogColumns
from retrieval.filters import Vocabulary, parse_query
from retrieval.kinds import singular, title_terms


@pytest.mark.parametrize(
    ("title", "brand", "kind"),
    [
        ("Wren & Rowe Aster Waterproof Hiking Boots - Olive", "Wren & Rowe", ["hiking", "boot"]),
        ("Brewhaven House Whole Bean Coffee, Dark Roast", "Brewhaven", ["bean", "coffee"]),
        ("Voltnest 10,000 mAh Portable Power Bank - Blue", "Voltnest", ["power", "bank"]),
        ("The Orchid Cipher by Jonah Pike (Paperback)", "", ["jonah", "pike", "paperback"]),
    ],
)  # fmt: skip
def test_a_title_names_its_kind_at_the_end_of_its_main_part(title, brand, kind) -> None:
    assert title_terms(title, brand) == kind


def test_one_spelling_for_singular_and_plural() -> None:
    assert singular("earbuds") == "earbud" and singular("batteries") == "battery"
    assert singular("glass") == "glass"


def _store() -> list[Product]:
    def product(n: int, title: str, category: str) -> Product:
        return Product(id=f"p{n}", title=title, category=category, price=10.0)

    titles = [
        ("Acme Wireless Earbuds", "Electronics > Headphones"),
        ("Zeta Sport Earbuds", "Electronics > Headphones"),
        ("Bolt Noise Earbuds - Red", "Electronics > Headphones"),
        ("Acme Trail Tent", "Outdoors > Camping"),
        ("Zeta Family Tent", "Outdoors > Camping"),
        ("Bolt Dome Tent", "Outdoors > Camping"),
        ("Acme Rain Jacket", "Clothing > Jackets"),
        ("Zeta Rain Boots", "Clothing > Shoes"),
        ("Bolt Rain Poncho", "Clothing > Jackets"),
    ]
    return [product(n, title, category) for n, (title, category) in enumerate(titles)]


def test_a_kind_word_implies_the_category_nearly_all_its_products_share() -> None:
    columns = CatalogColumns(_store())
    vocabulary = columns.vocabulary(np.ones(len(columns), dtype=bool))
    kinds = dict(vocabulary.kinds)
    assert kinds["earbud"] == "Headphones" and kinds["tent"] == "Camping"
    assert "rain" not in kinds  # jackets, boots, ponchos: one department, no one category
    assert parse_query("earbuds under $30", vocabulary).filters.category == "Headphones"
    assert parse_query("a tent for 4 people", vocabulary).filters.category == "Camping"
    assert parse_query("rain gear", vocabulary).filters.category is None
    # Once a kind's products are gone, the word implies nothing.
    alive = np.array([not p.title.endswith("Tent") for p in _store()])
    assert "tent" not in dict(columns.vocabulary(alive).kinds)


def test_a_brand_is_read_through_one_typing_slip() -> None:
    vocabulary = Vocabulary(brands=("Northfell", "Kettlecraft", "Meeple Meadow", "Acme"))
    for query, brand in [
        ("northfel jacket", "Northfell"),
        ("kettelcraft tea", "Kettlecraft"),
        ("meeple medow games", "Meeple Meadow"),
    ]:
        assert parse_query(query, vocabulary).filters.brand == brand
    assert parse_query("acne cream", vocabulary).filters.brand is None  # too short to guess
