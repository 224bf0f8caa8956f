"""API keys and rate limits."""

from __future__ import annotations

import pytest
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
        assert int(limited.headers["Retry-After"]) >= 1


def test_rate_limiter_refills_over_time():
    now = [0.0]
    limiter = RateLimiter(60, clock=lambda: now[0])
    assert all(limiter.allow("a") for _ in range(60))
    assert not limiter.allow("a") and limiter.allow("b")
    now[0] = 1.0
    assert limiter.allow("a") and not limiter.allow("a")


def test_the_api_description_needs_a_key_too(shop):
    with _client(shop, api_keys="k1") as client:
        for path in ("/openapi.json", "/docs"):
            assert client.get(path).status_code == 401, path
            assert client.get(path, headers={"X-API-Key": "k1"}).status_code == 200, path
        assert client.get("/healthz").status_code == 200


def test_retry_after_is_the_wait_until_the_next_allowed_request(shop):
    # 6 a minute: one token every 10 s, so an exhausted client waits about 10 s, not 1.
    with _client(shop, rate_limit_per_minute=6) as client:
        codes = [client.get("/v1/products/nope").status_code for _ in range(7)]
        assert codes[-1] == 429
        wait = int(client.get("/v1/products/nope").headers["Retry-After"])
        assert 9 <= wait <= 10


def test_rate_limiter_says_how_long_to_wait():
    now = [0.0]
    limiter = RateLimiter(6, clock=lambda: now[0])
    assert all(limiter.acquire("a") == 0.0 for _ in range(6))
    assert limiter.acquire("a") == pytest.approx(10.0)
    now[0] = 4.0
    assert limiter.acquire("a") == pytest.approx(6.0)
    now[0] = 10.0
    assert limiter.acquire("a") == 0.0 and limiter.acquire("a") == pytest.approx(10.0)


def test_a_resent_transcript_continues_only_the_same_callers_conversation(shop):
    first_turn = [{"role": "user", "content": "jigsaw puzzles"}]
    with _client(shop, api_keys="k1, k2") as client:
        one = client.post(
            "/v1/chat/completions", json={"messages": first_turn}, headers={"X-API-Key": "k1"}
        ).json()
        transcript = [
            *first_turn,
            {"role": "assistant", "content": one["choices"][0]["message"]["content"]},
            {"role": "user", "content": "anything cheaper?"},
        ]
        sessions = {
            key: client.post(
                "/v1/chat/completions", json={"messages": transcript}, headers={"X-API-Key": key}
            ).json()["shopassist"]["session_id"]
            for key in ("k1", "k2")
        }
    assert sessions["k1"] == one["shopassist"]["session_id"] != sessions["k2"]
