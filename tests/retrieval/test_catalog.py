from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from retrieval.catalog import Product, load_catalog, parse_price
from retrieval.errors import CatalogError, RetrievalError
from retrieval.text import category_leaf, normalize_category


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("$1,299.99", 1299.99),
        ("12.99", 12.99),
        (12.99, 12.99),
        (7, 7.0),
        ("", None),
        ("   ", None),
        (None, None),
        (float("nan"), None),
        ("$10.00 - $20.00", 10.0),
        ("$74.99 – $249.99", 74.99),
        ("10 to 20 USD", 10.0),
        ("EUR 5,00", 5.0),
        ("1.299,99 €", 1299.99),
        ("£1 299,50", 1299.5),
        ("US$ 5", 5.0),
        ("5 USD", 5.0),
        ("1,299", 1299.0),
        ("0", 0.0),
    ],
)
def test_parse_price(value: object, expected: float | None) -> None:
    assert parse_price(value) == expected


@pytest.mark.parametrize(
    "value", ["abc", "Total price:", "-5", "$6.94 $ 6 . 94", "$ 19 99", "12 apples", True, -1.0]
)
def test_parse_price_rejects_garbage(value: object) -> None:
    with pytest.raises(ValueError):
        parse_price(value)


CSV_TEXT = (
    "SKU,Name,Cost,Category,Colour,Stock,Rating,Material,Notes\n"  # line 1
    'p1,Red Ball,$1.99,Toys | Balls,Red,3,4.5,rubber,""\n'  # line 2
    'p2,Blue Kite,"$1,250.00",Toys/Outdoor,,,,"nylon","two\nlines"\n'  # lines 3-4
    "p3,,$5.00,Toys,,,,,\n"  # line 5: missing title
    "p1,Dup Ball,$2.00,Toys,,,,,\n"  # line 6: duplicate id
    "p4,Weird Price,abc,Toys,,,,,\n"  # line 7: bad price
    "\n"  # line 8: blank
    'p5,Ranged,"$10.00 - $20.00",Toys > Games,,"1,200",4.5 out of 5 stars,,\n'  # line 9
    "p6,Bad Stock,$1.00,,,lots,,,\n"  # line 10: bad stock
)
CSV_MAPPING = {"id": "SKU", "title": "Name", "price": "Cost"}


def test_load_csv_with_mapping_and_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "catalog.csv"
    path.write_text(CSV_TEXT, encoding="utf-8")

    load = load_catalog(path, CSV_MAPPING)

    assert [p.id for p in load.products] == ["p1", "p2", "p4", "p5", "p6"]
    assert [(e.line, e.reason.split(" ")[0]) for e in load.errors] == [
        (5, "missing"),
        (6, "duplicate"),
    ]
    assert "missing title" in load.errors[0].reason
    assert "first on line 2" in load.errors[1].reason
    # An unreadable optional value is left out; the product stays.
    assert [(e.line, e.reason) for e in load.warnings] == [
        (7, "unreadable price 'abc' left out"),
        (10, "unreadable stock 'lots' left out"),
    ]
    assert load.products[2].price is None and load.products[4].stock is None
    assert all(e.file == str(path) for e in load.errors + load.warnings)

    ball, kite, _, ranged, _ = load.products
    assert ball == Product(
        id="p1", title="Red Ball", price=1.99, category="Toys > Balls", color="Red", stock=3,
        rating=4.5, attributes={"Material": "rubber"},
    )  # fmt: skip
    assert kite.category == "Toys > Outdoor"
    assert kite.price == 1250.0
    assert kite.color == "" and kite.stock is None and kite.rating is None  # blank = absent
    assert kite.attributes == {"Material": "nylon", "Notes": "two\nlines"}
    assert (ranged.price, ranged.stock, ranged.rating) == (10.0, 1200, 4.5)
    assert ranged.category == "Toys > Games"


def test_load_tsv_matches_canonical_names_case_insensitively(tmp_path: Path) -> None:
    path = tmp_path / "catalog.tsv"
    path.write_text(
        "ID\tTitle\tPrice\tImage URL\tBRAND\n"
        "a\tA thing, with comma\t3.50\thttp://x/a.jpg\tAcme\n"
        "b\tB thing\tEUR 5,00\t\t\n",
        encoding="utf-8",
    )

    load = load_catalog(path)

    assert load.errors == []
    a, b = load.products
    assert (a.title, a.price, a.image_url, a.brand) == (
        "A thing, with comma",
        3.5,
        "http://x/a.jpg",
        "Acme",
    )
    assert (b.price, b.currency) == (5.0, "EUR")


def test_common_aliases_fill_fields_without_a_column_of_their_name(tmp_path: Path) -> None:
    path = tmp_path / "catalog.csv"
    path.write_text("SKU,Name,Title,Colour\ns1,The name,The title,navy\n", encoding="utf-8")

    (product,) = load_catalog(path).products

    assert (product.id, product.title, product.color) == ("s1", "The title", "navy")
    assert product.attributes == {"Name": "The name"}


