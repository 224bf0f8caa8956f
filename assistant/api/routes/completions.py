"""POST /v1/chat/completions: the assistant behind the OpenAI chat-completions protocol, so
OpenAI SDKs and chat UIs can talk to it unchanged.

OpenAI clients are stateless: they resend the whole transcript. The assistant keeps its
state (filters, listed products) in a session, found again by a fingerprint of the transcript
so far. `user` is the signed-in shopper, vouched for by the calling backend like `user_id` in
`/v1/chat`. Guardrails and grounding run before anything is streamed.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Iterator, Sequence
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from pydantic import Field

from assistant.api.deps import get_assistant, get_metrics, in_chat_thread
from assistant.api.metrics import Metrics
from assistant.api.schemas import RequestBody
from assistant.api.security import presented_key
from assistant.errors import BadRequest, NotFound
from assistant.orchestrator import Assistant, ChatResponse

router = APIRouter(tags=["chat"])

MODEL_NAME = "shopassist"


class ChatMessage(RequestBody):
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[dict[str, Any]] | None = None


class CompletionRequest(RequestBody):
    model: str = MODEL_NAME
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    user: str | None = None


def _model_card() -> dict[str, Any]:
    return {"id": MODEL_NAME, "object": "model", "created": 0, "owned_by": "shopassist"}


@router.get("/v1/models")
def models() -> dict[str, Any]:
    """The models this server answers as (OpenAI `client.models.list()`; chat UIs' pickers)."""
    return {"object": "list", "data": [_model_card()]}


@router.get("/v1/models/{model_id:path}")  # `path`: model ids such as "org/name" hold "/"
def model(model_id: str) -> dict[str, Any]:
    if model_id != MODEL_NAME:
        raise NotFound(f"no model {model_id!r}; this server answers as {MODEL_NAME!r}")
    return _model_card()


def _text(message: ChatMessage) -> str:
    if isinstance(message.content, list):
        return " ".join(str(part.get("text", "")) for part in message.content)
    return message.content or ""


def _fingerprint(key: str | None, user: str | None, messages: Sequence[tuple[str, str]]) -> str:
    """Names a conversation by its caller (API key and `user`) and its turns so far, so that
    only the same caller resending the same transcript continues it. Whitespace is
    normalised: chat UIs often trim or re-wrap the replies they resend."""
    turns = [(role, " ".join(text.split())) for role, text in messages]
    payload = json.dumps([key, user, turns], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


@router.post("/v1/chat/completions")
async def completions(
    body: CompletionRequest,
    request: Request,
    assistant: Annotated[Assistant, Depends(get_assistant)],
    metrics: Annotated[Metrics, Depends(get_metrics)],
) -> Any:
    # Only the shopper's and assistant's turns matter: a client's own system prompt is not
    # allowed to steer the store's assistant.
    transcript = [(m.role, _text(m)) for m in body.messages if m.role in ("user", "assistant")]
    if not transcript or transcript[-1][0] != "user":
        raise BadRequest("the last message must come from the user")
    key = presented_key(request)
    response = await in_chat_thread(request, _turn, assistant, key, body.user, transcript)
    metrics.inc("shopassist_chat_turns_total", backend=response.backend, intent=response.intent)
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    if body.stream:
        return StreamingResponse(_chunks(completion_id, response), media_type="text/event-stream")
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL_NAME,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": response.reply},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        "shopassist": _extras(response),
    }


def _turn(
    assistant: Assistant, key: str | None, user: str | None, transcript: list[tuple[str, str]]
) -> ChatResponse:
    """Answer the transcript's last message in the session its earlier turns belong to."""
    *earlier, (_, message) = transcript
    db = assistant.shop.db
    session_id = db.session_for_key(_fingerprint(key, user, earlier)) if earlier else None
    response = assistant.chat(message, session_id, user)
    db.remember_key(
        _fingerprint(key, user, [*transcript, ("assistant", response.reply)]), response.session_id
    )
    return response


def _extras(response: ChatResponse) -> dict[str, Any]:
    return {
        "session_id": response.session_id,
        "intent": response.intent,
        "backend": response.backend,
        "products": response.products,
    }


def _chunks(completion_id: str, response: ChatResponse) -> Iterator[str]:
    created = int(time.time())

    def chunk(delta: dict[str, Any], finish: str | None, **extra: Any) -> str:
        body = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": MODEL_NAME,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **extra,
        }
        return f"data: {json.dumps(body)}\n\n"

    yield chunk({"role": "assistant", "content": ""}, None)
    words = response.reply.split(" ")
    for index, word in enumerate(words):
        yield chunk({"content": word if index == 0 else f" {word}"}, None)
    yield chunk({}, "stop", shopassist=_extras(response))
    yield "data: [DONE]\n\n"
