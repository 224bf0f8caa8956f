"""Adding, replacing and deleting products through the API, without a rebuild."""

from __future__ import annotations

import shutil
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.llm.local import LocalBackend
from assistant.orchestrator import Assistant
from assistant.shop import Shop
from retrieval.catalog import Product
from tests.conftest import make_settings

KETTLE = {
    "id": "NEW-1",
    "title": "Glowmere Copper Gooseneck Pour-Over Kettle",
    "description": "A 1-litre gooseneck kettle for precise pour-over coffee.",
    "category": "Home & Kitchen > Coffee & Tea",
    "brand": "Glowmere",
    "price": 44.5,
    "stock": 7,
}


@pytest.fixture
def home(demo_home, tmp_path):
    copy = tmp_path / "home"
    shutil.copytree(demo_home, copy)
    return copy


def _client(home, embedder) -> tuple[TestClient, Shop]:
    shop = Shop.open(make_settings(home), embedder=embedder)
    assistant = Assistant(shop, LocalBackend("Demo"), store_name="Demo", max_chars=4000)
    return TestClient(create_app(make_settings(home), shop=shop, assistant=assistant)), shop


def _ids(client, q, **params):
    body = client.get("/v1/search", params={"q": q, "k": 10, **params}).json()
    return [r["id"] for r in body["results"]]


def test_add_replace_delete_and_restart(home, embedder):
    client, shop = _client(home, embedder)
    with client:
        assert client.post("/v1/products", json=KETTLE).status_code == 201
        assert _ids(client, "gooseneck pour-over kettle")[0] == "NEW-1"
        assert client.post("/v1/products", json=KETTLE).status_code == 409
        cheaper = {**KETTLE, "price": 19.0}
        assert client.put("/v1/products/NEW-1", json=cheaper).json()["price"] == 19.0
        assert "NEW-1" in _ids(client, "gooseneck kettle", price_max=20)
        assert client.get("/v1/products/NEW-1").json()["price"] == 19.0
    shop.close()

    client, shop = _client(home, embedder)  # a restart keeps the changes
    with client:
        assert client.get("/v1/products/NEW-1").json()["price"] == 19.0
        assert client.delete("/v1/products/NEW-1").status_code == 204
        assert client.get("/v1/products/NEW-1").status_code == 404
        assert "NEW-1" not in _ids(client, "gooseneck pour-over kettle")
    shop.close()


def test_bad_product_requests(home, embedder):
    client, shop = _client(home, embedder)
    with client:
        assert client.post("/v1/products", json={"id": "X"}).status_code == 422
        assert client.post("/v1/products", json={**KETTLE, "price": -1}).status_code == 422
        assert client.put("/v1/products/OTHER", json=KETTLE).status_code == 400
        assert client.put("/v1/products/NEW-1", json=KETTLE).status_code == 404
        assert client.delete("/v1/products/NOPE").status_code == 404
        assert client.post("/v1/products", json=[]).status_code == 400
    shop.close()


@pytest.mark.parametrize("product_id", ["SLASH/2", "SKU 1/ä ü", "/lead/and trail/", "ünï cödé"])
def test_ids_with_slashes_spaces_and_unicode_are_reachable(home, embedder, product_id):
    client, shop = _client(home, embedder)
    encoded = quote(product_id, safe="")  # "/" as %2F
    with client:
        body = {**KETTLE, "id": product_id}
        assert client.post("/v1/products", json=body).json() == {"created": [product_id]}
        for path in (encoded, quote(product_id)):  # "/" encoded, and sent as is
            assert client.get(f"/v1/products/{path}").json()["id"] == product_id
            similar = client.get(f"/v1/products/{path}/similar", params={"k": 3}).json()
            assert similar["id"] == product_id and len(similar["items"]) == 3
        changed = client.put(f"/v1/products/{encoded}", json={**body, "price": 9.5})
        assert changed.status_code == 200 and changed.json()["price"] == 9.5
        assert client.delete(f"/v1/products/{quote(product_id)}").status_code == 204
        assert client.get(f"/v1/products/{encoded}").status_code == 404
    shop.close()


@pytest.mark.parametrize(
    ("price", "expected", "currency"),
    [
        ("$7.50", 7.5, "USD"),
        ("EUR 1.299,99", 1299.99, "EUR"),
        ("€8,50", 8.5, "EUR"),
        (" ", None, "USD"),
        (3, 3.0, "USD"),
    ],
)
def test_prices_may_be_strings_as_in_catalog_files(home, embedder, price, expected, currency):
    client, shop = _client(home, embedder)
    with client:
        response = client.post("/v1/products", json={**KETTLE, "price": price})
        assert response.status_code == 201, response.text
        stored = client.get("/v1/products/NEW-1").json()
        assert (stored["price"], stored["currency"]) == (expected, currency)
        changed = client.put("/v1/products/NEW-1", json={**KETTLE, "price": "$1,234.5"})
        assert changed.json()["price"] == 1234.5
    shop.close()


@pytest.mark.parametrize("price", ["cheap", "-$3", "$1 $2", True, [1], {"amount": 1}])
def test_unreadable_prices_are_a_422(home, embedder, price):
    client, shop = _client(home, embedder)
    with client:
        response = client.post("/v1/products", json={**KETTLE, "price": price})
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["type"] == "ValidationError" and "price" in error["message"]
        assert client.get("/v1/products/NEW-1").status_code == 404
    shop.close()


def test_search_payload_reports_unmet_constraints(shop):
    from assistant.catalog import search_payload

    payload = search_payload(shop.catalog.search("puzzle", k=5, filters=None))
    assert {"unmet", "no_good_match", "facets"} <= set(payload)
    impossible = search_payload(shop.catalog.search("puzzle under $1"))
    assert impossible["results"] == [] and impossible["unmet"]


def test_changes_are_logged_and_the_index_saved_every_so_many(home, embedder, monkeypatch):
    shop = Shop.open(make_settings(home), embedder=embedder)
    generation, pending = (
        shop.catalog.engine.generation,
        shop.catalog.live.changes.pending,
    )  # other tests' changes
    monkeypatch.setattr("retrieval.live.COMPACT_AFTER", pending + 2)
    try:
        shop.catalog.add([Product.from_dict(KETTLE)], replace=False)
        assert (
            shop.catalog.engine.generation == generation
            and shop.catalog.live.changes.pending == pending + 1
        )
        second = Product.from_dict({**KETTLE, "id": "NEW-2"})
        shop.catalog.add([second], replace=False)  # the second change saves the index
        assert (
            shop.catalog.engine.generation != generation and shop.catalog.live.changes.pending == 0
        )
    finally:
        shop.close()
    reopened = Shop.open(make_settings(home), embedder=embedder)
    try:
        assert reopened.catalog.live.changes.pending == 0
        assert reopened.catalog.product("NEW-1").title == reopened.catalog.product("NEW-2").title
    finally:
        reopened.close()


def test_a_replacement_may_leave_the_id_to_the_path(home, embedder):
    client, shop = _client(home, embedder)
    with client:
        assert client.post("/v1/products", json=KETTLE).status_code == 201
        without_id = {key: value for key, value in KETTLE.items() if key != "id"}
        replaced = client.put("/v1/products/NEW-1", json={**without_id, "price": 30.0})
        assert replaced.status_code == 200 and replaced.json()["price"] == 30.0
        other = client.put("/v1/products/NEW-1", json={**KETTLE, "id": "NEW-2"})
        assert other.status_code == 400 and "is not 'NEW-1'" in other.json()["error"]["message"]
    shop.close()