def test_load_jsonl_reports_physical_lines(tmp_path: Path) -> None:
    path = tmp_path / "catalog.jsonl"
    lines = [
        {"product_id": "1", "name": "One", "price": 1},
        {"product_id": "2", "name": ""},
        None,  # blank line
        "{not json",
        {"product_id": "3", "name": "Three", "price": "$3", "tags": ["a", "b"]},
        [1, 2],
    ]
    path.write_text(
        "\n".join("" if x is None else x if isinstance(x, str) else json.dumps(x) for x in lines)
        + "\n",
        encoding="utf-8",
    )

    load = load_catalog(path, {"id": "product_id", "title": "name"})

    assert [p.id for p in load.products] == ["1", "3"]
    assert load.products[1].attributes == {"tags": '["a", "b"]'}
    assert [(e.line, e.reason) for e in load.errors] == [
        (2, "missing title"),
        (4, load.errors[1].reason),
        (6, "expected a JSON object, got list"),
    ]
    assert load.errors[1].reason.startswith("invalid JSON")


def test_load_json_array_reports_record_numbers(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    records = [{"id": 1, "title": "One"}, {"id": 1, "title": "Again"}, {"id": 2, "title": "Two"}]
    path.write_text(json.dumps(records), encoding="utf-8")

    load = load_catalog(path)

    assert [p.id for p in load.products] == ["1", "2"]
    assert [(e.line, e.reason.split()[0]) for e in load.errors] == [(2, "duplicate")]


def test_load_parquet_with_mapping(tmp_path: Path) -> None:
    path = tmp_path / "catalog.parquet"
    table = pa.table(
        {
            "item": [10, 11, 12],
            "label": ["Ten", None, "Twelve"],
            "cost": [9.5, 1.0, None],
            "stock": [0, 4, None],
            "category": ["A / B", "A", None],
        }
    )
    pq.write_table(table, path)

    load = load_catalog(path, {"id": "item", "title": "label", "price": "cost"})

    assert [(p.id, p.title, p.price, p.stock) for p in load.products] == [
        ("10", "Ten", 9.5, 0),
        ("12", "Twelve", None, None),
    ]
    assert load.products[0].category == "A > B"
    assert not load.products[0].in_stock and load.products[1].in_stock
    assert [(e.line, e.reason) for e in load.errors] == [(2, "missing title")]


def test_whole_file_problems_raise_catalog_error(tmp_path: Path) -> None:
    csv_path = tmp_path / "c.csv"
    csv_path.write_text("id,label\n1,x\n", encoding="utf-8")
    cases: list[tuple[Path, dict[str, str] | None, str]] = [
        (tmp_path / "c.xlsx", None, "unknown file format"),
        (csv_path, None, "no 'title' column"),
        (csv_path, {"title": "Name"}, "column 'Name'"),
        (csv_path, {"weight": "label"}, "unknown catalog field"),
        (tmp_path / "missing.csv", None, "no such file"),
    ]
    (tmp_path / "c.xlsx").write_bytes(b"PK")
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    cases.append((empty, None, "empty file"))
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('{"id": 1}', encoding="utf-8")
    cases.append((bad_json, None, "JSON array"))
    for path, mapping, message in cases:
        with pytest.raises(CatalogError, match=message):
            load_catalog(path, mapping)
    assert issubclass(CatalogError, RetrievalError)


def test_product_round_trips_through_dict() -> None:
    product = Product(
        id="x", title="X", price=2.5, stock=0, rating=4.0, attributes={"Material": "wood"}
    )
    data = json.loads(json.dumps(product.to_dict()))
    assert Product.from_dict(data) == product
    assert Product.from_dict({"id": "y", "title": "Y", "extra": 1}) == Product(id="y", title="Y")
    assert Product(id="z", title="Z").in_stock  # unknown stock counts as available


def test_a_quote_left_open_does_not_swallow_the_rows_after_it(tmp_path: Path) -> None:
    path = tmp_path / "quotes.csv"
    path.write_text(
        "id,title,price\n"
        'q1,"left open,5\n'  # line 2: its quote never closes properly
        "q2,Fine,6\n"
        'q3,"Two\nlines",7\n'  # lines 4-5: a real multi-line field
        'q4,"open again,8\n'  # line 6: pairs with the quote of line 8
        "q5,Fine too,9\n"
        'q6,"closed",10\n',
        encoding="utf-8",
    )
    load = load_catalog(path)
    assert [(p.id, p.title) for p in load.products] == [
        ("q2", "Fine"),
        ("q3", "Two\nlines"),
        ("q5", "Fine too"),
        ("q6", "closed"),
    ]
    assert [e.line for e in load.errors] == [2, 6]
    assert all("unbalanced quotes" in e.reason for e in load.errors)


def test_semicolon_separated_files_are_read(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text('id;title;price\nb1;Blue bowl, large;"12,50 €"\nb2;Red cup;3\n', "utf-8")
    load = load_catalog(path)
    assert [(p.id, p.title, p.price) for p in load.products] == [
        ("b1", "Blue bowl, large", 12.5),
        ("b2", "Red cup", 3.0),
    ]


@pytest.mark.parametrize(
    ("raw", "leaf"),
    [
        ("Toys|Games|Puzzles", "Puzzles"),
        ("Toys & Games > 2/3 Years", "2/3 Years"),
        ("Books", "Books"),
        ("", ""),
    ],
)
def test_the_category_leaf_is_the_last_segment_of_the_normalised_path(raw: str, leaf: str) -> None:
    assert category_leaf(normalize_category(raw)) == leaf
