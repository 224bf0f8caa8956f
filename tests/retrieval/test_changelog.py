"""Live catalog changes logged beside the saved index and replayed when it is loaded."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from retrieval.changelog import ChangeLog
from retrieval.search import SearchEngine
from retrieval.storage import save_atomically

from .conftest import TOY_STORE
from .hashing import HashEmbedder

EMBEDDER = HashEmbedder()


def _saved(tmp_path: Path) -> tuple[SearchEngine, Path]:
    folder = tmp_path / "index"
    engine = SearchEngine.build(TOY_STORE[:6], EMBEDDER)
    save_atomically(engine, folder)
    return engine, folder


def test_changes_are_replayed_into_the_saved_index(tmp_path: Path) -> None:
    engine, folder = _saved(tmp_path)
    meta = (folder / "meta.json").read_bytes()
    log = ChangeLog.open(tmp_path / "changes.jsonl", engine)
    renamed = dataclasses.replace(TOY_STORE[0], title="Renamed thing")
    engine.upsert([renamed, TOY_STORE[7]])
    log.upserted([renamed, TOY_STORE[7]])
    engine.delete([TOY_STORE[1].id])
    log.deleted([TOY_STORE[1].id])
    assert log.pending == 3 and (folder / "meta.json").read_bytes() == meta  # no save

    reloaded = SearchEngine.load(folder, EMBEDDER)
    replayed = ChangeLog.open(tmp_path / "changes.jsonl", reloaded)
    assert replayed.pending == 3
    assert reloaded.get(TOY_STORE[0].id) == renamed
    assert reloaded.get(TOY_STORE[7].id) == TOY_STORE[7]
    assert reloaded.get(TOY_STORE[1].id) is None


def test_a_change_cut_short_by_a_crash_is_dropped(tmp_path: Path) -> None:
    engine, folder = _saved(tmp_path)
    log = ChangeLog.open(tmp_path / "changes.jsonl", engine)
    log.upserted([TOY_STORE[7]])
    with log.path.open("a", encoding="utf-8") as handle:
        handle.write('{"upsert": [{"id": "half')  # the process died mid-write
    reloaded = SearchEngine.load(folder, EMBEDDER)
    reopened = ChangeLog.open(log.path, reloaded)
    assert reopened.pending == 1 and reloaded.get(TOY_STORE[7].id) is not None
    reloaded.upsert([TOY_STORE[8]])
    reopened.upserted([TOY_STORE[8]])  # the next change is not glued to the torn line
    again = SearchEngine.load(folder, EMBEDDER)
    assert ChangeLog.open(log.path, again).pending == 2
    assert again.get(TOY_STORE[8].id) is not None


def test_a_log_older_than_the_saved_index_is_dropped(tmp_path: Path) -> None:
    engine, folder = _saved(tmp_path)
    log = ChangeLog.open(tmp_path / "changes.jsonl", engine)
    engine.upsert([TOY_STORE[7]])
    log.upserted([TOY_STORE[7]])
    save_atomically(engine, folder)  # holds the change; a crash before `restart` leaves the log
    reloaded = SearchEngine.load(folder, EMBEDDER)
    assert ChangeLog.open(log.path, reloaded).pending == 0
    assert reloaded.get(TOY_STORE[7].id) is not None
    assert log.path.read_text().count("\n") == 1  # a fresh log for the saved generation
