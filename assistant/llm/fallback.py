"""A backend that tries backends in order: itself a backend, so callers need no if/else."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from assistant.errors import LLMUnavailable
from assistant.llm.base import ChatBackend, Reply, Turn

if TYPE_CHECKING:
    from assistant.tools import Toolbox

log = logging.getLogger(__name__)


class FallbackBackend(ChatBackend):
    def __init__(self, *backends: ChatBackend) -> None:
        if not backends:
            raise ValueError("FallbackBackend needs at least one backend")
        self.backends = backends
        self.name = "+".join(b.name for b in backends)

    def respond(self, turn: Turn, tools: Toolbox) -> Reply:
        errors: list[str] = []
        for backend in self.backends:
            try:
                return backend.respond(turn, tools)
            except LLMUnavailable as exc:
                log.warning("backend %s failed, falling back: %s", backend.name, exc)
                errors.append(f"{backend.name}: {exc}")
        raise LLMUnavailable("; ".join(errors))
