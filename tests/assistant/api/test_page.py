"""The web chat page at `/`, the cart routes its buttons use, and the API docs pages:
the page is served without a key while its requests still need one; the docs work offline."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
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
        for parser in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write"):
            assert parser not in page
        # Shoppers see no key field: it sits in the settings drawer, hidden at first.
        assert '<aside id="debug" hidden' in page
        assert page.index('<aside id="debug"') < page.index('id="api-key"')
        assert 'aria-live="polite"' in page
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


IN_STOCK = "P0177"  # a jigsaw puzzle, $16.95
OUT_OF_STOCK = "P0016"


def _cart_url(session_id: str, product_id: str | None = None) -> str:
    url = f"/v1/sessions/{session_id}/cart"
    return url if product_id is None else f"{url}/{quote(product_id, safe='')}"


def test_the_cart_routes_use_the_chat_cart(shop):
    with _client(shop) as client:
        reply = client.post("/v1/chat", json={"message": "show me jigsaw puzzles"}).json()
        session = reply["session_id"]
        first = reply["products"][0]
        assert client.get(_cart_url(session)).json() == {"items": [], "total": 0.0}

        added = client.post(_cart_url(session), json={"product_id": first["id"]})
        assert added.status_code == 200
        assert added.json()["added"]["id"] == first["id"]
        again = client.post(_cart_url(session), json={"product_id": first["id"], "quantity": 2})
        [item] = again.json()["items"]
        assert item["id"] == first["id"] and item["quantity"] == 3
        assert again.json()["total"] == pytest.approx(3 * first["price"])

        # The chat sees the same cart.
        asked = client.post(
            "/v1/chat", json={"message": "what's in my cart?", "session_id": session}
        )
        assert first["title"] in asked.json()["reply"]

        removed = client.delete(_cart_url(session, first["id"]))
        assert removed.status_code == 200 and removed.json()["items"] == []
        assert client.get(_cart_url(session)).json()["items"] == []


def test_cart_errors(shop):
    with _client(shop) as client:
        url = _cart_url("cart-errors")

        def error(response, status):
            assert response.status_code == status, response.text
            return response.json()["error"]

        assert error(client.post(url, json={"product_id": "NOPE"}), 404)["type"] == "NotFound"
        for quantity in (0, -1, 100):
            body = {"product_id": IN_STOCK, "quantity": quantity}
            assert "quantity" in error(client.post(url, json=body), 400)["message"]
        assert (
            "out of stock"
            in error(client.post(url, json={"product_id": OUT_OF_STOCK}), 400)["message"]
        )
        assert error(client.post(url, json={"product_id": IN_STOCK, "quantity": "x"}), 422)
        assert error(client.delete(_cart_url("cart-errors", IN_STOCK)), 404)["type"] == "NotFound"
        assert error(client.get(_cart_url("bad id!")), 400)["type"] == "BadRequest"
        assert client.get(url).json()["items"] == []  # nothing was added


def test_a_cart_belongs_to_its_sessions_shopper(shop):
    with _client(shop) as client:
        url = _cart_url("cart-owned")
        assert client.get(url, params={"user_id": "u0096"}).status_code == 200  # u0096's
        for user in ({}, {"user_id": "u0103"}):
            for response in (
                client.get(url, params=user),
                client.post(url, json={"product_id": IN_STOCK, **user}),
                client.delete(_cart_url("cart-owned", IN_STOCK), params=user),
            ):
                assert response.status_code == 404
                assert "no session" in response.json()["error"]["message"]


def test_product_ids_with_slashes_reach_the_cart_routes(shop):
    with _client(shop) as client:
        response = client.delete(_cart_url("cart-slash", "SKU 1/ä"))
        assert response.status_code == 404
        assert "SKU 1/ä" in response.json()["error"]["message"]


_URL_ATTRIBUTE = re.compile(r"""(?:src|href|url|spec-url)\s*[=:]\s*["']([^"']+)["']""")


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_docs_pages_load_nothing_from_elsewhere(shop, path):
    with _client(shop) as client:
        page = client.get(path)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "http" not in page.text and "cdn" not in page.text.lower()
        urls = _URL_ATTRIBUTE.findall(page.text)
        assert urls and all(url.startswith("/") and not url.startswith("//") for url in urls)
        for url in urls:
            assert client.get(url).status_code == 200, url


def test_the_docs_assets(shop):
    with _client(shop) as client:
        for name, media_type in [
            ("swagger-ui-bundle.js", "text/javascript"),
            ("swagger-ui.css", "text/css"),
            ("redoc.standalone.js", "text/javascript"),
            ("favicon.png", "image/png"),
        ]:
            response = client.get(f"/docs/assets/{name}")
            assert response.status_code == 200
            assert response.headers["content-type"].startswith(media_type)
            assert "max-age" in response.headers["cache-control"]
            assert len(response.content) > 1000
        # Only those files: nothing else of the package, nor anything beside it.
        for name in ("core.py", "..%2F__init__.py", "..%2F..%2Ffastapi%2F__init__.py"):
            assert client.get(f"/docs/assets/{name}").status_code == 404
        assert "/docs/assets/{name}" not in client.get("/openapi.json").json()["paths"]


def test_the_docs_need_the_key_like_the_api_description(shop):
    with _client(shop, api_keys="k1") as client:
        key = {"Authorization": "Bearer k1"}
        for path in ("/docs", "/redoc", "/docs/assets/swagger-ui.css", "/openapi.json"):
            assert client.get(path).status_code == 401
            assert client.get(path, headers=key).status_code == 200
