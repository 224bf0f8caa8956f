"""Chat backends, chosen by name through `get_llm`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.errors import ConfigurationError
from assistant.llm.base import ChatBackend, Reply, Turn
from assistant.settings import Settings

if TYPE_CHECKING:
    import openai

__all__ = ["ChatBackend", "Reply", "Turn", "get_llm"]


def get_llm(spec: str, settings: Settings, *, client: openai.OpenAI | None = None) -> ChatBackend:
    """`local`, `openai:MODEL`, or `auto` (OpenAI with local fallback when a key is set).

    Any OpenAI backend is wrapped so that the local tier answers when it fails.
    """
    from assistant.llm.fallback import FallbackBackend
    from assistant.llm.local import LocalBackend

    local = LocalBackend(settings.store_name)
    if spec == "local" or (spec == "auto" and not settings.openai_api_key and client is None):
        return local
    if spec == "auto":
        model = settings.openai_model
    elif spec.startswith("openai:") and spec.removeprefix("openai:"):
        model = spec.removeprefix("openai:")
    else:
        raise ConfigurationError(
            f"unknown LLM {spec!r}: use 'local', 'auto' or 'openai:MODEL_NAME'"
        )
    from assistant.llm.openai import OpenAIBackend, make_client

    if client is None:
        if not settings.openai_api_key:
            raise ConfigurationError(
                f"LLM {spec!r} needs an API key: set SHOPASSIST_OPENAI_API_KEY "
                "(and SHOPASSIST_OPENAI_BASE_URL for a non-OpenAI server), or use "
                "SHOPASSIST_LLM=local"
            )
        client = make_client(settings)
    from assistant.llm.breaker import CircuitBreaker
    from assistant.llm.bulkhead import Bulkhead

    # A busy tier is not a failing one: the bulkhead sits outside the breaker.
    primary = Bulkhead(
        CircuitBreaker(
            OpenAIBackend(
                client,
                model,
                settings.store_name,
                timeout=settings.openai_timeout,
                max_retries=settings.openai_max_retries,
            ),
            threshold=settings.breaker_threshold,
            cooldown=settings.breaker_cooldown,
        ),
        limit=settings.llm_concurrency,
        wait=settings.llm_queue_wait,
    )
    return FallbackBackend(primary, local)
