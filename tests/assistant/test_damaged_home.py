"""A damaged index, recommender or intent model: a one-line error naming the file and the
command that rebuilds it (CLI), a 503 with the JSON error shape (API); the rest serves on."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.cli import main
from assistant.errors import Damaged
from assistant.llm.local import LocalBackend
from assistant.orchestrator import Assistant
from assistant.shop import Shop
from tests.conftest import make_settings


@pytest.fixture
def home(tmp_path: Path, demo_home: Path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(demo_home, copy)
    return copy


def _cli_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(list(argv))
    _, err = capsys.readouterr()
    assert code == 2 and "Traceback" not in err, err
    last = err.strip().splitlines()[-1]
    assert last.startswith("error: ")
    return last


def test_a_damaged_catalog_index(capsys: pytest.CaptureFixture[str], home: Path) -> None:
    (home / "catalog" / "columns.npz").write_bytes(b"not an npz")
    line = _cli_error(capsys, "search", "puzzle", "--home", str(home))
    assert str(home / "catalog") in line and "`shopassist index --catalog FILE`" in line


def test_a_damaged_recommender_refuses_only_recommendations(
    capsys: pytest.CaptureFixture[str], home: Path, embedder
) -> None:
    (home / "recs" / "model.npz").write_bytes(b"not an npz")
    line = _cli_error(capsys, "recommend", "u0001", "--home", str(home))
    assert str(home / "recs") in line and "`shopassist train --interactions FILE`" in line
    assert main(["search", "puzzle", "--home", str(home)]) == 0
    shop = Shop.open(make_settings(home), embedder=embedder)
    app = create_app(make_settings(home), shop=shop)
    try:
        with TestClient(app) as client:
            response = client.get("/v1/users/u0001/recommendations")
            assert response.status_code == 503
            assert response.json()["error"]["type"] == "Damaged"
            assert client.get("/v1/search", params={"q": "puzzle"}).status_code == 200
            event = {"user_id": "u0001", "item_id": "P0001", "event": "view"}
            assert client.post("/v1/events", json=event).status_code == 202  # kept for training
    finally:
        shop.close()


def test_a_damaged_intent_model(home: Path, embedder) -> None:
    (home / "nlu").mkdir(exist_ok=True)
    (home / "nlu" / "intent_model.json").write_text("{}")
    (home / "nlu" / "intent_model.npz").write_bytes(b"not an npz")
    shop = Shop.open(make_settings(home), embedder=embedder)
    try:
        with pytest.raises(Damaged, match="nlu.*`shopassist nlu train`"):
            shop.intents  # noqa: B018
        assistant = Assistant(shop, LocalBackend("Demo"), store_name="Demo", max_chars=4000)
        app = create_app(make_settings(home), shop=shop, assistant=assistant)
        with TestClient(app, raise_server_exceptions=False) as client:
            response = client.post("/v1/chat", json={"message": "where is my order?"})
            assert response.status_code == 503, response.text
            assert response.json()["error"]["type"] == "Damaged"
    finally:
        shop.close()
