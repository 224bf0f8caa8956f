"""The hosted tier: any OpenAI-compatible chat-completions server, with tool calling."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import openai

from assistant.errors import LLMUnavailable
from assistant.llm.base import ChatBackend, Reply, Turn
from assistant.settings import Settings
from prompts import render

if TYPE_CHECKING:
    from assistant.tools import Toolbox

log = logging.getLogger(__name__)

_MAX_ROUNDS = 4
_BACKOFF = 0.25  # seconds before the first retry; doubles each time
# Worth another try: the server may answer next time. Timeouts and lost connections are
# APIConnectionError too; they are retried only while the turn's deadline allows.
_RETRYABLE = (openai.APIConnectionError, openai.RateLimitError, openai.InternalServerError)


def make_client(settings: Settings) -> openai.OpenAI:
    # The SDK's own retries would each get a full timeout; `OpenAIBackend` retries instead,
    # within one deadline per turn.
    return openai.OpenAI(
        api_key=settings.openai_api_key,
        base_url=settings.openai_base_url,
        timeout=settings.openai_timeout,
        max_retries=0,
    )


class OpenAIBackend(ChatBackend):
    """A turn, tool rounds and retries included, gets `timeout` seconds in all; then it raises
    `LLMUnavailable` so that the fallback tier answers within the same latency budget."""

    def __init__(
        self,
        client: openai.OpenAI,
        model: str,
        store_name: str,
        *,
        timeout: float = 20.0,
        max_retries: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client.with_options(max_retries=0)
        self.model = model
        self.store_name = store_name
        self.timeout = timeout
        self.max_retries = max_retries
        self._clock = clock
        self._sleep = sleep
        self.name = "openai"

    def respond(self, turn: Turn, tools: Toolbox) -> Reply:
        from assistant.tools import ToolError

        deadline = self._clock() + self.timeout
        messages: list[dict[str, Any]] = [
            {
                "role": "system",
                "content": render(
                    "system",
                    store_name=self.store_name,
                    signed_in=tools.user_id is not None,
                    filters=json.dumps(tools.session.state.get("filters") or {}),
                ),
            },
            *({"role": m.role, "content": m.content} for m in turn.history),
            {"role": "user", "content": turn.message},
        ]
        for _ in range(_MAX_ROUNDS):
            message = self._complete(messages, tools.schemas(), deadline)
            calls = message.tool_calls or []
            if not calls:
                if not message.content or not message.content.strip():
                    raise LLMUnavailable("the model returned an empty reply")
                return Reply(message.content.strip(), self.name, turn.understanding.intent)
            messages.append(message.model_dump(exclude_none=True))
            for call in calls:
                if call.type != "function":
                    raise LLMUnavailable(f"unsupported tool call type {call.type!r}")
                try:
                    arguments = json.loads(call.function.arguments or "{}")
                    if not isinstance(arguments, dict):
                        raise ToolError("tool arguments must be a JSON object")
                    result = tools.call(call.function.name, arguments)
                except (json.JSONDecodeError, ToolError) as exc:
                    raise LLMUnavailable(
                        f"malformed tool call {call.function.name}: {exc}"
                    ) from exc
                messages.append(
                    {"role": "tool", "tool_call_id": call.id, "content": json.dumps(result)}
                )
        raise LLMUnavailable(f"no answer after {_MAX_ROUNDS} tool rounds")

    def _complete(
        self, messages: list[dict[str, Any]], schemas: list[dict[str, Any]], deadline: float
    ) -> Any:
        """One completion, retried up to `max_retries` times while `deadline` allows."""
        for attempt in range(self.max_retries + 1):
            remaining = deadline - self._clock()
            if remaining <= 0:
                break
            try:
                response = self.client.chat.completions.create(  # type: ignore[call-overload]
                    model=self.model,
                    messages=messages,
                    tools=schemas,
                    tool_choice="auto",
                    timeout=remaining,
                )
            except _RETRYABLE as exc:
                pause = _BACKOFF * 2**attempt
                if attempt == self.max_retries or self._clock() + pause >= deadline:
                    raise LLMUnavailable(f"{type(exc).__name__}: {exc}") from exc
                log.info("retrying the LLM call in %.2fs after %s", pause, type(exc).__name__)
                self._sleep(pause)
                continue
            except openai.OpenAIError as exc:
                raise LLMUnavailable(f"{type(exc).__name__}: {exc}") from exc
            if not response.choices:
                raise LLMUnavailable("the model returned no choices")
            return response.choices[0].message
        raise LLMUnavailable(f"no answer within the {self.timeout:g}s budget")
