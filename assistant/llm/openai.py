"""The hosted tier: any OpenAI-compatible chat-completions server, with tool calling."""

from __future__ import annotations

import json
import logging
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


def make_client(settings: Settings) -> openai.OpenAI:
    return openai.OpenAI(
        api_key=settings.openai_api_key,
        base_url=settings.openai_base_url,
        timeout=settings.openai_timeout,
        max_retries=settings.openai_max_retries,
    )


class OpenAIBackend(ChatBackend):
    def __init__(self, client: openai.OpenAI, model: str, store_name: str) -> None:
        self.client = client
        self.model = model
        self.store_name = store_name
        self.name = "openai"

    def respond(self, turn: Turn, tools: Toolbox) -> Reply:
        from assistant.tools import ToolError

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
            message = self._complete(messages, tools.schemas())
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

    def _complete(self, messages: list[dict[str, Any]], schemas: list[dict[str, Any]]) -> Any:
        try:
            response = self.client.chat.completions.create(  # type: ignore[call-overload]
                model=self.model, messages=messages, tools=schemas, tool_choice="auto"
            )
        except openai.OpenAIError as exc:
            raise LLMUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if not response.choices:
            raise LLMUnavailable("the model returned no choices")
        return response.choices[0].message
