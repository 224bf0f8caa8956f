"""What one message means: intent, entities and the search it implies (with follow-ups)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.conversation import ConversationState, FollowUp
from assistant.nlu.entities import NO_IDS, CatalogIds, Entities, extract_entities
from assistant.nlu.intents import IntentModel
from retrieval.catalog import Product
from retrieval.filters import Filters, ParsedQuery, Vocabulary, parse_query
from retrieval.text import number_forms

# Words that refine the previous search instead of naming a new product.
_FOLLOW_UP_WORDS = frozenset(
    " ".join(
        [
            "anything something cheaper cheap less expensive more options other others else",
            "show me what about how any do you have it them those these ones one only please",
            "in with without and but also just a an the some stock available similar like",
            "this that instead different bigger smaller larger see let can i get could would",
            "want are is there got hmm ok okay then actually now really maybe well so still",
            "fine alright cool sorry meant mean no nope let's say",
        ]
    ).split()
)
# Request words that name no product: "what would you recommend for me?" has no topic.
_REQUEST_WORDS = _FOLLOW_UP_WORDS | frozenset(
    " ".join(
        [
            "recommend recommendation recommendations suggest suggestion suggestions pick picks",
            "for my i'm im to of on need looking look find buy want like should good nice best",
            "popular trending right now based bought give surprise things stuff might enjoy",
            "which your we us our search find product products item items stuff help gift gifts",
        ]
    ).split()
)
# Words that open a request ("show me", "do you have", "i'm looking for") before its topic.
_REQUEST_OPENERS = _FOLLOW_UP_WORDS | {
    "looking",
    "look",
    "for",
    "find",
    "search",
    "need",
    "i'm",
    "im",
}
_REFINE_CUES = ("what about", "how about", "only ", "and ", "but ", "in ", "with ", "without ")
_POINTS_AT_ONE = re.compile(r"\b(?:it|it's|its|this one|that one)\b", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9$]+(?:'[a-z]+)?")
_SORT_CUES = (
    ("price_low", re.compile(r"\b(cheapest|lowest[\s-]priced?|least expensive)\b", re.I)),
    ("price_high", re.compile(r"\b(most expensive|priciest|highest[\s-]priced?)\b", re.I)),
    ("rating", re.compile(r"\b(best|highest|top)[\s-]rated\b", re.I)),
)
_YES = re.compile(
    r"^\s*(?:yes|yep|yeah|yup|sure|ok(?:ay)?|confirm(?:ed)?|please do|do it|go ahead|correct)\b",
    re.IGNORECASE,
)
# Words a product request may carry that no product's name does ("costume size M", "any
# puzzles you would recommend?").
_NAMING_FILLER = _REQUEST_WORDS | frozenset(
    " ".join(
        ["a an the or please", "size sizes color colour colors colours price piece pieces pcs"]
    ).split()
)
_NAME_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_NO = re.compile(
    r"^\s*(?:no|nope|nah|don'?t|do not|never ?mind|stop|keep it|leave it)\b", re.IGNORECASE
)


_ORDER_INTENTS = frozenset(
    {
        "track_order",
        "cancel_order",
        "change_order",
        "get_refund",
        "track_refund",
        "change_shipping_address",
        "set_up_shipping_address",
        "check_invoices",
        "get_invoice",
    }
)
_ORDER_VERBS = (
    (re.compile(r"\bcancel", re.IGNORECASE), "cancel_order"),
    (re.compile(r"\b(?:refund|return|send (?:it )?back|money back)", re.IGNORECASE), "get_refund"),
    (re.compile(r"\baddress\b", re.IGNORECASE), "change_shipping_address"),
)


def _order_intent(intent: str, message: str, entities: Entities) -> str:
    """A message naming an order id is about that order, whatever the classifier thinks."""
    if not entities.order_ids or intent in _ORDER_INTENTS:
        return intent
    return next((name for verb, name in _ORDER_VERBS if verb.search(message)), "track_order")


@dataclass
class Understanding:
    intent: str
    confidence: float
    entities: Entities
    search_text: str
    topic: str
    filters: Filters
    follow_up: bool
    refinement: bool = False
    """A follow-up that only narrows the listing just shown ("only in stock please",
    "under $20", "anything cheaper?"): it states filters and names no product of its own,
    nor points at one ("is it in stock?", "the second one"). Whatever the intent model
    makes of so few words, it refines the listing."""
    confirmation: str | None = None  # "yes" / "no" when the message answers a question
    sort: str = "relevance"
    """How the shopper wants results ordered (see `SORTS`): "cheapest ..." is price_low."""
    follow: FollowUp | None = None
    """How a follow-up refines the listing shown (None for a message that is none)."""


def understand(
    message: str,
    intents: IntentModel,
    vocabulary: Vocabulary,
    state: ConversationState,
    ids: CatalogIds = NO_IDS,
) -> Understanding:
    """Classify `message` and work out the search it implies, given the conversation's
    `state`; `vocabulary` and `ids` are the catalog's names and product ids."""
    prediction = intents.predict([message])[0]
    sort, cue = next(((n, c) for n, c in _SORT_CUES if c.search(message)), ("relevance", None))
    parsed = _parse(message if cue is None else cue.sub(" ", message), vocabulary)
    content = _content(parsed.text)
    in_context = bool(state.query) or state.listing == "recommendation"
    # A message that names a kind of product the catalog has starts a new search; one that
    # names none works on the listing shown (see `assistant.conversation`).
    new_kind = any(vocabulary.names_kind(word) for word in content)
    follow = FollowUp.read(message)
    follow_up = (
        in_context
        and not new_kind
        and (
            not content
            or message.lower().strip().startswith(_REFINE_CUES)
            or follow.refines
            or follow.references_listing()
            or not parsed.filters.is_empty()  # it states constraints and names no product
        )
    )
    if follow_up:
        if follow.refines:  # the rest of the message, without "forget the budget"
            parsed = _parse(follow.text, vocabulary)
            content = _content(parsed.text)
        # Refine what was asked for ("lego sets"), not how ("show me ..."), so that a
        # narrower search still has to match the earlier topic.
        text = " ".join([request_topic(state.query), *content])
        filters = follow.filters(state, parsed.filters)
        if follow.cheaper:
            sort = "price_low"
    else:
        if in_context and follow.keeps_price:  # "and building sets for the same price?"
            parsed = _parse(follow.text, vocabulary)
        text = parsed.text
        filters = follow.carried(state).merged(parsed.filters) if in_context else parsed.filters
    entities = extract_entities(message, ids)
    refinement = (
        follow_up
        and not content
        and (not parsed.filters.is_empty() or follow.refines)
        and not refers_to_product(entities)
        and not _POINTS_AT_ONE.search(message)
    )
    return Understanding(
        intent=_order_intent(prediction.intent, message, entities),
        follow=follow if follow_up else None,
        confidence=prediction.confidence,
        entities=entities,
        search_text=text.strip(),
        topic=" ".join(w for w in _WORD.findall(parsed.text.lower()) if w not in _REQUEST_WORDS),
        filters=filters,
        follow_up=follow_up,
        refinement=refinement,
        confirmation="yes" if _YES.match(message) else "no" if _NO.match(message) else None,
        sort=sort,
    )


