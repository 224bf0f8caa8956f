"""One chat turn: screen, understand, let a backend answer with tools, check grounding,
remember the session."""

from __future__ import annotations

import dataclasses
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any

from assistant.catalog import product_summary
from assistant.db import Message, Session
from assistant.errors import BadRequest, LLMUnavailable, NotFound
from assistant.grounding import check_grounding
from assistant.guardrails import screen
from assistant.llm import get_llm
from assistant.llm.base import ChatBackend, Reply, Turn
from assistant.llm.local import LocalBackend
from assistant.settings import Settings
from assistant.shop import Shop
from assistant.tools import Toolbox
from assistant.understanding import Understanding, names_products, refers_to_product, understand
from prompts import render

log = logging.getLogger(__name__)

_SESSION_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_REROUTABLE = frozenset({"out_of_scope", "product_question"})
"""Intents the model gives short product names ("board games", a product's title) that it
has not seen; such a message is a search when the catalog shows it names products."""
_PROBE_K = 5


@dataclass
class ChatResponse:
    session_id: str
    reply: str
    intent: str
    confidence: float
    backend: str
    products: list[dict[str, Any]] = field(default_factory=list)
    filters: dict[str, Any] = field(default_factory=dict)
    entities: dict[str, Any] = field(default_factory=dict)
    handed_off: bool = False
    ticket_id: str | None = None
    latency_ms: float = 0.0


