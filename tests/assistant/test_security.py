"""API keys and rate limits."""

from __future__ import annotations

from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.api.security import RateLimiter
from assistant.llm.local import LocalBackend
from assistant.orchestrator import Assistant
from tests.conftest import make_settings


def _client(shop, **settings) -> TestClient:
    assistant = Assistant(shop, LocalBackend("Demo"), store_name="Demo", max_chars=4000)
    app = create_app(make_settings(shop.home.root, **settings), shop=shop, assistant=assistant)
    return TestClient(app)


def test_api_keys_are_required_when_configured(shop):
    with _client(shop, api_keys="k1, k2") as client:
        denied = client.get("/v1/search", params={"q": "tent"})
        assert denied.status_code == 401 and denied.json()["error"]["type"] == "Unauthorized"
        wrong = client.get("/v1/search", params={"q": "tent"}, headers={"X-API-Key": "nope"})
        assert wrong.status_code == 401
        ok = client.get("/v1/search", params={"q": "tent"}, headers={"Authorization": "Bearer k2"})
        assert ok.status_code == 200
        assert client.get("/healthz").status_code == 200


def test_no_keys_configured_means_open(shop):
    with _client(shop) as client:
        assert client.get("/v1/search", params={"q": "tent"}).status_code == 200


def test_clients_over_their_rate_get_429(shop):
    with _client(shop, rate_limit_per_minute=3) as client:
        codes = [client.get("/v1/products/nope").status_code for _ in range(5)]
        assert codes[:3] == [404, 404, 404] and codes[3:] == [429, 429]
        limited = client.get("/v1/products/nope")
        assert limited.json()["error"]["type"] == "RateLimited"
        assert limited.headers["Retry-After"] == "1"


def test_rate_limiter_refills_over_time():
    now = [0.0]
    limiter = RateLimiter(60, clock=lambda: now[0])
    assert all(limiter.allow("a") for _ in range(60))
    assert not limiter.allow("a") and limiter.allow("b")
    now[0] = 1.0
    assert limiter.allow("a") and not limiter.allow("a")
