"""The chat tools: plain typed functions over the shop, bound to one turn's caller.

Their argument models and JSON schemas come from the signatures and docstrings
(:mod:`assistant.tool_schema`), so the OpenAI tier and the local tier call exactly the same
code through the same validation. Every result is recorded: the grounding check only lets
a reply mention products, prices, orders and policy text that a tool returned.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Annotated, Any, Literal, get_args

from pydantic import Field

from assistant.carts import MAX_QUANTITY
from assistant.catalog import Catalog, product_summary
from assistant.conversation import ConversationState
from assistant.db import Session
from assistant.errors import BadRequest, NotFound
from assistant.evidence import ToolCall
from assistant.policies import Passage
from assistant.shop import Shop
from assistant.tool_schema import ToolError, ToolSpec
from assistant.understanding import names_products, request_topic
from retrieval.catalog import Product
from retrieval.filters import Filters

log = logging.getLogger(__name__)

_SORT_POOL = 20
"""How many of the most relevant matches a sorted search orders (more lets merely related
products, a puzzle for "cheapest lego set", in)."""
_SORT_KEYS: dict[str, Callable[[Product], tuple[bool, float]]] = {
    "price_low": lambda p: (p.price is None, p.price or 0.0),
    "price_high": lambda p: (p.price is None, -(p.price or 0.0)),
    "rating": lambda p: (p.rating is None, -(p.rating or 0.0)),
}
"""Orders other than relevance; products without the value come last."""
Sort = Literal["relevance", "price_low", "price_high", "rating"]
SORTS: tuple[str, ...] = get_args(Sort)
_NOTED_VALUES = 60
"""The most category or brand names a schema lists."""

ARGUMENT_OF_FILTER = {
    "price_min": "min_price",
    "price_max": "max_price",
    "in_stock": "in_stock_only",
    "age_min": "min_age",
    "age_max": "max_age",
    "pieces_min": "min_pieces",
    "pieces_max": "max_pieces",
}
"""`search_products` argument names of the `Filters` fields named differently (the others,
category, brand, color and size, have one name)."""


def search_arguments(filters: Filters) -> dict[str, Any]:
    """The set fields of `filters` as `search_products` arguments."""
    return {ARGUMENT_OF_FILTER.get(name, name): value for name, value in filters.to_dict().items()}


Price = Annotated[float | None, Field(ge=0)]
Age = Annotated[float | None, Field(ge=0, le=120)]
Pieces = Annotated[int | None, Field(ge=0)]
Text = Annotated[str, Field(max_length=500)]
Name = Annotated[str | None, Field(max_length=200)]
ProductId = Annotated[str, Field(min_length=1, max_length=200)]
OrderId = Annotated[str, Field(min_length=1, max_length=64)]


@dataclass
class Toolbox:
    """The tools available in one turn, for one caller, and what they returned (all the
    grounding check lets a reply draw on: :class:`assistant.evidence.TurnResults`)."""

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
    pending: dict[str, Any] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self._state_before = self.session.state.to_dict()
        # A state change proposed last turn may be confirmed in this turn only.
        self.pending, self.session.state.pending = self.session.state.pending, None

    @property
    def catalog(self) -> Catalog:
        return self.shop.catalog

    @property
    def filters(self) -> dict[str, Any]:
        """The search filters in force in the conversation."""
        return self.session.state.filters.to_dict()

    def again(self) -> Toolbox:
        """A fresh toolbox for the same turn (for a second answer, when the first is
        discarded): nothing returned yet, and the conversation as it was before the turn,
        so that nothing the discarded answer's tools did to it shapes the second."""
        self.session.state = ConversationState.from_dict(self._state_before)
        return Toolbox(self.shop, self.session, self.user_id)

    # -- the tools ---------------------------------------------------------------
    def search_products(
        self,
        query: Text,
        max_price: Price = None,
        min_price: Price = None,
        category: Name = None,
        brand: Name = None,
        color: Name = None,
        in_stock_only: bool = False,
        size: Annotated[str | None, Field(max_length=20)] = None,
        min_age: Age = None,
        max_age: Age = None,
        min_pieces: Pieces = None,
        max_pieces: Pieces = None,
        sort: Sort = "relevance",
        k: Annotated[int, Field(ge=1, le=10)] = 5,
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
            sort: "relevance" (best matches first), or the good matches ordered by
                "price_low" (cheapest first), "price_high" (dearest first) or "rating"
                (best rated first)
            k: how many products to return (1-10)
        """
        catalog = self.shop.catalog
        if category is not None:  # the store's own name for it: "puzzle" is "Puzzles"
            category = catalog.vocabulary.category(category) or category
        if (
            category is not None
            and catalog.search("", k=1, filters=Filters(category=category)).unmet
        ):
            raise ToolError(
                f"search_products: the store has no category {category!r}. "
                + _listed("Its categories", catalog.vocabulary.categories)
            )
        filters = Filters.from_params(
            {
                "min_price": min_price,
                "max_price": max_price,
                "category": category,
                "brand": brand,
                "color": color,
                "in_stock_only": in_stock_only or None,  # False: any, not out of stock only
                "min_age": min_age,
                "max_age": max_age,
                "min_pieces": min_pieces,
                "max_pieces": max_pieces,
                "size": size,
            },
            ARGUMENT_OF_FILTER,
        )
        pool = k if sort == "relevance" else _SORT_POOL
        result = catalog.search(query, k=pool, filters=filters)
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
        self.session.state.listed("search", result.text, result.filters)
        return {
            "query": result.text,
            "filters": result.filters.to_dict(),
            "no_good_match": result.no_good_match,
            "products": [product_summary(p) for p in products],
        }

    def get_product(self, product_id: ProductId) -> dict[str, Any]:
        """Full details of one product.

        Args:
            product_id: the product's id
        """
        product = self.shop.catalog.product(product_id)
        self._remember([product])
        self.session.state.focus = product.id  # what "it" means next
        return product.to_dict()

    def compare_products(
        self, product_ids: Annotated[list[ProductId], Field(min_length=2, max_length=3)]
    ) -> dict[str, Any]:
        """Compare two or three products side by side on their attributes.

        Args:
            product_ids: the ids of the two or three products to compare
        """
        products = [self.shop.catalog.product(pid) for pid in product_ids]
        self._remember(products)
        return {"products": [p.to_dict() for p in products]}

    def recommend_products(
        self, query: Text = "", k: Annotated[int, Field(ge=1, le=10)] = 5
    ) -> dict[str, Any]:
        """Personal recommendations for the shopper, optionally limited to a need.

        Args:
            query: optional need that constrains the picks (e.g. "puzzles under $20")
            k: how many products (1-10)
        """
        recommendations = self.shop.recommendations
        suggestions, filters = recommendations.recommend(self.user_id or "", k, query=query or None)
        self._show([s.product for s in suggestions])
        # Follow-ups ("something cheaper") refine these recommendations, not a search.
        self.session.state.listed("recommendation", query, filters)
        if self.user_id:
            self.history |= set(recommendations.history(self.user_id))
        return {"filters": filters.to_dict(), "products": [s.to_dict() for s in suggestions]}

    def add_to_cart(
        self, product_id: ProductId, quantity: Annotated[int, Field(ge=1, le=MAX_QUANTITY)] = 1
    ) -> dict[str, Any]:
        """Put a product in the shopper's cart (adding to any already there).

        Args:
            product_id: the product's id
            quantity: how many more to add (1-99)
        """
        product = self.shop.carts.add(self.session.id, product_id, quantity, self.user_id)
        self.session.state.focus = product.id
        return {"added": product_summary(product), **self._cart()}

    def remove_from_cart(self, product_id: ProductId) -> dict[str, Any]:
        """Take a product out of the shopper's cart.

        Args:
            product_id: the product's id
        """
        removed = self.shop.carts.remove(self.session.id, product_id)
        return {"removed": None if removed is None else product_summary(removed), **self._cart()}

    def empty_cart(self) -> dict[str, Any]:
        """Take everything out of the shopper's cart."""
        self.shop.carts.empty(self.session.id)
        return self._cart()

    def view_cart(self) -> dict[str, Any]:
        """What is in the shopper's cart, with the total."""
        return self._cart()

    def get_order_status(self, order_id: OrderId) -> dict[str, Any]:
        """Status, items and tracking of one of the shopper's own orders.

        Args:
            order_id: the order id, e.g. SA-100123
        """
        order = self.shop.orders.find(order_id, self.user_id)
        if order is None:
            # Same answer whether the order does not exist or belongs to someone else.
            return {"found": False, "order_id": order_id}
        self.orders[order["order_id"]] = order
        return {"found": True, "order": order}

    def list_my_orders(self) -> dict[str, Any]:
        """The shopper's most recent orders."""
        orders = self.shop.orders.recent(self.user_id)
        for order in orders:
            self.orders[order["order_id"]] = order
        return {"signed_in": self.user_id is not None, "orders": orders}

    def cancel_order(self, order_id: OrderId, confirm: bool = False) -> dict[str, Any]:
        """Cancel one of the shopper's orders (possible while it is processing). Call without
        confirm first and ask the shopper; call with confirm=true only after they said yes.

        Args:
            order_id: the order id, e.g. SA-100123
            confirm: true only once the shopper has confirmed this exact change
        """
        return self._order_action("cancel_order", order_id, {}, confirm)

    def change_shipping_address(
        self,
        order_id: OrderId,
        line1: Annotated[str, Field(min_length=1, max_length=200)],
        city: Annotated[str, Field(min_length=1, max_length=100)],
        postcode: Annotated[str, Field(min_length=1, max_length=20)],
        confirm: bool = False,
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
        self, order_id: OrderId, reason: Text = "", confirm: bool = False
    ) -> dict[str, Any]:
        """Start a return for a delivered order within the return window. Call without confirm
        first and ask the shopper; call with confirm=true only after they said yes.

        Args:
            order_id: the order id
            reason: why the shopper returns it
            confirm: true only once the shopper has confirmed this exact change
        """
        return self._order_action("start_return", order_id, {"reason": reason.strip()}, confirm)

    def search_policies(self, question: Text) -> dict[str, Any]:
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

    def hand_off_to_human(self, reason: Text) -> dict[str, Any]:
        """Hand the conversation to a human agent (creates a support ticket).

        Args:
            reason: why the shopper needs a person
        """
        ticket = self.shop.db.create_ticket(self.session, reason)
        self.session.handed_off = True
        self.handed_off = ticket
        return {"ticket_id": ticket}

    def context(self) -> dict[str, Any]:
        """What the conversation holds so far, under the names the tools use: the products
        last shown (in order, with ids), the search filters in force (as `search_products`
        arguments) and a change waiting for the shopper's yes."""
        state = self.session.state
        shown = [self.shop.catalog.get(pid) for pid in state.shown]
        context: dict[str, Any] = {
            "shown_products": [
                {"position": n, "id": p.id, "title": p.title, "price": p.price}
                for n, p in enumerate(filter(None, shown), start=1)
            ],
            "filters": search_arguments(state.filters),
        }
        if state.focus:
            context["product_in_focus"] = state.focus
        if self.pending:
            context["waiting_for_yes"] = {
                "tool": self.pending["action"],
                "order_id": self.pending["order_id"],
                **self.pending["arguments"],
            }
        return context

    # -- dispatch ----------------------------------------------------------------
    NAMES = (
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
        """OpenAI `tools` definitions for every tool, naming the store's own categories
        and brands (the most common first) where a tool takes one."""
        vocabulary = self.shop.catalog.vocabulary
        notes = {
            "category": _listed("The store's categories", vocabulary.categories),
            "brand": _listed("Brands the store carries", vocabulary.brands),
        }
        return [_specs()[name].schema(notes) for name in self.NAMES]

    def call(self, name: str, arguments: Any) -> dict[str, Any]:
        """Run a tool by name with JSON arguments, validated (and coerced: "5" -> 5) by its
        argument model. A call that cannot run (an unknown tool, arguments its model does
        not accept, a product that does not exist) answers {"error": why}, so that the
        caller, a model or the local tier, can correct it or say so."""
        try:
            if name not in self.NAMES:
                raise ToolError(f"unknown tool {name!r}; the tools are {', '.join(self.NAMES)}")
            result = getattr(self, name)(**_specs()[name].validate(arguments))
        except (ToolError, BadRequest, NotFound) as exc:
            result = {"error": str(exc)}
        self.calls.append(ToolCall(name, arguments, result))
        log.debug("tool %s(%s) -> %s", name, json.dumps(arguments), str(result)[:200])
        return result

    def _order_action(
        self, action: str, order_id: str, arguments: dict[str, Any], confirm: bool
    ) -> dict[str, Any]:
        order = self.shop.orders.find(order_id, self.user_id)
        if order is None:
            return {"found": False, "order_id": order_id}
        self.orders[order["order_id"]] = order
        problem = self.shop.orders.problem(action, order)
        if problem:
            return {"found": True, "allowed": False, "reason": problem, "order": order}
        request = {"action": action, "order_id": order["order_id"], "arguments": arguments}
        if not confirm or self.pending != request:
            self.session.state.pending = request
            return {"found": True, "allowed": True, "needs_confirmation": True, "order": order}
        changed = self.shop.orders.change(action, order, arguments)
        self.orders[changed["order_id"]] = changed
        self.pending = None
        log.info("%s on %s for %s", action, changed["order_id"], self.user_id)
        return {"found": True, "done": True, "order": changed}

    def _show(self, products: list[Product]) -> None:
        """Record a listing the shopper now sees: follow-ups ("the second one",
        "anything cheaper?") refer to it."""
        self._remember(products)
        self.session.state.show(products)

    def _cart(self) -> dict[str, Any]:
        """The cart's items still in the catalog, with quantities and the total (None when
        an item has no price)."""
        cart = self.shop.carts.view(self.session.id)
        self._remember([product for product, _ in cart.lines])
        return cart.to_dict()

    def _remember(self, products: list[Product]) -> None:
        for product in products:
            self.products[product.id] = product
            if product.id not in self.shown:
                self.shown.append(product.id)


@cache
def _specs() -> dict[str, ToolSpec]:
    return {name: ToolSpec.of(getattr(Toolbox, name)) for name in Toolbox.NAMES}


def _listed(what: str, names: Sequence[str]) -> str:
    """ "What: a, b, c." for at most `_NOTED_VALUES` of `names`."""
    if not names:
        return ""
    more = ", ..." if len(names) > _NOTED_VALUES else ""
    return f"{what}: {', '.join(names[:_NOTED_VALUES])}{more}."
