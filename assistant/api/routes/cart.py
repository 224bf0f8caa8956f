"""A chat session's cart, for buttons beside the chat: the same tools the chat calls."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from assistant.api.deps import get_assistant, path_id
from assistant.api.schemas import CartAddition
from assistant.orchestrator import Assistant

router = APIRouter(tags=["cart"])

# A session belongs to the user id it was started with (none for a guest): the same id must
# come with every request, as with POST /v1/chat, or the session is unknown (404).
UserId = Annotated[
    str | None, Query(description="The signed-in shopper the session belongs to, if any.")
]


@router.get("/v1/sessions/{session_id}/cart")
def view_cart(
    session_id: str, assistant: Annotated[Assistant, Depends(get_assistant)], user_id: UserId = None
) -> dict[str, Any]:
    """The cart's items (product fields and `quantity`) and `total`."""
    return assistant.cart(session_id, user_id)


@router.post("/v1/sessions/{session_id}/cart")
def add_to_cart(
    session_id: str,
    body: CartAddition,
    assistant: Annotated[Assistant, Depends(get_assistant)],
) -> dict[str, Any]:
    """Add a product (400 when out of stock or for a quantity outside 1-99); answers the
    product `added` and the whole cart."""
    return assistant.add_to_cart(session_id, body.user_id, body.product_id, body.quantity)


# `path`: product ids may hold "/".
@router.delete("/v1/sessions/{session_id}/cart/{product_id:path}")
def remove_from_cart(
    session_id: str,
    product_id: str,
    assistant: Annotated[Assistant, Depends(get_assistant)],
    user_id: UserId = None,
) -> dict[str, Any]:
    """Take a product out (404 when it is not in the cart); answers the cart left."""
    return assistant.remove_from_cart(session_id, user_id, path_id(product_id))