class Assistant:
    def __init__(
        self, shop: Shop, backend: ChatBackend, *, store_name: str, max_chars: int
    ) -> None:
        self.shop = shop
        self.backend = backend
        self.local = LocalBackend(store_name)
        self.store_name = store_name
        self.max_chars = max_chars
        self.grounding_failures = 0

    @classmethod
    def from_settings(cls, settings: Settings, shop: Shop) -> Assistant:
        """The assistant the settings describe (their LLM tier, store name and message
        limit) over `shop`."""
        return cls(
            shop,
            get_llm(settings.llm, settings),
            store_name=settings.store_name,
            max_chars=settings.max_message_chars,
        )

    def chat(
        self, message: str, session_id: str | None = None, user_id: str | None = None
    ) -> ChatResponse:
        started = time.perf_counter()
        message = (message or "").strip()
        if not any(char.isprintable() and not char.isspace() for char in message):
            raise BadRequest("the message is empty")  # also when only control characters
        if len(message) > self.max_chars:
            raise BadRequest(f"the message is longer than {self.max_chars} characters")
        session = self._session(session_id, user_id)
        tools = Toolbox(self.shop, session, user_id)
        refusal = screen(message)
        if refusal:
            log.info("refused a message (%s) in session %s", refusal, session.id)
            understanding = None
            reply = Reply(render("refusal", store_name=self.store_name), "local", "out_of_scope")
        else:
            understanding = self.interpret(message, session)
            turn = Turn(message, understanding, self.shop.db.history(session.id, limit=10))
            reply, tools = self._answer(turn, tools)
        self.shop.db.save_turn(
            session, [Message("user", message, reply.intent), Message("assistant", reply.text)]
        )
        return ChatResponse(
            session_id=session.id,
            reply=reply.text,
            intent=reply.intent or "out_of_scope",
            confidence=understanding.confidence if understanding else 1.0,
            backend=reply.backend,
            products=[product_summary(tools.products[pid]) for pid in tools.shown],
            filters=session.state.filters.to_dict(),
            entities=understanding.entities.to_dict() if understanding else {},
            handed_off=session.handed_off,
            ticket_id=tools.handed_off,
            latency_ms=round((time.perf_counter() - started) * 1000, 1),
        )

    def interpret(self, message: str, session: Session) -> Understanding:
        """What `message` means in `session`: the local understanding, with short product
        names the intent model misses routed to a search."""
        return self._route(
            understand(
                message,
                self.shop.intents,
                self.shop.catalog.vocabulary,
                session.state,
                self.shop.catalog.ids,
            )
        )

    def _route(self, understanding: Understanding) -> Understanding:
        """Make a product search of a message the intent model calls out of scope, or a
        product question that points at no product, when it names products the store has:
        the search finds a good match and every word of the message is in their names
        (so "what's the weather" stays out of scope wherever "weather" is sold)."""
        u = understanding
        if u.intent not in _REROUTABLE or u.follow_up or not u.search_text:
            return u
        if u.intent == "product_question" and refers_to_product(u.entities):
            return u
        try:
            # The words alone: a filter no product meets ("under $2") still makes a search.
            probe = self.shop.catalog.search(u.search_text, k=_PROBE_K)
        except BadRequest:
            return u
        if probe.no_good_match or not names_products(
            u.search_text, [hit.product for hit in probe.hits]
        ):
            return u
        log.debug("%s message %r names products: searching", u.intent, u.search_text)
        return dataclasses.replace(u, intent="product_search")

    def _answer(self, turn: Turn, tools: Toolbox) -> tuple[Reply, Toolbox]:
        """The backend's reply if it is grounded, else the local tier's (from a fresh
        toolbox, so that nothing the discarded reply's tools returned is shown), else an
        apology; with the toolbox whose results the reply rests on."""
        try:
            reply = self.backend.respond(turn, tools)
        except LLMUnavailable as exc:
            log.error("every backend failed: %s", exc)
            return Reply(render("fallback"), "local", turn.understanding.intent), tools
        report = check_grounding(
            reply.text,
            turn.message,
            tools,
            out_of_scope=turn.understanding.intent == "out_of_scope",
            model=reply.backend != self.local.name,
        )
        if report.ok:
            return reply, tools
        self.grounding_failures += 1
        log.warning("ungrounded %s reply replaced: %s", reply.backend, "; ".join(report.problems))
        fresh = tools.again()
        local = self.local.respond(turn, fresh)
        if check_grounding(local.text, turn.message, fresh, model=False).ok:
            return local, fresh
        return Reply(render("fallback"), "local", turn.understanding.intent), fresh

    # -- the cart outside a chat turn: the page's buttons call the chat's own tools -------
    def cart(self, session_id: str, user_id: str | None) -> dict[str, Any]:
        """The session's cart, as the `view_cart` tool shows it."""
        return self._toolbox(session_id, user_id).view_cart()

    def add_to_cart(
        self, session_id: str, user_id: str | None, product_id: str, quantity: int = 1
    ) -> dict[str, Any]:
        """Add to the session's cart with the `add_to_cart` tool, so a button and "add it to
        my cart" do the same (stock check, quantity cap, the shopper's `cart` event)."""
        return self._toolbox(session_id, user_id).add_to_cart(product_id, quantity)

    def remove_from_cart(
        self, session_id: str, user_id: str | None, product_id: str
    ) -> dict[str, Any]:
        """Take a product out of the session's cart with the `remove_from_cart` tool."""
        return self._toolbox(session_id, user_id).remove_from_cart(product_id)

    def _toolbox(self, session_id: str, user_id: str | None) -> Toolbox:
        # The session's state is not saved: a cart change is no chat turn, so a change
        # proposed in the last turn stays pending for the next one.
        return Toolbox(self.shop, self._session(session_id, user_id), user_id)

    def _session(self, session_id: str | None, user_id: str | None) -> Session:
        if session_id is None:
            return self.shop.db.create_session(user_id)
        if not _SESSION_ID.match(session_id):
            raise BadRequest("session_id must be 1-64 letters, digits, '.', '_' or '-'")
        session = self.shop.db.get_session(session_id)
        if session is None:
            return self.shop.db.create_session(user_id, session_id)
        if session.user_id != user_id:
            # Never continue someone else's conversation, nor say that it exists.
            raise NotFound(f"no session {session_id!r} for this caller")
        return session
