"""The hosted tier: any OpenAI-compatible chat-completions server, with tool calling.

Whatever the server does (an error, a body that is not a completion, a hang, a reply that
is empty or runs on) becomes `LLMUnavailable`, so the local tier answers. A tool call the
tools cannot accept (a misspelled argument, a word where a number goes, a category the
store lacks) is answered with the reason, so the model can correct it in its next round.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import openai
from openai.types.chat import ChatCompletion

from assistant.errors import LLMUnavailable
from assistant.llm.base import ChatBackend, Reply, Turn
from assistant.settings import Settings
from prompts import render

if TYPE_CHECKING:
    from assistant.tools import Toolbox

log = logging.getLogger(__name__)

_MAX_ROUNDS = 4
"""Model calls one turn may make: tool rounds, corrections of refused calls included."""
MAX_REPLY_CHARS = 4000
"""A longer reply is a model that ran on, not an answer."""
_BACKOFF = 0.25  # seconds before the first retry; doubles each time
# Worth another try: the server may answer next time. Timeouts and lost connections are
# APIConnectionError too; they are retried only while the turn's deadline allows.
_RETRYABLE = (openai.APIConnectionError, openai.RateLimitError, openai.InternalServerError)
_MARKUP = re.compile(r"</?[a-z_]+>|```\w*|#\s*tools?\b", re.IGNORECASE)
"""Template markup a small model may answer with instead of words ("<tools></tools>")."""


def make_client(settings: Settings) -> openai.OpenAI:
    # The SDK's own retries would each get a full timeout; `OpenAIBackend` retries instead,
    # within one deadline per turn.
    return openai.OpenAI(
        api_key=settings.openai_api_key,
        base_url=settings.openai_base_url,
        timeout=settings.openai_timeout,
        max_retries=0,
    )


@dataclass(frozen=True)
class ToolRequest:
    """One tool call a model asked for, however it wrote it."""

    id: str
    name: str
    arguments: str


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
        deadline = self._clock() + self.timeout
        context = tools.context()
        # The rules (and the tools) come first and never change, so a server that caches
        # the prompt's prefix (llama.cpp) reads them once; what changes goes last.
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": render("system", store_name=self.store_name)},
            *({"role": m.role, "content": m.content} for m in turn.history),
            {
                "role": "system",
                "content": render(
                    "turn_context",
                    signed_in=tools.user_id is not None,
                    context=json.dumps(context) if any(context.values()) else "",
                ),
            },
            {"role": "user", "content": turn.message},
        ]
        schemas = tools.schemas()
        for _ in range(_MAX_ROUNDS):
            message = self._complete(messages, schemas, deadline)
            requests = _tool_requests(message)
            if not requests:
                return Reply(_reply_text(message), self.name, turn.understanding.intent)
            messages.append(
                {
                    "role": "assistant",
                    "content": "",  # a string: llama.cpp's server refuses null
                    "tool_calls": [
                        {
                            "id": r.id,
                            "type": "function",
                            "function": {"name": r.name, "arguments": r.arguments},
                        }
                        for r in requests
                    ],
                }
            )
            for request in requests:
                result = _run(request, tools)
                messages.append(
                    {"role": "tool", "tool_call_id": request.id, "content": json.dumps(result)}
                )
        raise LLMUnavailable(f"no answer after {_MAX_ROUNDS} model calls")

    def _complete(
        self, messages: list[dict[str, Any]], schemas: list[dict[str, Any]], deadline: float
    ) -> Any:
        """One completion's message, retried up to `max_retries` times while `deadline`
        allows."""
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
            except Exception as exc:  # a 200 whose body the SDK cannot read (HTML, bytes)
                raise LLMUnavailable(f"unreadable reply: {type(exc).__name__}: {exc}") from exc
            if not isinstance(response, ChatCompletion) or not response.choices:
                raise LLMUnavailable(f"not a completion: {str(response)[:200]!r}")
            return response.choices[0].message
        raise LLMUnavailable(f"no answer within the {self.timeout:g}s budget")


def _reply_text(message: Any) -> str:
    text = (message.content or getattr(message, "refusal", None) or "").strip()
    if not any(char.isalpha() for char in _MARKUP.sub(" ", text)):
        raise LLMUnavailable(f"the model returned no answer: {text[:80]!r}")
    if len(text) > MAX_REPLY_CHARS:
        raise LLMUnavailable(f"the model's reply ran to {len(text)} characters")
    return text


def _tool_requests(message: Any) -> list[ToolRequest]:
    """The tool calls in `message`: its `tool_calls`, or, from models that write them as
    text (as small open models do), the objects with a name and arguments in its content,
    alone or in a ```json block or <tool_call> tags. A name that is no tool's is answered
    like any other wrong call: with the reason."""
    calls = message.tool_calls or []
    requests = [
        ToolRequest(call.id or f"call_{n}", call.function.name, call.function.arguments or "{}")
        for n, call in enumerate(calls)
        if getattr(call, "function", None) is not None
    ]
    if calls and not requests:
        raise LLMUnavailable("the model sent tool calls of an unsupported type")
    if requests or not message.content:
        return requests
    return [
        ToolRequest(f"call_text_{n}", written["name"], json.dumps(written["arguments"]))
        for n, written in enumerate(_written_calls(message.content))
    ]


def _written_calls(content: str) -> list[dict[str, Any]]:
    """Each JSON object in `content` with a name and arguments (or parameters), wherever it
    sits: alone, in a ```json block, in <tool_call> tags, inside extra braces or before
    stray text ('{{"name": ...}}}}\n#Tools' is what Qwen2.5-Coder-1.5B wrote)."""
    decoder = json.JSONDecoder()
    calls = []
    start = content.find("{")
    while start != -1:
        try:
            value, end = decoder.raw_decode(content, start)
        except ValueError:
            start = content.find("{", start + 1)
            continue
        arguments = (
            value.get("arguments", value.get("parameters")) if isinstance(value, dict) else None
        )
        if isinstance(arguments, str):
            try:
                arguments = json.loads(arguments)
            except ValueError:
                arguments = None
        if isinstance(value, dict) and isinstance(value.get("name"), str) and arguments is not None:
            calls.append({"name": value["name"], "arguments": arguments})
            start = content.find("{", end)
        else:
            start = content.find("{", start + 1)
    return calls


def _run(request: ToolRequest, tools: Toolbox) -> dict[str, Any]:
    """The tool's result, or why the call could not run (for the model to correct)."""
    try:
        arguments = json.loads(request.arguments)
    except ValueError as exc:
        result = {"error": f"{request.name}: the arguments are not JSON ({exc})"}
    else:
        result = tools.call(request.name, arguments)
    if "error" in result:
        log.info("the model's call %s(%s): %s", request.name, request.arguments, result["error"])
        result = {**result, "hint": "correct the call, or answer without it"}
    return result
