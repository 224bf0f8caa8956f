"""The web chat page at `/`: served without a key, while its requests still need one."""

from __future__ import annotations

from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.llm.local import LocalBackend
from assistant.orchestrator import Assistant
from tests.conftest import make_settings


def _client(shop, **settings) -> TestClient:
    assistant = Assistant(shop, LocalBackend("Demo"), store_name="Demo", max_chars=4000)
    app = create_app(make_settings(shop.home.root, **settings), shop=shop, assistant=assistant)
    return TestClient(app)


def test_the_chat_page_is_served_at_the_root(shop):
    with _client(shop) as client:
        response = client.get("/")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        page = response.text
        assert '<form id="chat-form"' in page and 'id="message"' in page
        assert '"v1/chat"' in page and "stream" in page and "session_id" in page
        assert "Authorization" in page and "sessionStorage" in page
        # Server text goes in with textContent; the page never parses it as HTML.
        assert "innerHTML" not in page and "insertAdjacentHTML" not in page
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert "/" not in client.get("/openapi.json").json()["paths"]


def test_the_page_is_open_but_chat_needs_the_key(shop):
    with _client(shop, api_keys="k1") as client:
        assert client.get("/").status_code == 200
        denied = client.post("/v1/chat", json={"message": "hello"})
        assert denied.status_code == 401 and denied.json()["error"]["type"] == "Unauthorized"
        ok = client.post(
            "/v1/chat", json={"message": "hello"}, headers={"Authorization": "Bearer k1"}
        )
        assert ok.status_code == 200 and ok.json()["reply"]
        # Only the page itself is open, not other paths under it.
        assert client.get("/index.html").status_code == 401


def test_the_page_ships_as_package_data():
    from importlib.resources import files

    assert files("assistant.api").joinpath("static", "chat.html").is_file()
