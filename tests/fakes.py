"""Fakes for remote services only: a scripted OpenAI-compatible server at the HTTP level."""

from __future__ import annotations

import json
from collections import deque
from typing import Any

import httpx
import openai


def completion(content: str | None = None, tool_calls: list[dict[str, Any]] | None = None) -> dict:
    """A chat.completions response body."""
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = [
            {
                "id": f"call_{i}",
                "type": "function",
                "function": {
                    "name": call["name"],
                    "arguments": call["arguments"]
                    if isinstance(call["arguments"], str)
                    else json.dumps(call["arguments"]),
                },
            }
            for i, call in enumerate(tool_calls)
        ]
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": "fake-model",
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "tool_calls" if tool_calls else "stop",
            }
        ],
    }


class ScriptedServer:
    """Answers each POST /chat/completions with the next scripted item: a response body
    (dict), an HTTP status code (int), a whole `httpx.Response` (a body that is not JSON),
    or an exception to raise (e.g. httpx.ReadTimeout)."""

    def __init__(self, *script: dict | int | httpx.Response | Exception) -> None:
        self.script = deque(script)
        self.requests: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(json.loads(request.content))
        if not self.script:
            return httpx.Response(500, json={"error": {"message": "script exhausted"}})
        item = self.script.popleft()
        if isinstance(item, Exception):
            raise item
        if isinstance(item, int):
            return httpx.Response(item, json={"error": {"message": f"status {item}"}})
        if isinstance(item, httpx.Response):
            return item
        return httpx.Response(200, json=item)

    def client(self) -> openai.OpenAI:
        return openai.OpenAI(
            api_key="test-key",
            base_url="http://llm.test/v1",
            max_retries=0,
            timeout=2.0,
            http_client=httpx.Client(transport=httpx.MockTransport(self)),
        )
