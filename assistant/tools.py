"""The chat tools: plain typed functions over the shop, bound to one turn's caller.

Their JSON schemas come from the signatures and docstrings, so the OpenAI tier and the local
tier call exactly the same code. Every result is recorded: the grounding check only lets a
reply mention products, prices, orders and policy text that a tool returned.
"""

from __future__ import annotations

import inspect
import json
import logging
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assistant import orders as order_rules
from assistant.db import Session
from assistant.errors import AssistantError, BadRequest, NotFound
from assistant.policies import Passage
from assistant.shop import Shop, product_summary
from assistant.understanding import names_products, request_topic
from retrieval.catalog import Product
from retrieval.filters import Filters

log = logging.getLogger(__name__)

_JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean"}
_MAX_QUANTITY = 99
"""The most of one product a cart holds."""
_SORT_POOL = 20
"""How many of the most relevant matches a sorted search orders (more lets merely related
products, a puzzle for "cheapest lego set", in)."""
_SORT_KEYS: dict[str, Callable[[Product], tuple[bool, float]]] = {
    "price_low": lambda p: (p.price is None, p.price or 0.0),
    "price_high": lambda p: (p.price is None, -(p.price or 0.0)),
    "rating": lambda p: (p.rating is None, -(p.rating or 0.0)),
}
"""Orders other than relevance; products without the value come last."""
SORTS = ("relevance", *_SORT_KEYS)
_ARG_DOC = re.compile(r"^\s+(\w+):\s*(.+)$")


class ToolError(AssistantError):
    """A tool was called with a name or arguments it does not accept."""


@dataclass
class ToolCall:
    name: str
    arguments: dict[str, Any]
    result: dict[str, Any]


