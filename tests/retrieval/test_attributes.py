from __future__ import annotations

import math

import pytest

from retrieval.attributes import AgeRange, age_range, normalize_size, piece_count, sizes
from retrieval.catalog import Product


def _product(title: str = "Thing", description: str = "", **attributes: str) -> Product:
    return Product(id="p", title=title, description=description, attributes=attributes)


@pytest.mark.parametrize(
    ("product", "expected"),
    [
        (_product(spec="Manufacturer recommended age: 3 years and up"), AgeRange(3.0)),
        (_product(spec="Manufacturerrecommendedage:14yearsandup"), AgeRange(14.0)),
        (_product(spec="Manufacturer recommended age: 36 months - 10 years"), AgeRange(3, 10)),
        (_product(description="Great fun for ages 8+."), AgeRange(8.0)),
        (_product(description="For kids 3-5 years old"), AgeRange(3.0, 5.0)),
        (_product(description="Soft rattle, 6 months and up"), AgeRange(0.5)),
        # The explicit "recommended age" wins over a looser mention elsewhere.
        (_product("Toy for 2 years and up", spec="Recommended age: 4 years and up"), AgeRange(4)),
        (_product(description="Comes with a 3 years warranty"), None),
        (_product(), None),
    ],
)
def test_age_range(product: Product, expected: AgeRange | None) -> None:
    assert age_range(product) == expected


def test_age_range_overlap() -> None:
    assert AgeRange(3.0).overlaps(5.0, 5.0) and AgeRange(3.0).high == math.inf
    assert not AgeRange(3.0, 5.0).overlaps(6.0, None)
    assert AgeRange(3.0, 5.0).overlaps(None, 3.0)


@pytest.mark.parametrize(
    ("product", "expected"),
    [
        (_product("Galison 1000 Piece Jigsaw Puzzle"), 1000),
        (_product("PLUS PLUS Open Play Set - 3,600 Pieces"), 3600),
        (_product("Perler Beads Kit, 2000pcs"), 2000),
        (_product("Puzzle", spec="Number of Pieces: 500"), 500),
        (_product("Puzzle", "A 300-piece puzzle of a lighthouse."), 300),
        (_product("Board game"), None),
    ],
)
def test_piece_count(product: Product, expected: int | None) -> None:
    assert piece_count(product) == expected


def test_sizes() -> None:
    assert normalize_size("X-Large") == "xl" and normalize_size("Size 10") == "10"
    assert sizes(Product(id="p", title="Tee", size="S / Medium, L")) == {"s", "m", "l"}
    assert sizes(Product(id="p", title="Tee")) == frozenset()
