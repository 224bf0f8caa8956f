"""The assistant's error tree. HTTP status codes are chosen only in `assistant.api`."""

from __future__ import annotations


class AssistantError(Exception):
    """Base of every error the assistant raises on purpose."""


class BadRequest(AssistantError):
    """The caller's input is invalid (empty, too long, malformed)."""


class NotFound(AssistantError):
    """An id the caller named does not exist (or is not theirs to see)."""


class Conflict(AssistantError):
    """The caller tries to create something that already exists."""


class IndexNotBuilt(AssistantError):
    """The home holds no catalog index yet."""


class Damaged(AssistantError):
    """A file under the home cannot be read; the message names it and the command that
    rebuilds it."""


class LLMUnavailable(AssistantError):
    """The LLM backend failed, timed out or answered something unusable."""


class ConfigurationError(AssistantError):
    """Settings are missing or inconsistent; the message says how to fix them."""