@dataclass
class Toolbox:
    """The tools available in one turn, for one caller, and what they returned."""

    shop: Shop
    session: Session
    user_id: str | None
    calls: list[ToolCall] = field(default_factory=list)
    products: dict[str, Product] = field(default_factory=dict)
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    passages: list[Passage] = field(default_factory=list)
    history: set[str] = field(default_factory=set)  # products a reason may cite as the shopper's
    shown: list[str] = field(default_factory=list)
    handed_off: str | None = None
    cart_total: float | None = None
    pending: dict[str, Any] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        # A state change proposed last turn may be confirmed in this turn only.
        self.pending = self.session.state.pop("pending", None)

    # -- the tools ---------------------------------------------------------------
    def search_products(
        self,
        query: str,
        max_price: float | None = None,
        min_price: float | None = None,
        category: str | None = None,
        brand: str | None = None,
        color: str | None = None,
        in_stock_only: bool = False,
        size: str | None = None,
        min_age: float | None = None,
        max_age: float | None = None,
        min_pieces: int | None = None,
        max_pieces: int | None = None,
        sort: str = "relevance",
        k: int = 5,
    ) -> dict[str, Any]:
        """Search the catalog. Constraints are hard filters.

        Args:
            query: what the shopper wants, in their words (e.g. "jigsaw puzzle under $20")
            max_price: highest acceptable price
            min_price: lowest acceptable price
            category: a category name from the store
            brand: a brand name
            color: a colour
            in_stock_only: only products that are in stock
            size: a size such as "M" or "10"
            min_age: youngest age in years the product must suit
            max_age: oldest age in years the product must suit
            min_pieces: fewest pieces (puzzles, building sets)
            max_pieces: most pieces
            sort: "relevance", or among the good matches "price_low" (cheapest first),
                "price_high" or "rating" (best rated first)
            k: how many products to return (1-10)
        """
        if sort not in SORTS:
            raise BadRequest(f"sort must be one of {', '.join(SORTS)}")
        filters = Filters(
            price_min=min_price,
            price_max=max_price,
            category=category,
            brand=brand,
            color=color,
            in_stock=True if in_stock_only else None,
            age_min=min_age,
            age_max=max_age,
            pieces_min=min_pieces,
            pieces_max=max_pieces,
            size=size,
        )
        k = max(1, min(k, 10))
        pool = k if sort == "relevance" else _SORT_POOL
        result = self.shop.search(query, k=pool, filters=filters)
        products = [hit.product for hit in result.hits]
        if sort != "relevance":
            matched = [hit.product for hit in result.hits if hit.matched] or products
            products = sorted(matched, key=_SORT_KEYS[sort])[:k]
        if result.no_good_match and not names_products(request_topic(result.text), products):
            # The nearest products are unrelated ("lego sets" under $9 finds a cupcake toy):
            # the store has nothing that fits, and the answer says so instead of listing them.
            products = []
        if products:  # a search that finds nothing leaves the listing to refer to
            self._show(products)
        self.session.state.update(
            listing="search", query=result.text, filters=result.filters.to_dict()
        )
        return {
            "query": result.text,
            "filters": result.filters.to_dict(),
            "no_good_match": result.no_good_match,
            "products": [product_summary(p) for p in products],
        }

    def get_product(self, product_id: str) -> dict[str, Any]:
        """Full details of one product.

        Args:
            product_id: the product's id
        """
        product = self.shop.product(product_id)
        self._remember([product])
        self.session.state["focus"] = product.id  # what "it" means next
        return product.to_dict()

    def compare_products(self, product_ids: list[str]) -> dict[str, Any]:
        """Compare two or three products side by side on their attributes.

        Args:
            product_ids: the ids of the products to compare
        """
        if not 2 <= len(product_ids) <= 3:
            raise ToolError("compare_products takes two or three product ids")
        products = [self.shop.product(pid) for pid in product_ids]
        self._remember(products)
        return {"products": [p.to_dict() for p in products]}

    def recommend_products(self, query: str = "", k: int = 5) -> dict[str, Any]:
        """Personal recommendations for the shopper, optionally limited to a need.

        Args:
            query: optional need that constrains the picks (e.g. "puzzles under $20")
            k: how many products (1-10)
        """
        suggestions, filters = self.shop.recommend(
            self.user_id or "", max(1, min(k, 10)), query=query or None
        )
        self._show([s.product for s in suggestions])
        # Follow-ups ("something cheaper") refine these recommendations, not a search.
        self.session.state.update(listing="recommendation", query=query, filters=filters.to_dict())
        if self.user_id and self.shop.recs is not None:
            self.history |= set(self.shop.recs.history(self.user_id))
        return {"filters": filters.to_dict(), "products": [s.to_dict() for s in suggestions]}

    def add_to_cart(self, product_id: str, quantity: int = 1) -> dict[str, Any]:
        """Put a product in the shopper's cart (adding to any already there).

        Args:
            product_id: the product's id
            quantity: how many more to add (1-99)
        """
        if not 1 <= quantity <= _MAX_QUANTITY:
            raise BadRequest(f"quantity must be between 1 and {_MAX_QUANTITY}")
        product = self.shop.product(product_id)
        if product.stock == 0:
            raise BadRequest(f"{product.title} is out of stock")
        self.session.state["focus"] = product.id
        held = dict(self.shop.db.cart(self.session.id)).get(product.id, 0)
        self.shop.db.set_cart_quantity(
            self.session.id, product.id, min(held + quantity, _MAX_QUANTITY)
        )
        if self.user_id:
            self.shop.record_event(self.user_id, product.id, "cart")
        return {"added": product_summary(product), **self._cart()}

    def remove_from_cart(self, product_id: str) -> dict[str, Any]:
        """Take a product out of the shopper's cart.

        Args:
            product_id: the product's id
        """
        in_cart = dict(self.shop.db.cart(self.session.id))
        if product_id not in in_cart:
            raise NotFound(f"{product_id} is not in the cart")
        self.shop.db.set_cart_quantity(self.session.id, product_id, 0)
        removed = self.shop.engine.get(product_id)
        return {"removed": None if removed is None else product_summary(removed), **self._cart()}

    def empty_cart(self) -> dict[str, Any]:
        """Take everything out of the shopper's cart."""
        self.shop.db.empty_cart(self.session.id)
        return self._cart()

    def view_cart(self) -> dict[str, Any]:
        """What is in the shopper's cart, with the total."""
        return self._cart()

    def get_order_status(self, order_id: str) -> dict[str, Any]:
        """Status, items and tracking of one of the shopper's own orders.

        Args:
            order_id: the order id, e.g. SA-100123
        """
        order = self.shop.db.order_for_user(order_id.strip(), self.user_id)
        if order is None:
            # Same answer whether the order does not exist or belongs to someone else.
            return {"found": False, "order_id": order_id}
        self.orders[order["order_id"]] = order
        return {"found": True, "order": order}

    def list_my_orders(self) -> dict[str, Any]:
        """The shopper's most recent orders."""
        orders = self.shop.db.orders_for_user(self.user_id, limit=5) if self.user_id else []
        for order in orders:
            self.orders[order["order_id"]] = order
        return {"signed_in": self.user_id is not None, "orders": orders}

    def cancel_order(self, order_id: str, confirm: bool = False) -> dict[str, Any]:
        """Cancel one of the shopper's orders (possible while it is processing). Call without
        confirm first and ask the shopper; call with confirm=true only after they said yes.

        Args:
            order_id: the order id, e.g. SA-100123
            confirm: true only once the shopper has confirmed this exact change
        """
        return self._order_action("cancel_order", order_id, {}, confirm)

    def change_shipping_address(
        self, order_id: str, line1: str, city: str, postcode: str, confirm: bool = False
    ) -> dict[str, Any]:
        """Change where an order ships (possible until it ships). Call without confirm first
        and ask the shopper; call with confirm=true only after they said yes.

        Args:
            order_id: the order id
            line1: street and number
            city: city
            postcode: postal code
            confirm: true only once the shopper has confirmed this exact change
        """
        arguments = {"line1": line1.strip(), "city": city.strip(), "postcode": postcode.strip()}
        return self._order_action("change_shipping_address", order_id, arguments, confirm)

    def start_return(
        self, order_id: str, reason: str = "", confirm: bool = False
    ) -> dict[str, Any]:
        """Start a return for a delivered order within the return window. Call without confirm
        first and ask the shopper; call with confirm=true only after they said yes.

        Args:
            order_id: the order id
            reason: why the shopper returns it
            confirm: true only once the shopper has confirmed this exact change
        """
        return self._order_action("start_return", order_id, {"reason": reason.strip()}, confirm)

    def search_policies(self, question: str) -> dict[str, Any]:
        """Find the store policy passages (shipping, returns, refunds, payment, warranty,
        account) that answer a question.

        Args:
            question: the shopper's question
        """
        found = self.shop.policies.search(question)
        self.passages += [passage for passage, _ in found]
        return {
            "passages": [
                {**passage.to_dict(), "score": round(score, 3)} for passage, score in found
            ]
        }

    def hand_off_to_human(self, reason: str) -> dict[str, Any]:
        """Hand the conversation to a human agent (creates a support ticket).

        Args:
            reason: why the shopper needs a person
        """
        ticket = self.shop.db.create_ticket(self.session, reason)
        self.session.handed_off = True
        self.handed_off = ticket
        return {"ticket_id": ticket}

    # -- dispatch ----------------------------------------------------------------
    _NAMES = (
        "search_products",
        "get_product",
        "compare_products",
        "recommend_products",
        "add_to_cart",
        "remove_from_cart",
        "empty_cart",
        "view_cart",
        "get_order_status",
        "list_my_orders",
        "cancel_order",
        "change_shipping_address",
        "start_return",
        "search_policies",
        "hand_off_to_human",
    )

    def schemas(self) -> list[dict[str, Any]]:
        """OpenAI `tools` definitions for every tool."""
        return [_schema(getattr(self, name)) for name in self._NAMES]

    def call(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """Run a tool by name with JSON arguments; bad calls raise ToolError."""
        if name not in self._NAMES:
            raise ToolError(f"unknown tool {name!r}")
        function = getattr(self, name)
        try:
            inspect.signature(function).bind(**arguments)
        except TypeError as exc:
            raise ToolError(f"bad arguments for {name}: {exc}") from exc
        try:
            result = function(**arguments)
        except (BadRequest, NotFound) as exc:
            result = {"error": str(exc)}
        self.calls.append(ToolCall(name, arguments, result))
        log.debug("tool %s(%s) -> %s", name, json.dumps(arguments), str(result)[:200])
        return result

    def _order_action(
        self, action: str, order_id: str, arguments: dict[str, Any], confirm: bool
    ) -> dict[str, Any]:
        order = self.shop.db.order_for_user(order_id.strip(), self.user_id)
        if order is None:
            return {"found": False, "order_id": order_id}
        self.orders[order["order_id"]] = order
        now = self.shop.clock()
        problem = order_rules.check(action, order, now)
        if problem:
            return {"found": True, "allowed": False, "reason": problem, "order": order}
        request = {"action": action, "order_id": order["order_id"], "arguments": arguments}
        if not confirm or self.pending != request:
            self.session.state["pending"] = request
            return {"found": True, "allowed": True, "needs_confirmation": True, "order": order}
        changed = order_rules.apply(action, order, arguments, now)
        self.shop.db.save_order(changed)
        self.orders[changed["order_id"]] = changed
        self.pending = None
        log.info("%s on %s for %s", action, changed["order_id"], self.user_id)
        return {"found": True, "done": True, "order": changed}

    def _show(self, products: list[Product]) -> None:
        """Record a listing the shopper now sees: follow-ups ("the second one",
        "anything cheaper?") refer to it."""
        self._remember(products)
        self.session.state["shown"] = [p.id for p in products]
        self.session.state.pop("focus", None)  # "it" now means one of these
        self.session.state["shown_prices"] = [p.price for p in products if p.price is not None]
        categories = {p.category.split(" > ")[-1] for p in products if p.category}
        # A listing from one category keeps follow-ups ("anything cheaper?") inside it.
        self.session.state["shown_category"] = categories.pop() if len(categories) == 1 else None

    def _cart(self) -> dict[str, Any]:
        """The cart's items still in the catalog, with quantities and the total (None when
        an item has no price)."""
        items, total = [], 0.0
        priced = True
        for product_id, quantity in self.shop.db.cart(self.session.id):
            product = self.shop.engine.get(product_id)
            if product is None:
                continue  # deleted from the catalog since
            self._remember([product])
            items.append({**product_summary(product), "quantity": quantity})
            priced = priced and product.price is not None
            total += (product.price or 0.0) * quantity
        self.cart_total = round(total, 2) if priced else None
        return {"items": items, "total": self.cart_total}

    def _remember(self, products: list[Product]) -> None:
        for product in products:
            self.products[product.id] = product
            if product.id not in self.shown:
                self.shown.append(product.id)


def _schema(function: Callable[..., Any]) -> dict[str, Any]:
    doc = inspect.getdoc(function) or ""
    summary, _, rest = doc.partition("\n\n")
    described = {m.group(1): m.group(2) for m in map(_ARG_DOC.match, rest.splitlines()) if m}
    hints = typing.get_type_hints(function)
    properties: dict[str, Any] = {}
    required = []
    for name, parameter in inspect.signature(function).parameters.items():
        prop = _json_type(hints[name])
        if name in described:
            prop["description"] = described[name]
        properties[name] = prop
        if parameter.default is inspect.Parameter.empty:
            required.append(name)
    return {
        "type": "function",
        "function": {
            "name": function.__name__,
            "description": " ".join(summary.split()),
            "parameters": {"type": "object", "properties": properties, "required": required},
        },
    }


def _json_type(hint: Any) -> dict[str, Any]:
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return _json_type(args[0])
    if typing.get_origin(hint) is list:
        return {"type": "array", "items": _json_type(args[0])}
    return {"type": _JSON_TYPES[hint]}
