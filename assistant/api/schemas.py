"""Request and response bodies."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field, WithJsonSchema, model_validator

from retrieval.catalog import currency_in, parse_price


def _has_lone_surrogate(value: Any) -> bool:
    """True when a string anywhere in `value` (keys included) holds a lone UTF-16 surrogate:
    valid JSON (`"\\ud800"`), but not text that can be encoded, stored or tokenized."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_lone_surrogate(v) for v in value)
    return False


class RequestBody(BaseModel):
    """Base of every JSON request body: text must be valid Unicode, so a lone surrogate is a
    422 here rather than a failure deep inside the tokenizer or the database."""

    @model_validator(mode="before")
    @classmethod
    def _valid_unicode(cls, data: Any) -> Any:
        if _has_lone_surrogate(data):
            raise ValueError("text must be valid Unicode (found a lone UTF-16 surrogate)")
        return data


def _price(value: Any) -> float | None:
    # The same reading as catalog files: numbers, "$12.99", "EUR 5,00", a range's low end.
    # Its ValueError becomes a 422.
    return parse_price(value)


Price = Annotated[
    float | None,
    BeforeValidator(_price),
    WithJsonSchema(
        {
            "anyOf": [{"type": "number", "minimum": 0}, {"type": "string"}, {"type": "null"}],
            "description": 'A number, or a string such as "$12.99" or "EUR 5,00".',
        }
    ),
]


class ChatRequest(RequestBody):
    message: str = Field(description="The shopper's message.")
    session_id: str | None = Field(default=None, description="Continue this conversation.")
    user_id: str | None = Field(
        default=None, description="The signed-in shopper, as vouched for by the calling backend."
    )
    stream: bool = Field(default=False, description="Answer as server-sent events.")


class ChatResponseBody(BaseModel):
    session_id: str
    reply: str
    intent: str
    confidence: float
    backend: str
    products: list[dict[str, Any]]
    filters: dict[str, Any]
    entities: dict[str, Any]
    handed_off: bool
    ticket_id: str | None
    latency_ms: float


class CartAddition(RequestBody):
    product_id: str = Field(min_length=1, max_length=200, description="The product's id.")
    quantity: int = Field(default=1, description="How many more to add (1-99).")
    user_id: str | None = Field(
        default=None, description="The signed-in shopper the session belongs to, if any."
    )


class EventRequest(RequestBody):
    user_id: str = Field(description="The shopper.")
    item_id: str = Field(description="The product's id.")
    event: str = Field(description="view, cart or purchase.")


class ProductIn(RequestBody):
    """A catalog product, with the catalog's canonical fields."""

    id: str = Field(min_length=1, max_length=200)
    title: str = Field(min_length=1, max_length=1000)
    description: str = ""
    category: str = Field(default="", description='A path like "Toys & Games > Puzzles".')
    brand: str = ""
    price: Price = None
    currency: str = "USD"
    color: str = ""
    size: str = ""
    stock: int | None = Field(default=None, ge=0)
    rating: float | None = Field(default=None, ge=0, le=5)
    image_url: str = ""
    url: str = ""
    attributes: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _currency_of_the_price(cls, data: Any) -> Any:
        """A price string's currency ("€8,50") is the product's, unless one is given."""
        if isinstance(data, dict) and not data.get("currency") and currency_in(data.get("price")):
            return {**data, "currency": currency_in(data["price"])}
        return data


class ProductReplacement(ProductIn):
    """A product's new fields for `PUT /v1/products/{id}`: the id comes from the path (given
    in the body too, it must be the same)."""

    id: str | None = Field(default=None, min_length=1, max_length=200)  # type: ignore[assignment]
