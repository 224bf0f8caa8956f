"""A limit on how many turns wait on a backend at once: a slow or hanging model holds a
few turns up to their deadline, and the rest are answered at once by the next tier instead
of queueing behind them."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from assistant.errors import LLMUnavailable
from assistant.llm.base import ChatBackend, Reply, Turn

if TYPE_CHECKING:
    from assistant.tools import Toolbox


class Bulkhead(ChatBackend):
    """At most `limit` turns inside `backend` at once; a turn that cannot get in within
    `wait` seconds raises `LLMUnavailable` (the backend is busy, not failing)."""

    def __init__(self, backend: ChatBackend, *, limit: int, wait: float) -> None:
        self.backend = backend
        self.name = backend.name
        self.wait = wait
        self._slots = threading.BoundedSemaphore(limit)

    def respond(self, turn: Turn, tools: Toolbox) -> Reply:
        if not self._slots.acquire(timeout=self.wait):
            raise LLMUnavailable(f"{self.name} is busy with other turns")
        try:
            return self.backend.respond(turn, tools)
        finally:
            self._slots.release()
