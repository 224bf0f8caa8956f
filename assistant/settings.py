"""The one settings object: the only place that reads the environment."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from retrieval.embedder import Embedder


class Settings(BaseSettings):
    """Runtime configuration, from `SHOPASSIST_*` environment variables or a `.env` file."""

    model_config = SettingsConfigDict(env_prefix="SHOPASSIST_", env_file=".env", extra="ignore")

    home: Path = Field(
        default=Path.home() / ".shopassist",
        description="Folder holding indexes, models, the session/order database and settings.",
    )
    llm: str = Field(
        default="auto",
        description=(
            "Chat backend: 'local', 'openai:MODEL', or 'auto' (OpenAI when an API key is set, "
            "with the local tier as fallback; local otherwise)."
        ),
    )
    openai_api_key: str | None = Field(
        default=None, description="Key for the OpenAI-compatible API."
    )
    openai_base_url: str | None = Field(
        default=None, description="Base URL of any OpenAI-compatible server (default: OpenAI)."
    )
    openai_model: str = Field(default="gpt-4o-mini", description="Model used with 'auto'.")
    openai_timeout: float = Field(
        default=20.0,
        description="Seconds the OpenAI tier may spend on one turn (tool rounds and retries "
        "included) before the local tier answers.",
    )
    openai_max_retries: int = Field(
        default=1,
        description="Retries for connection errors, timeouts, 429 and 5xx, within that budget.",
    )
    llm_concurrency: int = Field(
        default=8,
        ge=1,
        description="Turns that may wait on the OpenAI tier at once; a turn that finds them "
        "all taken for `llm_queue_wait` seconds is answered by the local tier.",
    )
    llm_queue_wait: float = Field(
        default=0.5, ge=0, description="Seconds a turn waits for the OpenAI tier to be free."
    )
    chat_threads: int = Field(
        default=32,
        ge=1,
        description="Threads that run chat turns in the API, apart from those of search and "
        "the catalog.",
    )
    breaker_threshold: int = Field(
        default=3, description="Failures in a row that open the circuit."
    )
    breaker_cooldown: float = Field(default=30.0, description="Seconds the circuit stays open.")
    api_keys: str = Field(
        default="", description="Comma-separated API keys; when set, every call needs one."
    )
    rate_limit_per_minute: int = Field(
        default=600, description="Requests a client may make a minute (0: off)."
    )
    store_name: str = Field(default="this store", description="The store's name in replies.")
    threads: int = Field(default=2, description="CPU threads for embedding and FAISS.")
    embedder: str = Field(
        default="minilm",
        description="The embedding model of search and the intent model: 'minilm' (int8, "
        "~1 ms a query) or 'mpnet' (float32, ~24 ms; its one-time export needs the "
        "`finetune` extra). A home built with another one is re-indexed and its intent model "
        "retrained, once.",
    )
    recommender: str = Field(
        default="auto",
        description="Algorithm `train` uses by default (and the demo store); `auto` tries "
        "the candidates on a held-out part of the interactions and keeps the best.",
    )
    max_message_chars: int = Field(default=4000, description="Longer chat messages are rejected.")
    now: datetime | None = Field(
        default=None,
        description="The store clock: a fixed time (ISO 8601, UTC unless it says otherwise) "
        "instead of the system clock, for demos and tests. Order rules (the return window) "
        "read it, and the demo store's orders are dated relative to it when it is built.",
    )

    @field_validator("now")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value

    def clock(self) -> datetime:
        """The store's current time (aware, UTC unless `now` says otherwise)."""
        return self.now or datetime.now(UTC)

    def load_embedder(self) -> Embedder:
        """The configured embedder (loaded on first use; UnknownEmbedderError for a name
        that is none)."""
        from retrieval.embedder import get_embedder

        return get_embedder(self.embedder, threads=self.threads)

    def api_key_set(self) -> frozenset[str]:
        return frozenset(key.strip() for key in self.api_keys.split(",") if key.strip())


@lru_cache
def get_settings() -> Settings:
    """Read the settings once per process."""
    return Settings()
