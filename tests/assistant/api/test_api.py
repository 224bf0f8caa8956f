"""The HTTP API in-process, over the demo store."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.llm.local import LocalBackend
from assistant.orchestrator import Assistant
from tests.conftest import make_settings
from tests.serving import metric_sample


@pytest.fixture(scope="module")
def client(shop):
    assistant = Assistant(shop, LocalBackend("Demo"), store_name="Demo", max_chars=4000)
    app = create_app(make_settings(shop.home.root), shop=shop, assistant=assistant)
    with TestClient(app) as test_client:
        yield test_client


def _error(response, status):
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body["error"]) == {"type", "message"}
    return body["error"]


def test_healthz(client):
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["products"] >= 300


def test_search_with_text_and_parameter_filters(client):
    body = client.get("/v1/search", params={"q": "puzzle under $20", "k": 5}).json()
    assert body["filters"]["price_max"] == 20
    assert body["results"] and all(r["price"] <= 20 for r in body["results"])
    body = client.get("/v1/search", params={"q": "puzzle", "price_max": 15}).json()
    assert all(r["price"] <= 15 for r in body["results"])


def test_search_errors(client):
    _error(client.get("/v1/search", params={"q": "  "}), 400)
    _error(client.get("/v1/search", params={"q": "puzzle", "k": 0}), 422)
    _error(client.get("/v1/search", params={"q": "puzzle", "price_max": "cheap"}), 422)


def test_product_and_similar(client):
    product_id = client.get("/v1/search", params={"q": "tent"}).json()["results"][0]["id"]
    assert client.get(f"/v1/products/{product_id}").json()["id"] == product_id
    similar = client.get(f"/v1/products/{product_id}/similar", params={"k": 5}).json()["items"]
    assert 0 < len(similar) <= 5 and product_id not in {s["id"] for s in similar}
    _error(client.get("/v1/products/NOPE-404"), 404)
    _error(client.get("/v1/products/NOPE-404/similar"), 404)


def test_recommendations(client, demo_orders):
    user = demo_orders[0]["user_id"]
    body = client.get(f"/v1/users/{user}/recommendations", params={"k": 5}).json()
    assert len(body["items"]) == 5 and all(i["reason"] for i in body["items"])
    scoped = client.get(
        f"/v1/users/{user}/recommendations", params={"k": 5, "q": "puzzles under 20"}
    ).json()
    assert scoped["items"] and all(i["price"] <= 20 for i in scoped["items"])
    unknown = client.get("/v1/users/nobody-at-all/recommendations").json()
    assert unknown["items"]


def test_chat_and_follow_up(client):
    first = client.post("/v1/chat", json={"message": "show me puzzles under $20"}).json()
    assert first["backend"] == "local" and first["products"]
    second = client.post(
        "/v1/chat", json={"message": "anything cheaper?", "session_id": first["session_id"]}
    ).json()
    assert second["filters"]["price_max"] < 20


def test_chat_stream_sends_deltas_then_the_response(client):
    with client.stream("POST", "/v1/chat", json={"message": "hello", "stream": True}) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        events = [block for block in r.read().decode().split("\n\n") if block]
    deltas = [json.loads(e.split("data: ", 1)[1])["text"] for e in events[:-1]]
    done = json.loads(events[-1].split("data: ", 1)[1])
    assert events[-1].startswith("event: done")
    assert "".join(deltas).strip() == done["reply"]


def test_chat_errors(client, demo_orders):
    _error(client.post("/v1/chat", json={"message": ""}), 400)
    _error(client.post("/v1/chat", json={"message": "x" * 10_000}), 400)
    _error(client.post("/v1/chat", json={}), 422)
    _error(
        client.post("/v1/chat", content=b"{not json", headers={"content-type": "application/json"}),
        422,
    )
    _error(client.post("/v1/chat", json={"message": "hi", "session_id": "bad id!"}), 400)
    owner = demo_orders[0]["user_id"]
    session = client.post("/v1/chat", json={"message": "hi", "user_id": owner}).json()
    _error(
        client.post(
            "/v1/chat",
            json={"message": "hi", "session_id": session["session_id"], "user_id": "intruder"},
        ),
        404,
    )


def test_unknown_route_is_a_json_404(client):
    _error(client.get("/v1/nothing-here"), 404)


@pytest.mark.parametrize(
    "path",
    ["/v1/products/", "/v1/products//similar", "/v1/users//recommendations", "/healthz/"],
)
def test_trailing_slashes_and_empty_ids_are_a_json_404_not_a_redirect(client, path):
    response = client.get(path, follow_redirects=False)
    assert _error(response, 404)["type"] == "HTTPError"


@pytest.mark.parametrize("user", ["u/1 ä", "/a/b/", "shop:42/eu"])
def test_user_ids_with_slashes_get_recommendations(client, user):
    tent = client.get("/v1/search", params={"q": "camping tent", "k": 1}).json()["results"][0]
    event = {"user_id": user, "item_id": tent["id"], "event": "purchase"}
    assert client.post("/v1/events", json=event).status_code == 202
    for path in (quote(user, safe=""), quote(user)):  # "/" as %2F, and sent as is
        body = client.get(f"/v1/users/{path}/recommendations", params={"k": 3}).json()
        assert body["user_id"] == user and len(body["items"]) == 3
        assert tent["id"] not in {i["id"] for i in body["items"]}
        assert any(tent["title"] in i["reason"] for i in body["items"])


def test_model_ids_with_slashes_reach_the_model_route(client):
    assert _error(client.get("/v1/models/org%2Fname"), 404)["type"] == "NotFound"
    assert _error(client.get("/v1/models/org/name"), 404)["type"] == "NotFound"


def test_metrics_count_requests(client):
    """Each request counts once under its route and status, each chat turn under its backend
    and intent; the grounding gauge stays put while no reply is replaced (tests/assistant/
    test_grounding.py counts one that is)."""
    requests = "shopassist_http_requests_total"
    healthz = f'{requests}{{path="/healthz",status="200"}}'
    unknown = f'{requests}{{path="unmatched",status="404"}}'
    metrics = f'{requests}{{path="/metrics",status="200"}}'  # the first read, counted after it
    chat = f'{requests}{{path="/v1/chat",status="200"}}'
    turns = 'shopassist_chat_turns_total{backend="local",intent="product_search"}'
    failures = "shopassist_grounding_failures_total"
    before = client.get("/metrics").text
    for _ in range(3):
        client.get("/healthz")
    client.get("/no-such-route")
    turn = client.post("/v1/chat", json={"message": "show me puzzles under $20"}).json()
    assert (turn["backend"], turn["intent"]) == ("local", "product_search")
    after = client.get("/metrics").text
    samples = (healthz, unknown, metrics, chat, turns, failures)
    counted = {
        sample: metric_sample(after, sample) - metric_sample(before, sample) for sample in samples
    }
    assert counted == {healthz: 3, unknown: 1, metrics: 1, chat: 1, turns: 1, failures: 0}
    assert {failures, healthz} <= {line.rpartition(" ")[0] for line in after.splitlines()}


def test_events_change_the_next_recommendations(client, shop):
    tent = client.get("/v1/search", params={"q": "camping tent", "k": 1}).json()["results"][0]
    user = "fresh-shopper-events"
    before = client.get(f"/v1/users/{user}/recommendations", params={"k": 5}).json()["items"]
    response = client.post(
        "/v1/events", json={"user_id": user, "item_id": tent["id"], "event": "purchase"}
    )
    assert response.status_code == 202
    after = client.get(f"/v1/users/{user}/recommendations", params={"k": 5}).json()["items"]
    assert [i["id"] for i in after] != [i["id"] for i in before]
    assert tent["id"] not in {i["id"] for i in after}
    assert any(tent["title"] in i["reason"] for i in after)


def test_event_errors(client):
    _error(
        client.post("/v1/events", json={"user_id": "u", "item_id": "NOPE", "event": "view"}), 404
    )
    tent = client.get("/v1/search", params={"q": "tent", "k": 1}).json()["results"][0]["id"]
    _error(client.post("/v1/events", json={"user_id": "u", "item_id": tent, "event": "like"}), 400)
    _error(client.post("/v1/events", json={"user_id": "u"}), 422)


def test_cold_start_chain(client, shop):
    tent = client.get("/v1/search", params={"q": "camping tent", "k": 1}).json()["results"][0]
    viewing = client.get(
        "/v1/users/brand-new-shopper/recommendations", params={"k": 5, "item": tent["id"]}
    ).json()["items"]
    assert all("you are looking at" in i["reason"] for i in viewing)
    assert tent["id"] not in {i["id"] for i in viewing}
    assert all("Camping" in shop.catalog.product(i["id"]).category for i in viewing[:3])
    nothing = client.get("/v1/users/brand-new-shopper/recommendations", params={"k": 5}).json()
    assert all(i["reason"].startswith("popular") for i in nothing["items"])
    scoped = client.get(
        "/v1/users/brand-new-shopper/recommendations", params={"k": 5, "q": "puzzles under 15"}
    ).json()["items"]
    assert len(scoped) == 5 and all(i["price"] < 15 for i in scoped)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/chat", '{"message": "lego \\ud800"}'),
        ("/v1/chat", '{"message": "lego \\ud800", "stream": true}'),
        ("/v1/chat", '{"message": "lego", "user_id": "\\udfff"}'),
        ("/v1/chat/completions", '{"messages": [{"role": "user", "content": "lego \\ud800"}]}'),
        (
            "/v1/chat/completions",
            '{"messages": [{"role": "user", "content": [{"type": "text", "text": "\\ud800"}]}]}',
        ),
        ("/v1/events", '{"user_id": "\\ud800", "item_id": "P0001", "event": "view"}'),
        ("/v1/products", '{"id": "S1", "title": "x", "attributes": {"\\ud800": "y"}}'),
    ],
)
def test_lone_surrogates_are_a_422_not_a_500(client, path, body):
    """Valid JSON, but not text that can be tokenized or stored."""
    response = client.post(path, content=body, headers={"content-type": "application/json"})
    assert "Unicode" in _error(response, 422)["message"]
