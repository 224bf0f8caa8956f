"""`shopassist mcp`: the store's chat tools for agent clients, over the Model Context
Protocol (the official `mcp` SDK; stdio, or streamable HTTP at `/mcp`).

The tools are the chat's own (:class:`assistant.tools.Toolbox`): the same argument models,
schemas and validation, so an agent can search, look up and compare products, get
recommendations, keep a cart and read the shopper's orders, as a storefront's MCP server
lets it. Order tools answer for one shopper only: over stdio the one `--user` names (the
process runs for that shopper); over HTTP the one the store's backend asserts in the
`X-Shopper-Id` header of a request that carries one of `SHOPASSIST_API_KEYS` (with no keys
configured, as in development, the header is taken as it is, like `/v1/chat`'s
`user_id`). Orders are never changed here: that needs the shopper's own yes in a chat.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from typing import Any

import anyio
import mcp_types as types
from mcp.server.lowlevel import Server
from starlette.types import ASGIApp, Receive, Scope, Send

from assistant.db import Session
from assistant.shop import Shop
from assistant.tools import Toolbox

_CHAT_ONLY = frozenset(
    {"empty_cart", "cancel_order", "change_shipping_address", "start_return", "hand_off_to_human"}
)
"""Tools for a conversation with the shopper only: order changes need the shopper's own yes
in a chat, a hand-off a chat to hand off; agents do not empty carts."""
TOOLS = tuple(name for name in Toolbox.NAMES if name not in _CHAT_ONLY)
"""The chat tools an agent may call."""
SHOPPER_HEADER = "x-shopper-id"

Shopper = Callable[[Any], str | None]
"""Who a request acts for, from its context (the HTTP request, for streamable HTTP)."""


def build_server(shop: Shop, shopper: Shopper) -> Server[Any]:
    """The MCP server over `shop`'s tools, each call acting for `shopper(context)`."""
    anonymous_cart = f"mcp-{uuid.uuid4().hex}"

    def run(name: str, arguments: dict[str, Any], user: str | None, cart: str) -> dict:
        session = shop.db.get_session(cart) or shop.db.create_session(user, cart)
        return Toolbox(shop, session, user).call(name, arguments)

    async def list_tools(context: Any, params: Any) -> types.ListToolsResult:
        toolbox = Toolbox(shop, Session("mcp-schemas", None), None)
        schemas = {s["function"]["name"]: s["function"] for s in toolbox.schemas()}
        return types.ListToolsResult(
            tools=[
                types.Tool(
                    name=name,
                    description=schemas[name]["description"],
                    input_schema=schemas[name]["parameters"],
                )
                for name in TOOLS
            ]
        )

    async def call_tool(context: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        if params.name not in TOOLS:
            result: dict[str, Any] = {"error": f"unknown tool {params.name!r}"}
        else:
            user = shopper(context)
            # A shopper's cart is theirs across connections; an anonymous one lasts as long
            # as this server.
            cart = f"mcp-{_digest(user)}" if user else anonymous_cart
            arguments = dict(params.arguments or {})
            result = await anyio.to_thread.run_sync(run, params.name, arguments, user, cart)
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=json.dumps(result, default=str))],
            structured_content=result,
            is_error="error" in result,
        )

    return Server(
        "shopassist",
        instructions="Search the store's catalog, compare products, keep a cart and read the "
        "signed-in shopper's orders. Prices and stock come from the tools only.",
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )


def header_shopper(context: Any) -> str | None:
    """The shopper the store's backend asserts for an HTTP request."""
    request = getattr(context, "request", None)
    value = request.headers.get(SHOPPER_HEADER) if request is not None else None
    return value.strip() or None if value else None


class RequireKey:
    """ASGI middleware: with `keys` configured, a request without one of them (as a Bearer
    token or `X-API-Key`) gets a 401 before it reaches the MCP server."""

    def __init__(self, app: ASGIApp, keys: frozenset[str]) -> None:
        self.app, self.keys = app, keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.keys and _presented(scope) not in self.keys:
            body = json.dumps(
                {"error": {"type": "unauthorized", "message": "a valid API key is required"}}
            ).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 401,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


def _presented(scope: Scope) -> str | None:
    headers = {k.decode().lower(): v.decode() for k, v in scope.get("headers", [])}
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return headers.get("x-api-key")


def _digest(user: str) -> str:
    return hashlib.sha256(user.encode()).hexdigest()[:32]
