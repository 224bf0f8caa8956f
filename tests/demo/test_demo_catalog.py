"""The demo catalog looks like a small real shop and supports typical searches."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import pytest

COLUMNS = [
    "id", "title", "description", "category", "brand", "price", "currency", "color", "size",
    "stock", "rating", "image_url", "url",
]  # fmt: skip
REAL_BRANDS = {"lego", "sony", "nike", "apple", "samsung", "bose", "hasbro", "adidas"}


def _in(rows: list[dict[str, str]], leaf: str) -> list[dict[str, str]]:
    return [r for r in rows if r["category"].endswith(f"> {leaf}")]


def test_columns_and_size(catalog) -> None:
    assert list(catalog[0]) == COLUMNS
    assert len(catalog) >= 400
    per_category = Counter(r["category"] for r in catalog)
    assert len(per_category) >= 10
    assert min(per_category.values()) >= 20
    assert all(re.fullmatch(r"[^>]+ > [^>]+", c) for c in per_category)


def test_ids_titles_and_links(catalog) -> None:
    ids = [r["id"] for r in catalog]
    assert all(re.fullmatch(r"P\d{4}", i) for i in ids)
    assert len(set(ids)) == len(ids)
    titles = [r["title"] for r in catalog]
    assert len(set(titles)) == len(titles)
    for row in catalog:
        assert row["url"] == f"https://demo.shopassist.example/p/{row['id']}"
        assert row["image_url"].startswith("https://demo.shopassist.example/")


def test_prices_stock_and_ratings(catalog) -> None:
    for row in catalog:
        assert re.fullmatch(r"\d+\.\d\d", row["price"]) and float(row["price"]) > 0
        assert row["currency"] == "USD"
        assert int(row["stock"]) >= 0
        assert re.fullmatch(r"\d\.\d", row["rating"]) and 2.8 <= float(row["rating"]) <= 5.0
    out_of_stock = sum(r["stock"] == "0" for r in catalog) / len(catalog)
    assert 0.03 <= out_of_stock <= 0.15


@pytest.mark.parametrize(
    ("leaf", "low", "high"),
    [("Puzzles", 8, 45), ("Headphones", 19, 349.99), ("Board Games", 12, 65)],
)
def test_prices_are_realistic_per_category(catalog, leaf, low, high) -> None:
    prices = [float(r["price"]) for r in _in(catalog, leaf)]
    assert low <= min(prices) and max(prices) <= high


def test_several_puzzles_under_20_dollars(catalog) -> None:
    assert sum(float(r["price"]) < 20 for r in _in(catalog, "Puzzles")) >= 5


def test_brands_are_few_per_category_and_invented(catalog) -> None:
    brands = defaultdict(set)
    for row in catalog:
        brands[row["category"]].add(row["brand"])
        words = set(re.findall(r"[a-z]+", f"{row['brand']} {row['title']}".lower()))
        assert not words & REAL_BRANDS, row["title"]
    assert all(3 <= len(b) <= 6 for b in brands.values())


def test_descriptions_have_two_to_four_sentences(catalog) -> None:
    for row in catalog:
        sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", row["description"])
        assert 2 <= len(sentences) <= 4, row["description"]


def test_sizes_and_colors(catalog) -> None:
    assert all(re.fullmatch(r"US \d+(\.5)?", r["size"]) for r in _in(catalog, "Women's Shoes"))
    assert {r["size"] for r in _in(catalog, "Men's Jackets")} <= {"S", "M", "L", "XL", "XXL"}
    assert all(r["size"] == "" for r in _in(catalog, "Puzzles") + _in(catalog, "Headphones"))
    colored = [r for r in catalog if r["color"]]
    assert len(colored) > len(catalog) / 3
    assert any(r["color"] in r["title"] for r in colored)


@pytest.mark.parametrize(
    ("query", "leaf"),
    [
        ("red building set", "Building Sets"),
        ("waterproof hiking jacket", "Men's Jackets"),
        ("noise cancelling headphones", "Headphones"),
        ("dog chew toy", "Dog Toys"),
        ("cast iron skillet", "Cookware"),
        ("jigsaw puzzle", "Puzzles"),
        ("sleeping bag", "Camping"),
        ("yoga mat", "Yoga & Fitness"),
    ],
)
def test_typical_searches_have_matching_products(catalog, query, leaf) -> None:
    words = query.split()
    matches = [
        r
        for r in _in(catalog, leaf)
        if all(w in f"{r['title']} {r['color']}".lower().replace("-", " ") for w in words)
    ]
    assert matches, query
