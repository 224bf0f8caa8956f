"""POST /v1/chat: one turn, as JSON or as server-sent events."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from assistant.api.deps import get_assistant, get_metrics, in_chat_thread
from assistant.api.metrics import Metrics
from assistant.api.schemas import ChatRequest, ChatResponseBody
from assistant.orchestrator import Assistant, ChatResponse

router = APIRouter(tags=["chat"])

_CHUNK = re.compile(r"\S+\s*")


@router.post("/v1/chat", response_model=ChatResponseBody)
async def chat(
    body: ChatRequest,
    request: Request,
    assistant: Annotated[Assistant, Depends(get_assistant)],
    metrics: Annotated[Metrics, Depends(get_metrics)],
) -> ChatResponseBody | StreamingResponse:
    # The whole turn (guardrails, grounding) completes before anything is sent, so streaming
    # can never show text that a check would have replaced.
    response = await in_chat_thread(
        request, assistant.chat, body.message, body.session_id, body.user_id
    )
    metrics.inc("shopassist_chat_turns_total", backend=response.backend, intent=response.intent)
    if body.stream:
        return StreamingResponse(_events(response), media_type="text/event-stream")
    return ChatResponseBody(**asdict(response))


def _events(response: ChatResponse) -> Iterator[str]:
    """`delta` events carry the reply word by word; `done` carries the full response."""
    for piece in _CHUNK.findall(response.reply):
        yield f"event: delta\ndata: {json.dumps({'text': piece})}\n\n"
    yield f"event: done\ndata: {json.dumps(asdict(response))}\n\n"
