"""The local tier: intent + entities + filters from the local NLU, tool calls chosen by rules,
replies from the templates in `prompts/`. Grounded by construction: every product, price and
order detail it writes comes from a tool result of this turn."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from assistant.carts import MAX_QUANTITY
from assistant.llm.base import ChatBackend, Reply, Turn
from assistant.policies import leading_ties
from assistant.recommendations import Suggestion
from assistant.tools import search_arguments
from assistant.understanding import request_topic
from prompts import render, short_title

if TYPE_CHECKING:
    from assistant.tools import Toolbox

_STATUS_INTENTS = {"track_order", "change_order", "track_refund"}
_ADDRESS_INTENTS = {"change_shipping_address", "set_up_shipping_address"}
_VERBS = {
    "cancel_order": "cancel",
    "change_shipping_address": "change the address of",
    "start_return": "start a return for",
}
_ADDRESS = re.compile(r"\bto\s+([^,]+),\s*([^,]+),\s*([A-Za-z0-9 -]{3,10})\s*\.?$")
_EMPTY_CART = re.compile(r"\b(empty|clear)\b|\b(everything|all items)\b", re.IGNORECASE)
_REFINABLE = {"out_of_scope", "greeting", "product_search", "recommendation"}
"""Intents a follow-up ("anything cheaper?") may be mistaken for; it refines the listing."""
_HUMAN_INTENTS = {"contact_human_agent", "contact_customer_service", "complaint"}
_CONFIDENT_POLICY_MATCH = 0.55
_THANKS = ("thank", "thx", "cheers", "great")
_ORDER_NOTES = {
    "cancel_order": {
        "processing": "It hasn't shipped yet, so it can still be cancelled.",
        "*": "It has already left the processing stage, so it can no longer be cancelled; "
        "you can return it once it arrives.",
    },
    "change_order": {
        "processing": "It hasn't shipped yet, so it can still be changed.",
        "*": "It has already shipped, so it can no longer be changed.",
    },
}


def describe_filters(filters: dict[str, Any]) -> str:
    """Human words for a filters dict, e.g. "under $20, red"."""
    parts = []
    low, high = filters.get("price_min"), filters.get("price_max")
    if low is not None and high is not None:
        parts.append(f"${low:,.2f} to ${high:,.2f}")
    elif high is not None:
        parts.append(f"under ${high:,.2f}")
    elif low is not None:
        parts.append(f"over ${low:,.2f}")
    parts += [str(filters[key]) for key in ("color", "brand", "category") if filters.get(key)]
    if filters.get("in_stock"):
        parts.append("in stock")
    return ", ".join(parts)


class LocalBackend(ChatBackend):
    name = "local"

    def __init__(self, store_name: str) -> None:
        self.store_name = store_name
        self._handlers: dict[str, Callable[[Turn, Toolbox], str]] = {
            "product_search": self._search,
            "place_order": self._search,
            "recommendation": self._recommend,
            "product_question": self._product_question,
            "compare_products": self._compare,
            "add_to_cart": self._add_to_cart,
            "remove_from_cart": self._remove_from_cart,
            "view_cart": self._view_cart,
            "greeting": self._greeting,
            "out_of_scope": self._out_of_scope,
        }

    def respond(self, turn: Turn, tools: Toolbox) -> Reply:
        if tools.pending and turn.understanding.confirmation:
            action = tools.pending["action"]
            return Reply(self._confirm(turn, tools), self.name, action)
        u = turn.understanding
        intent = u.intent
        if u.refinement or (u.follow_up and intent in _REFINABLE):
            # "anything cheaper?" refines the listing just shown: a search or recommendations.
            listing = tools.session.state.listing
            intent = "recommendation" if listing == "recommendation" else "product_search"
        if intent in self._handlers:
            handler = self._handlers[intent]
        elif intent in _HUMAN_INTENTS:
            handler = self._hand_off
        elif intent == "cancel_order":
            handler = self._cancel
        elif intent == "get_refund" and turn.understanding.entities.order_ids:
            handler = self._return
        elif intent in _ADDRESS_INTENTS and turn.understanding.entities.order_ids:
            handler = self._change_address
        elif intent in _STATUS_INTENTS and (
            turn.understanding.entities.order_ids or intent == "track_order"
        ):
            handler = self._order
        else:
            handler = self._policy
        return Reply(handler(turn, tools), self.name, intent)

    # -- shopping ----------------------------------------------------------------
    def _search(self, turn: Turn, tools: Toolbox) -> str:
        u = turn.understanding
        if not u.topic and not u.follow_up and u.filters.is_empty():
            return render("clarify")
        result = tools.call(
            "search_products",
            {"query": u.search_text, **search_arguments(u.filters), "sort": u.sort, "k": 5},
        )
        if "error" in result:
            return render("clarify")
        note = ""
        fallback = u.follow.fallback_ceiling(tools.session.state) if u.follow else None
        if not result["products"] and fallback is not None:
            # "Anything cheaper?" and nothing is below the cheapest shown: the cheapest
            # below the dearest shown, saying so (never an empty answer).
            arguments = {**search_arguments(u.filters), "max_price": fallback}
            result = tools.call(
                "search_products",
                {"query": u.search_text, **arguments, "sort": "price_low", "k": 5},
            )
            if "error" in result:
                return render("clarify")
            note = render("nothing_cheaper")
        products = [tools.products[p["id"]] for p in result["products"]]
        filters = describe_filters(result["filters"])
        if not products:
            return render("no_results", query=result["query"], filters=filters)
        return render(
            "search_results", products=products, query=result["query"], filters=filters, note=note
        )

    def _recommend(self, turn: Turn, tools: Toolbox) -> str:
        u = turn.understanding
        need = request_topic(u.search_text) if u.follow_up else u.topic  # keeps "puzzles"
        query = " ".join(filter(None, [need, describe_filters(u.filters.to_dict())]))
        result = tools.call("recommend_products", {"query": query, "k": 5})
        filters = describe_filters(result.get("filters", {}))
        items = [
            Suggestion(tools.products[item["id"]], item["score"], item["reason"])
            for item in result.get("products", [])
        ]
        if not items:
            return render("no_recommendations", filters=filters)
        personal = tools.shop.recommendations.knows_user(tools.user_id or "")
        return render("recommendations", items=items, filters=filters, personal=personal)

    def _product_question(self, turn: Turn, tools: Toolbox) -> str:
        ids = _referenced(turn, tools, wanted=1)
        if not ids:
            return render("which_product")
        result = tools.call("get_product", {"product_id": ids[0]})
        if "error" in result:
            return render("product_gone")
        return render("product_detail", p=tools.products[ids[0]])

    def _compare(self, turn: Turn, tools: Toolbox) -> str:
        ids = _referenced(turn, tools, wanted=2)
        if len(ids) < 2:
            return render("which_product")
        result = tools.call("compare_products", {"product_ids": ids[:3]})
        if "error" in result:
            return render("product_gone")
        products = [tools.products[i] for i in ids[:3]]
        priced = [p for p in products if p.price is not None]
        rated = [p for p in products if p.rating is not None]
        return render(
            "compare",
            products=products,
            cheapest=min(priced, key=lambda p: p.price or 0.0) if priced else None,
            best_rated=max(rated, key=lambda p: p.rating or 0.0) if rated else None,
        )

    # -- customer service ----------------------------------------------------------
    def _order(self, turn: Turn, tools: Toolbox) -> str:
        if tools.user_id is None:
            return render("sign_in_required")
        order_ids = turn.understanding.entities.order_ids
        if not order_ids:
            listing = tools.call("list_my_orders", {})
            return render("order_list", orders=listing["orders"])
        result = tools.call("get_order_status", {"order_id": order_ids[0]})
        if not result["found"]:
            return render("order_not_found", order_id=order_ids[0])
        order = result["order"]
        notes = _ORDER_NOTES.get(turn.understanding.intent, {})
        note = notes.get(order["status"], notes.get("*", ""))
        return render("order_status", o=order, note=note)

    def _cancel(self, turn: Turn, tools: Toolbox) -> str:
        return self._propose(turn, tools, "cancel_order", {})

    def _return(self, turn: Turn, tools: Toolbox) -> str:
        return self._propose(turn, tools, "start_return", {"reason": ""})

    def _change_address(self, turn: Turn, tools: Toolbox) -> str:
        match = _ADDRESS.search(turn.message)
        if match is None:
            return render("address_needed")
        line1, city, postcode = (part.strip() for part in match.groups())
        arguments = {"line1": line1, "city": city, "postcode": postcode}
        return self._propose(turn, tools, "change_shipping_address", arguments)

    def _propose(self, turn: Turn, tools: Toolbox, action: str, arguments: dict[str, str]) -> str:
        """Check an order change and ask the shopper to confirm it (nothing changes yet)."""
        if tools.user_id is None:
            return render("sign_in_required")
        order_ids = turn.understanding.entities.order_ids
        if not order_ids:
            return render("order_id_needed", orders=tools.call("list_my_orders", {})["orders"])
        result = tools.call(action, {"order_id": order_ids[0], **arguments})
        return self._action_reply(action, order_ids[0], arguments, result)

    def _confirm(self, turn: Turn, tools: Toolbox) -> str:
        pending = tools.pending or {}
        if turn.understanding.confirmation == "no":
            return render("action_dropped", order_id=pending["order_id"])
        arguments = {"order_id": pending["order_id"], **pending["arguments"], "confirm": True}
        result = tools.call(pending["action"], arguments)
        return self._action_reply(
            pending["action"], pending["order_id"], pending["arguments"], result
        )

    @staticmethod
    def _action_reply(action: str, order_id: str, arguments: dict[str, str], result: dict) -> str:
        if not result.get("found"):
            return render("order_not_found", order_id=order_id)
        if not result.get("allowed", True):
            return render("action_refused", verb=_VERBS[action], reason=result["reason"])
        address = ", ".join(arguments.get(k, "") for k in ("line1", "city", "postcode"))
        template = "action_done" if result.get("done") else "action_confirm"
        return render(template, action=action, o=result["order"], address=address)

    def _policy(self, turn: Turn, tools: Toolbox) -> str:
        result = tools.call("search_policies", {"question": turn.message})
        passages = result["passages"]
        if not passages:
            return render("policy_unknown")
        return render("policy_answer", passages=_to_quote(passages), lead="")

    def _hand_off(self, turn: Turn, tools: Toolbox) -> str:
        result = tools.call("hand_off_to_human", {"reason": turn.understanding.intent})
        return render("handoff", ticket_id=result["ticket_id"])

    # -- cart --------------------------------------------------------------------
    def _add_to_cart(self, turn: Turn, tools: Toolbox) -> str:
        ids = _referenced(turn, tools, wanted=1)
        if not ids:
            return render("which_product")
        quantity = turn.understanding.entities.quantity
        quantity = 1 if quantity is None else quantity
        if not 1 <= quantity <= MAX_QUANTITY:
            note = f"The quantity must be between 1 and {MAX_QUANTITY}."
            return render("cart", note=note, cart=tools.call("view_cart", {}))
        result = tools.call("add_to_cart", {"product_id": ids[0], "quantity": quantity})
        if "error" in result and tools.catalog.get(ids[0]) is None:
            return render("product_gone")
        if "error" in result:  # out of stock, or a quantity beyond what a cart holds
            return render("cart", note=result["error"], cart=tools.call("view_cart", {}))
        return render(
            "cart", note=f"Added {short_title(result['added']['title'])} to your cart.", cart=result
        )

    def _remove_from_cart(self, turn: Turn, tools: Toolbox) -> str:
        if _EMPTY_CART.search(turn.message):
            return render("cart", note="", cart=tools.call("empty_cart", {}))
        in_cart = [item["id"] for item in tools.call("view_cart", {})["items"]]
        ids = [pid for pid in _referenced(turn, tools, wanted=1) if pid in in_cart]
        if not ids and len(in_cart) == 1:
            ids = in_cart  # "take it out" with one thing in the cart
        if not ids:
            return render(
                "cart", note="Which item should I take out?", cart=tools.call("view_cart", {})
            )
        result = tools.call("remove_from_cart", {"product_id": ids[0]})
        removed = short_title(result["removed"]["title"]) if result.get("removed") else "That item"
        return render("cart", note=f"{removed} is out of your cart.", cart=result)

    def _view_cart(self, turn: Turn, tools: Toolbox) -> str:
        return render("cart", note="", cart=tools.call("view_cart", {}))

    # -- conversation --------------------------------------------------------------
    def _greeting(self, turn: Turn, tools: Toolbox) -> str:
        return render("greeting", thanks=turn.message.lower().startswith(_THANKS))

    def _out_of_scope(self, turn: Turn, tools: Toolbox) -> str:
        # The intent model may not know a phrasing that the policy documents answer squarely.
        passages = tools.call("search_policies", {"question": turn.message})["passages"]
        if passages and max(p["score"] for p in passages) >= _CONFIDENT_POLICY_MATCH:
            return render("policy_answer", passages=_to_quote(passages), lead="")
        return render("out_of_scope", store_name=self.store_name)


def _to_quote(passages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The passages `search_policies` found that answer as well as the best one."""
    return passages[: leading_ties([p["score"] for p in passages])]


def _referenced(turn: Turn, tools: Toolbox, *, wanted: int) -> list[str]:
    """Product ids the message refers to: explicit ids, positions ("the second one") or
    colours ("the red one") in the last products shown; else the first `wanted` shown."""
    entities = turn.understanding.entities
    shown = list(tools.session.state.shown)
    ids = [pid for pid in entities.product_ids if tools.catalog.get(pid) is not None]
    for position in entities.positions:
        index = position - 1 if position > 0 else len(shown) + position
        if 0 <= index < len(shown):
            ids.append(shown[index])
    for color in entities.color_refs:
        for pid in shown:
            product = tools.catalog.get(pid)
            if product and color in f"{product.color} {product.title}".lower():
                ids.append(pid)
                break
    if wanted > 1 and len(ids) < wanted:
        # "compare them" / "compare the first two": fill up from what was shown.
        ids += [pid for pid in shown if pid not in ids][: (3 if not ids else wanted - len(ids))]
    elif not ids and tools.session.state.focus:
        ids = [tools.session.state.focus]  # "add it to my cart" after "tell me more"
    elif not ids and len(shown) == 1:
        ids = shown  # "is it waterproof?" needs one clear product
    return list(dict.fromkeys(ids))
