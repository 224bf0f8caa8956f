"""A circuit breaker around a backend: after repeated failures it stops calling it for a
while, so a failing LLM costs no latency until it has had time to recover."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from assistant.errors import LLMUnavailable
from assistant.llm.base import ChatBackend, Reply, Turn

if TYPE_CHECKING:
    from assistant.tools import Toolbox

log = logging.getLogger(__name__)


class CircuitBreaker(ChatBackend):
    """Closed: calls pass. After `threshold` consecutive failures: open for `cooldown`
    seconds (calls fail at once). Then one trial call decides whether to close again."""

    def __init__(
        self,
        backend: ChatBackend,
        *,
        threshold: int = 3,
        cooldown: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.backend = backend
        self.name = backend.name
        self.threshold = threshold
        self.cooldown = cooldown
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        with self._lock:
            return self._opened_at is not None and self._clock() - self._opened_at < self.cooldown

    def respond(self, turn: Turn, tools: Toolbox) -> Reply:
        if self.is_open:
            raise LLMUnavailable(f"{self.name} circuit open after {self._failures} failures")
        try:
            reply = self.backend.respond(turn, tools)
        except LLMUnavailable:
            with self._lock:
                self._failures += 1
                if self._failures >= self.threshold:
                    if self._opened_at is None:
                        log.warning("opening the %s circuit for %.0fs", self.name, self.cooldown)
                    self._opened_at = self._clock()
            raise
        with self._lock:
            self._failures, self._opened_at = 0, None
        return reply