def _parse(text: str, vocabulary: Vocabulary) -> ParsedQuery:
    """`parse_query`, with the category of a request's topic: "do you have any board games
    for 4 players?" searches for its topic, whose category is read as in "board games for
    4 players" (the opener is not part of the name)."""
    parsed = parse_query(text, vocabulary)
    topic_text = request_topic(parsed.text)
    if topic_text != parsed.text:
        named = parse_query(topic_text, vocabulary).filters.category
        if parsed.filters.category is None and named is not None:
            parsed.filters = parsed.filters.merged(Filters(category=named))
        parsed.text = topic_text
    return parsed


def _content(text: str) -> list[str]:
    """The words of a query that say what is wanted (not "show me", "any", "those")."""
    return [w for w in _WORD.findall(text.lower()) if w not in _FOLLOW_UP_WORDS]


def naming_words(text: str) -> set[str]:
    """The words of `text` that a product's name would have to contain for the text to name
    it: lower-case, without filler ("the", "size", "please")."""
    words = (w.removesuffix("'s") for w in _NAME_WORD.findall(text.lower()))
    return {w for w in words if w not in _NAMING_FILLER and (len(w) > 1 or w.isdigit())}


def names_products(text: str, products: list[Product]) -> bool:
    """Whether every word of `text` (but filler) is in the names, brands, categories or
    colours of `products`, singular or plural: "wooden train set" names a store's wooden
    train sets, while "what's the weather" or "tell me a joke" name nothing even where a
    product is near in meaning, and numbers alone ("what is 2+2") name nothing."""
    wanted = naming_words(text)
    if not any(any(c.isalpha() for c in word) for word in wanted):
        return False
    named: set[str] = set()
    for product in products:
        for word in naming_words(
            f"{product.title} {product.brand} {product.category} {product.color}"
        ):
            named |= number_forms(word)
    return wanted <= named


def refers_to_product(entities: Entities) -> bool:
    """Whether the message points at a product: an id, a position or "the red one"."""
    return bool(entities.product_ids or entities.positions or entities.color_refs)


def request_topic(query: str) -> str:
    """`query` without the words that open a request: "show me lego sets" -> "lego sets"."""
    words = query.split()
    start = next((i for i, w in enumerate(words) if w.lower() not in _REQUEST_OPENERS), 0)
    return " ".join(words[start:])
