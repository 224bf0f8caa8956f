"""The one small interface every chat backend implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assistant.db import Message
from assistant.understanding import Understanding

if TYPE_CHECKING:
    from assistant.tools import Toolbox


@dataclass
class Turn:
    """Everything a backend needs to answer one message."""

    message: str
    understanding: Understanding
    history: list[Message] = field(default_factory=list)


@dataclass
class Reply:
    text: str
    backend: str
    intent: str | None = None


class ChatBackend(ABC):
    """Answers a turn, calling tools from the toolbox as it sees fit."""

    name: str

    @abstractmethod
    def respond(self, turn: Turn, tools: Toolbox) -> Reply:
        """Raise `LLMUnavailable` when no usable answer can be produced."""
