"""`shopassist mcp`: the chat's tools for agent clients, driven by the official SDK's own
client over stdio (a real `shopassist mcp` process) and over streamable HTTP."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator

import anyio
import httpx
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from assistant.mcp_server import TOOLS, RequireKey, build_server, header_shopper
from tests.serving import serving


def _result(call) -> dict:
    return json.loads(call.content[0].text)


def test_stdio_serves_the_tools_for_the_shopper_it_names(demo_home, demo_orders):
    order = next(o for o in demo_orders if o["status"] == "processing")
    stranger = next(o for o in demo_orders if o["user_id"] != order["user_id"])
    command = [sys.executable, "-m", "assistant", "mcp", "--home", str(demo_home)]

    async def session(user: str) -> tuple[list[str], dict, dict, dict]:
        parameters = StdioServerParameters(
            command=command[0], args=[*command[1:], "--user", user], env=dict(os.environ)
        )
        async with Client(parameters, read_timeout_seconds=120) as client:
            names = [tool.name for tool in (await client.list_tools()).tools]
            found = await client.call_tool("search_products", {"query": "jigsaw puzzle", "k": "3"})
            mine = await client.call_tool("get_order_status", {"order_id": order["order_id"]})
            other = await client.call_tool("get_order_status", {"order_id": stranger["order_id"]})
            return names, _result(found), _result(mine), _result(other)

    names, found, mine, other = anyio.run(session, order["user_id"])
    assert set(names) == set(TOOLS) and "cancel_order" not in names
    assert 1 <= len(found["products"]) <= 3  # "3" read as a number
    assert mine["found"] and mine["order"]["status"] == "processing"
    assert other == {"found": False, "order_id": stranger["order_id"]}


@pytest.fixture
def mcp_url(shop) -> Iterator[str]:
    server = build_server(shop, header_shopper)
    app = RequireKey(server.streamable_http_app(), frozenset({"store-key"}))
    with serving(app) as url:
        yield f"{url}/mcp"


def _over_http(url: str, headers: dict[str, str]):
    return streamable_http_client(url, http_client=create_mcp_http_client(headers=headers))


def test_http_needs_a_key_and_acts_for_the_shopper_the_backend_asserts(mcp_url, demo_orders):
    order = next(o for o in demo_orders if o["status"] == "processing")

    async def shop_as(user: str | None) -> tuple[dict, dict, dict]:
        headers = {"Authorization": "Bearer store-key"}
        if user:
            headers["X-Shopper-Id"] = user
        async with Client(_over_http(mcp_url, headers)) as client:
            listed = await client.call_tool("list_my_orders", {})
            found = await client.call_tool("search_products", {"query": "board game"})
            product = _result(found)["products"][0]
            added = await client.call_tool("add_to_cart", {"product_id": product["id"]})
            return _result(listed), product, _result(added)

    listed, product, added = anyio.run(shop_as, order["user_id"])
    assert order["order_id"] in {o["order_id"] for o in listed["orders"]}
    assert [item["id"] for item in added["items"]] == [product["id"]]
    anonymous, _, _ = anyio.run(shop_as, None)
    assert anonymous == {"signed_in": False, "orders": []}

    for key in (None, "guessed-key"):
        headers = {"X-Shopper-Id": order["user_id"], "Accept": "application/json"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        refused = httpx.post(mcp_url, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                             headers=headers)  # fmt: skip
        assert refused.status_code == 401 and refused.json()["error"]["type"] == "unauthorized"


def test_a_wrong_call_is_an_error_result_not_a_crash(mcp_url):
    async def wrong() -> tuple:
        headers = {"Authorization": "Bearer store-key"}
        async with Client(_over_http(mcp_url, headers)) as client:
            bad = await client.call_tool("search_products", {"query": "x", "sort": "cheapest"})
            unknown = await client.call_tool("cancel_order", {"order_id": "SA-1"})
            return bad, unknown

    bad, unknown = anyio.run(wrong)
    assert bad.is_error and "sort" in _result(bad)["error"]
    assert unknown.is_error
