"""Loading interaction files (csv, tsv, jsonl, parquet) and building the matrices."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from recommenders import Event, InteractionMatrix, InteractionsError, load_interactions
from recommenders.interactions import EVENT_KINDS

ROWS = [
    {"user_id": "u1", "item_id": "a", "event": "view", "timestamp": "1700000000"},
    {"user_id": "u1", "item_id": "b", "event": "purchase", "timestamp": "2024-01-02T03:04:05Z"},
    {"user_id": "u2", "item_id": "a", "event": "add_to_cart", "timestamp": ""},
]
EXPECTED = [
    Event("u1", "a", "view", None, 1_700_000_000.0),
    Event("u1", "b", "purchase", None, datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC).timestamp()),
    Event("u2", "a", "add_to_cart", None, None),
]


def _write_delimited(path: Path, rows: list[dict[str, str]], delimiter: str) -> Path:
    header = list(rows[0])
    lines = [delimiter.join(header)] + [delimiter.join(row[c] for c in header) for row in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def _write_jsonl(path: Path, rows: Sequence[Mapping[str, object]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def _write_parquet(path: Path, rows: Sequence[Mapping[str, object]]) -> Path:
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


@pytest.mark.parametrize(
    "name",
    ["events.csv", "events.tsv", "events.jsonl", "events.json", "events.parquet"],
)
def test_reads_every_format(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if name.endswith(".csv"):
        _write_delimited(path, ROWS, ",")
    elif name.endswith(".tsv"):
        _write_delimited(path, ROWS, "\t")
    elif name.endswith(".jsonl"):
        _write_jsonl(path, ROWS)
    elif name.endswith(".json"):
        path.write_text(json.dumps(ROWS))
    else:
        _write_parquet(path, ROWS)
    loaded = load_interactions(path)
    assert loaded.errors == []
    assert loaded.events == EXPECTED


def test_parquet_with_native_types(tmp_path: Path) -> None:
    moment = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    path = _write_parquet(
        tmp_path / "native.parquet",
        [{"UserId": 17, "ItemId": 4.0, "Rating": 4.5, "Timestamp": moment}],
    )
    loaded = load_interactions(path)
    assert loaded.events == [Event("17", "4", "interaction", 4.5, moment.timestamp())]


def test_column_names_match_case_insensitively_and_by_alias(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("Customer_ID,Product ID,EVENT_TYPE,Weight\nc1,p1,Add to Cart,2.5\n")
    loaded = load_interactions(path)
    assert loaded.events == [Event("c1", "p1", "add_to_cart", 2.5)]


def test_mapping_names_the_source_columns(tmp_path: Path) -> None:
    path = tmp_path / "ratings.csv"
    path.write_text("userId,movieId,score,when\n1,31,2.5,1260759144\n")
    loaded = load_interactions(
        path, mapping={"item_id": "movieId", "rating": "score", "timestamp": "when"}
    )
    assert loaded.events == [Event("1", "31", "interaction", 2.5, 1260759144.0)]


def test_milliseconds_and_naive_iso_timestamps(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(
        "user_id,item_id,timestamp\n"
        "u,a,1433221332117\n"
        "u,b,2019-10-01 00:00:00 UTC\n"
        "u,c,2020-01-01\n"
    )
    stamps = [event.timestamp for event in load_interactions(path).events]
    assert stamps == [
        1433221332.117,
        datetime(2019, 10, 1, tzinfo=UTC).timestamp(),
        datetime(2020, 1, 1, tzinfo=UTC).timestamp(),
    ]


def test_bad_rows_are_reported_with_line_numbers_and_skipped(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(
        "user_id,item_id,weight,timestamp\n"
        "u1,a,1,\n"  # line 2: fine
        ",b,1,\n"  # line 3: no user
        "u2,,1,\n"  # line 4: no item
        "\n"  # line 5: blank, ignored
        "u3,c,heavy,\n"  # line 6: bad weight
        "u4,d,1,yesterday\n"  # line 7: bad timestamp
        "u5,e,1\n"  # line 8: a short row: the missing last field is blank
        'u6,"f\n'  # lines 9-10: a quoted field over two lines, then fine
        'g",nan,\n'  # still the row of line 9: weight nan
        "u7,h,2,\n"  # line 11: fine
    )
    loaded = load_interactions(path)
    assert [(event.user_id, event.item_id) for event in loaded.events] == [
        ("u1", "a"),
        ("u5", "e"),
        ("u7", "h"),
    ]
    assert [(error.line, error.reason.split()[0]) for error in loaded.errors] == [
        (3, "missing"),
        (4, "missing"),
        (6, "bad"),
        (7, "bad"),
        (9, "bad"),
    ]
    assert "user_id" in loaded.errors[0].reason and "item_id" in loaded.errors[1].reason
    assert all(error.file == str(path) for error in loaded.errors)


def test_bad_json_lines_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text(
        '{"user_id": "u1", "item_id": "a"}\n'
        "not json\n"
        "[1, 2]\n"
        '{"user": "u2", "product_id": "b"}\n'
        '{"something": "else"}\n'
    )
    loaded = load_interactions(path)
    assert [(e.user_id, e.item_id) for e in loaded.events] == [("u1", "a"), ("u2", "b")]
    assert [error.line for error in loaded.errors] == [2, 3, 5]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("events.xlsx", "", "unknown file format"),
        ("events.csv", "", "empty file"),
        ("events.csv", "who,what\nu,a\n", "no user_id or item_id column"),
        ("events.jsonl", '{"who": "u", "item_id": "a"}\n', "no user_id column"),
        ("events.parquet", "not parquet", "Parquet"),
    ],
)
def test_whole_file_problems_raise(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(InteractionsError, match=message):
        load_interactions(path)


def test_missing_file_and_bad_mapping_raise(tmp_path: Path) -> None:
    with pytest.raises(InteractionsError, match="no such file"):
        load_interactions(tmp_path / "missing.csv")
    path = tmp_path / "events.csv"
    path.write_text("user_id,item_id\nu,a\n")
    with pytest.raises(InteractionsError, match="'sku' mapped to item_id not found"):
        load_interactions(path, mapping={"item_id": "sku"})
    with pytest.raises(InteractionsError, match="unknown interaction field"):
        load_interactions(path, mapping={"colour": "c"})


def test_undecodable_file_raises(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes(b"user_id,item_id\nu,\xff\xfe\n")
    with pytest.raises(InteractionsError, match="cannot read"):
        load_interactions(path)


def test_matrix_weights_and_event_kinds() -> None:
    events = [
        Event("u1", "a", "view"),
        Event("u1", "a", "view"),
        Event("u1", "a", "purchase"),  # a: 1 + 1 + 5
        Event("u1", "b", "Add to Cart"),  # 3: names are normalised
        Event("u1", "c", "rating", 4.0),  # the rating is the weight
        Event("u2", "b", "wishlist"),  # 2
        Event("u2", "c", "purchase", 0.5),  # an explicit weight wins
        Event("u2", "d", "mystery"),  # unknown events weigh 1
        Event("u2", "e", "click"),  # overridden below
    ]
    matrix = InteractionMatrix.from_events(events, event_weights={"Click": 0.25})
    assert matrix.user_ids == ["u1", "u2"]
    assert matrix.item_ids == ["a", "b", "c", "d", "e"]
    assert matrix.user_items.dtype == np.float32
    np.testing.assert_allclose(
        matrix.user_items.toarray(), [[7.0, 3.0, 4.0, 0.0, 0.0], [0.0, 2.0, 0.5, 1.0, 0.25]]
    )
    np.testing.assert_array_equal(
        matrix.purchased.toarray(),
        [[True, False, True, False, False], [False] * 2 + [True] + [False] * 2],
    )
    kinds = [[EVENT_KINDS[code] for code in row] for row in matrix.event_kinds.toarray()]
    assert kinds == [
        ["purchase", "cart", "rating", "interaction", "interaction"],
        ["interaction", "wishlist", "purchase", "interaction", "view"],
    ]


def test_without_an_event_column_every_interaction_counts_as_owned() -> None:
    matrix = InteractionMatrix.from_events([Event("u", "a", weight=3), Event("u", "b")])
    np.testing.assert_array_equal(matrix.purchased.toarray(), [[True, True]])
    np.testing.assert_allclose(matrix.user_items.toarray(), [[3, 1]])


def test_catalog_items_come_first_and_keep_a_column() -> None:
    matrix = InteractionMatrix.from_events(
        [Event("u", "x"), Event("u", "b")], items=["a", "b", "c", "b"]
    )
    assert matrix.item_ids == ["a", "b", "c", "x"]
    np.testing.assert_allclose(matrix.user_items.toarray(), [[0, 1, 0, 1]])


def test_zero_weight_pairs_leave_the_weights_but_not_the_history() -> None:
    matrix = InteractionMatrix.from_events([Event("u", "a", "view", 0.0), Event("u", "b", "view")])
    assert matrix.user_items.nnz == 1
    assert matrix.event_kinds[0, 0] == EVENT_KINDS.index("view")
