"""The command line on awkward input: bad bytes, blank and malformed batch lines, bad homes.
Each is a one-line `error: ...` with exit 2, or a batch that keeps going."""

from __future__ import annotations

import json
import logging

import pytest

from assistant.cli import build_parser, main
from assistant.nlu import IntentModel
from assistant.settings import Settings
from recommenders.registry import algorithms


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _one_line_error(code: int, out: str, err: str) -> str:
    assert code == 2 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1, err
    return err


@pytest.mark.parametrize(
    ("argv", "content"),
    [
        (["search", "--batch"], b"q1\tlego \xff\xfe\n"),
        (["recommend", "--batch"], b"cu1\n\xff\xfe\n"),
        (["nlu", "predict", "--batch"], b"lego \xff\xfe\n"),
        (["nlu", "train", "--examples"], b"text,intent\ncaf\xe9 please,order\nhello,greet\n"),
    ],
    ids=["search", "recommend", "nlu-predict", "nlu-train"],
)
def test_files_that_are_not_utf8_are_reported(capsys, demo_home, tmp_path, argv, content):
    path = tmp_path / "input.txt"
    path.write_bytes(content)
    err = _one_line_error(*_run(capsys, *argv, str(path), "--home", str(demo_home)))
    assert str(path) in err and "UTF-8" in err


def test_a_message_that_is_not_utf8_is_reported(capsys, demo_home):
    # Python hands undecodable argv bytes over as lone surrogates ("surrogateescape").
    message = b"lego \xff".decode("utf-8", "surrogateescape")
    err = _one_line_error(*_run(capsys, "ask", message, "--home", str(demo_home)))
    assert "UTF-8" in err


def test_a_home_that_is_a_file_is_reported(capsys, tmp_path):
    home = tmp_path / "afile"
    home.touch()
    err = _one_line_error(*_run(capsys, "search", "lego", "--json", "--home", str(home)))
    assert "not a folder" in err


def test_nlu_predict_keeps_one_line_per_input_line(capsys, demo_home, tmp_path):
    batch = tmp_path / "utterances.txt"
    batch.write_text("where is my order\n\n   \nshow me puzzles\n")
    code, out, _ = _run(capsys, "nlu", "predict", "--batch", str(batch), "--home", str(demo_home))
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [line["text"] for line in lines] == [
        "where is my order",
        "",
        "   ",
        "show me puzzles",
    ]
    assert lines[1]["intent"] == lines[2]["intent"] == "out_of_scope"
    assert lines[1]["confidence"] == 0.0 and lines[1]["entities"] == {}
    assert lines[0]["intent"] != "out_of_scope"


def test_recommend_batch_keeps_one_line_per_input_line(capsys, demo_home, demo_orders, tmp_path):
    user = demo_orders[0]["user_id"]
    users = tmp_path / "users.txt"
    users.write_text(f"{user}\n\nnew-shopper\n")
    code, out, _ = _run(capsys, "recommend", "--batch", str(users), "--home", str(demo_home))
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [line["user_id"] for line in lines] == [user, "", "new-shopper"]
    assert lines[0]["items"] and lines[1]["items"] == [] and lines[2]["items"]


def test_search_batch_reports_a_malformed_line_and_goes_on(capsys, caplog, demo_home, tmp_path):
    batch = tmp_path / "queries.tsv"
    batch.write_text("q1\tcamping tent\nno tab here\n\nq3\tjigsaw puzzle\n")
    with caplog.at_level(logging.WARNING, logger="assistant.cli"):
        code, out, _ = _run(capsys, "search", "--batch", str(batch), "--home", str(demo_home))
    assert code == 0
    assert [json.loads(line)["query_id"] for line in out.splitlines()] == ["q1", "q3"]
    assert f"{batch}:2: skipped" in caplog.text


def test_search_batch_with_no_usable_line_fails(capsys, demo_home, tmp_path):
    batch = tmp_path / "queries.tsv"
    batch.write_text("no tab here\nnor here\n")
    err = _one_line_error(*_run(capsys, "search", "--batch", str(batch), "--home", str(demo_home)))
    assert "query_id<TAB>query" in err


def test_train_help_names_the_real_default_and_algorithms():
    train = build_parser()._subparsers._group_actions[0].choices["train"]  # type: ignore[union-attr]
    text = " ".join(train.format_help().split())
    assert f"else {Settings.model_fields['recommender'].default})" in text
    assert all(name in text for name in algorithms())


@pytest.mark.parametrize(
    ("name", "content"),
    [("intent_model.json", b"garbage"), ("intent_model.npz", b"")],
    ids=["json", "npz"],
)
def test_a_damaged_intent_model_is_reported_not_replaced(capsys, embedder, tmp_path, name, content):
    """A custom model whose files were damaged must not be silently swapped for the
    built-in one: the store would lose its intents without a word."""
    home = tmp_path / "home"
    examples = [("a gift card please", "gift"), ("my reward points", "points")]
    IntentModel.train(examples, embedder).save(home / "nlu")
    (home / "nlu" / name).write_bytes(content)
    capsys.readouterr()  # the embedder's loading messages
    batch = tmp_path / "utterances.txt"
    batch.write_text("where is my order\n")
    err = _one_line_error(
        *_run(capsys, "nlu", "predict", "--batch", str(batch), "--home", str(home))
    )
    assert "damaged" in err and "nlu train" in err
    assert (home / "nlu" / name).read_bytes() == content


def test_version_and_options_before_or_after_the_command(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out.startswith("shopassist 0.")
    parser = build_parser()
    before = parser.parse_args(["--home", "/a", "--json", "search", "puzzle"])
    after = parser.parse_args(["search", "puzzle", "--home", "/a", "--json"])
    neither = parser.parse_args(["search", "puzzle"])
    assert (before.home, before.json) == (after.home, after.json) == ("/a", True)
    assert (neither.home, neither.json, neither.verbose) == (None, False, False)
    assert parser.parse_args(["--home", "/a", "search", "x", "--home", "/b"]).home == "/b"


def test_repeated_map_flags_accumulate():
    from assistant.cli import _parse_map

    args = build_parser().parse_args(
        ["index", "--catalog", "c.csv", "--map", "id=Uniq Id", "--map", "title=Name", "price=P"]
    )
    assert _parse_map(args.map) == {"id": "Uniq Id", "title": "Name", "price": "P"}
