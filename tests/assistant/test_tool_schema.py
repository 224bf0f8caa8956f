"""Tool schemas and argument validation (`assistant.tool_schema.ToolSpec`): the schema a
model is shown comes from the function's signature and docstring and is valid JSON Schema;
validation accepts what the schema allows (and the unambiguous strings the module says it
coerces), and refuses anything else with one `ToolError` naming every problem."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import pytest
from jsonschema import Draft202012Validator
from pydantic import Field

from assistant.errors import AssistantError
from assistant.tool_schema import ToolError, ToolSpec
from assistant.tools import Toolbox


def find_gifts(
    query: Annotated[str, Field(max_length=50)],
    budget: Annotated[float | None, Field(ge=0)] = None,
    count: Annotated[int, Field(ge=1, le=10)] = 3,
    wrapped: bool = False,
    tags: Annotated[list[str] | None, Field(max_length=2)] = None,
    order: Literal["cheap", "popular"] = "popular",
    note: str | None = None,
) -> dict[str, Any]:
    """Find gifts for
    someone.

    Looks in every department (not part of the summary).

    Args:
        query: who the gift is for, in
            the shopper's words
        budget: most to spend
        count: how many gifts (1-10)
        wrapped: gift-wrapped only
        tags: at most two tags
        order: "cheap" first or "popular" first
    """
    return {}


class Shelf:
    def pick(self, product_id: str) -> dict[str, Any]:
        """Pick one product.

        Args:
            product_id: the product's id
        """
        return {}


SPEC = ToolSpec.of(find_gifts)
DEFAULTS = {
    "budget": None,
    "count": 3,
    "wrapped": False,
    "tags": None,
    "order": "popular",
    "note": None,
}


def _parameters(spec: ToolSpec = SPEC, notes: dict[str, str] | None = None) -> dict[str, Any]:
    return spec.schema(notes)["function"]["parameters"]


def _keys(value: object) -> set[str]:
    """Every key of every object nested in `value`."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


# -- the schema -------------------------------------------------------------------------------
def test_the_schema_is_an_openai_function_whose_parameters_are_valid_json_schema() -> None:
    schema = SPEC.schema()
    assert schema["type"] == "function"
    function = schema["function"]
    assert function["name"] == "find_gifts"
    assert function["description"] == "Find gifts for someone."  # the summary, one line
    parameters = function["parameters"]
    Draft202012Validator.check_schema(parameters)
    assert parameters["type"] == "object"
    assert parameters["required"] == ["query"]  # the arguments without a default
    assert parameters["additionalProperties"] is False
    assert list(parameters["properties"]) == ["query", *DEFAULTS]  # the signature's order
    assert "title" not in _keys(parameters)


def test_each_argument_shows_its_type_constraints_default_and_description() -> None:
    properties = _parameters()["properties"]
    assert properties["query"] == {
        "type": "string",
        "maxLength": 50,
        "description": "who the gift is for, in the shopper's words",  # a continued line
    }
    # An optional value is shown as its type, without anyOf or a null default.
    assert properties["budget"] == {"type": "number", "minimum": 0, "description": "most to spend"}
    assert properties["count"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 10,
        "default": 3,
        "description": "how many gifts (1-10)",
    }
    assert properties["wrapped"] == {
        "type": "boolean",
        "default": False,
        "description": "gift-wrapped only",
    }
    assert properties["tags"] == {
        "type": "array",
        "items": {"type": "string"},
        "maxItems": 2,
        "description": "at most two tags",
    }
    assert properties["order"] == {
        "type": "string",
        "enum": ["cheap", "popular"],
        "default": "popular",
        "description": '"cheap" first or "popular" first',
    }
    assert properties["note"] == {"type": "string"}  # not in Args: no description


def test_notes_extend_an_arguments_description_or_become_it() -> None:
    notes = {"budget": "In US dollars.", "note": "Free text.", "not_an_argument": "Ignored."}
    properties = _parameters(notes=notes)["properties"]
    assert properties["budget"]["description"] == "most to spend. In US dollars."
    assert properties["note"]["description"] == "Free text."
    assert properties["query"]["description"] == "who the gift is for, in the shopper's words"
    assert "not_an_argument" not in properties
    assert _parameters()["properties"]["budget"]["description"] == "most to spend"  # unchanged


def test_a_methods_self_is_not_an_argument() -> None:
    spec = ToolSpec.of(Shelf.pick)
    assert spec.name == "pick" and spec.description == "Pick one product."
    parameters = _parameters(spec)
    assert parameters["required"] == ["product_id"]
    assert parameters["properties"] == {
        "product_id": {"type": "string", "description": "the product's id"}
    }
    assert spec.validate({"product_id": "P1"}) == {"product_id": "P1"}
    with pytest.raises(ToolError, match="unknown argument 'self'"):
        spec.validate({"self": None, "product_id": "P1"})


def test_every_chat_tool_sends_a_valid_fully_described_schema(shop) -> None:
    """What the OpenAI tier sends: every tool and argument says what it is for."""
    schemas = Toolbox(shop, shop.db.create_session(None), None).schemas()
    names = [s["function"]["name"] for s in schemas]
    assert len(names) == len(set(names)) >= 10
    assert {"search_products", "get_order_status", "add_to_cart", "search_policies"} <= set(names)
    for schema in schemas:
        function = schema["function"]
        parameters = function["parameters"]
        Draft202012Validator.check_schema(parameters)
        assert function["description"].strip(), function["name"]
        assert parameters["additionalProperties"] is False, function["name"]
        assert set(parameters["required"]) <= set(parameters["properties"]), function["name"]
        for argument, prop in parameters["properties"].items():
            assert prop.get("description", "").strip(), (function["name"], argument)
            assert "type" in prop or "enum" in prop or "anyOf" in prop, (function["name"], argument)


# -- validation -------------------------------------------------------------------------------
GOOD = [
    {"query": "a gift for mum"},
    {"query": "mum", "budget": 30, "count": 5, "wrapped": True},
    {"query": "mum", "budget": 12.5, "tags": ["tea", "books"], "order": "cheap"},
    {"query": "mum", "tags": []},
]
BAD = [
    ({}, "query is required"),
    ({"query": "mum", "budjet": 5}, "unknown argument 'budjet' (did you mean 'budget'?)"),
    ({"query": "mum", "count": "five"}, "count: Input should be a valid integer"),
    ({"query": "mum", "count": 5.5}, "count: Input should be a valid integer"),
    ({"query": "mum", "count": "5.5"}, "count: Input should be a valid integer"),
    ({"query": "mum", "count": 0}, "count: Input should be greater than or equal to 1 (got 0)"),
    ({"query": "mum", "count": 11}, "count: Input should be less than or equal to 10 (got 11)"),
    ({"query": "mum", "budget": -1}, "budget: Input should be greater than or equal to 0 (got -1)"),
    ({"query": "mum", "budget": "$30"}, "budget: Input should be a valid number"),
    ({"query": "mum", "order": "cheapest"}, "order: Input should be 'cheap' or 'popular'"),
    ({"query": "x" * 51}, "query: String should have at most 50 characters"),
    ({"query": 5}, "query: Input should be a valid string (got 5)"),
    ({"query": "mum", "wrapped": "maybe"}, "wrapped: Input should be a valid boolean"),
    ({"query": "mum", "tags": "tea,books"}, "tags: Input should be a valid list (got 'tea,books')"),
    ({"query": "mum", "tags": ["tea", 1]}, "tags.1: Input should be a valid string (got 1)"),
    ({"query": "mum", "tags": ["a", "b", "c"]}, "tags: List should have at most 2 items"),
]
COERCED = [
    ("count", "5", 5),
    ("count", 5.0, 5),
    ("budget", "30", 30.0),
    ("budget", "12.50", 12.5),
    ("wrapped", "false", False),
    ("wrapped", "true", True),
]
"""Unambiguous values a model sends in another JSON type, as validation reads them."""


@pytest.mark.parametrize("arguments", GOOD)
def test_good_calls_pass_as_keyword_arguments_with_the_defaults_filled(arguments) -> None:
    validated = SPEC.validate(arguments)
    assert validated == {"query": arguments["query"], **DEFAULTS, **arguments}
    assert find_gifts(**validated) == {}  # keyword arguments the function takes
    assert Draft202012Validator(_parameters()).is_valid(arguments)  # the schema agrees


@pytest.mark.parametrize(("arguments", "problem"), BAD)
def test_bad_calls_raise_a_tool_error_that_names_the_problem(arguments, problem) -> None:
    with pytest.raises(ToolError) as raised:
        SPEC.validate(arguments)
    message = str(raised.value)
    assert message.startswith("find_gifts: ") and problem in message
    assert isinstance(raised.value, AssistantError)  # one error tree
    assert not Draft202012Validator(_parameters()).is_valid(arguments)  # the schema agrees


def test_an_unknown_argument_with_no_near_name_gets_no_guess() -> None:
    with pytest.raises(ToolError) as raised:
        SPEC.validate({"query": "mum", "xyzzy": 1})
    assert str(raised.value) == "find_gifts: unknown argument 'xyzzy'"


def test_every_problem_is_named_in_one_error() -> None:
    with pytest.raises(ToolError) as raised:
        SPEC.validate({"budjet": 5, "count": "many"})
    problems = str(raised.value).removeprefix("find_gifts: ").split("; ")
    assert len(problems) == 3
    assert "query is required" in problems
    assert "unknown argument 'budjet' (did you mean 'budget'?)" in problems
    assert any(p.startswith("count: ") and "(got 'many')" in p for p in problems)


@pytest.mark.parametrize("arguments", [None, [], ["mum"], "mum", 5, True])
def test_arguments_that_are_not_an_object_are_refused(arguments) -> None:
    with pytest.raises(ToolError, match=r"^find_gifts: arguments must be a JSON object$"):
        SPEC.validate(arguments)


def test_null_is_accepted_for_an_optional_argument_though_the_schema_shows_its_type() -> None:
    assert SPEC.validate({"query": "mum", "budget": None, "note": None}) == {
        "query": "mum",
        **DEFAULTS,
    }
    with pytest.raises(ToolError, match="count: "):  # not where the value is required
        SPEC.validate({"query": "mum", "count": None})
    with pytest.raises(ToolError, match="query: "):
        SPEC.validate({"query": None})


@pytest.mark.parametrize(("name", "sent", "read"), COERCED)
def test_unambiguous_values_of_another_json_type_are_coerced(name, sent, read) -> None:
    value = SPEC.validate({"query": "mum", name: sent})[name]
    assert value == read and type(value) is type(read)


@pytest.mark.parametrize("name", ["count", "budget"])
def test_a_boolean_is_not_read_as_a_number(name) -> None:
    """pydantic's lax mode would read true as 1 (search_products k=true listing one)."""
    with pytest.raises(ToolError, match=name):
        SPEC.validate({"query": "mum", name: True})


# -- the tools' own validation, as the model's calls reach it ------------------------------------
def test_a_tool_call_answers_its_validation_error_instead_of_raising(shop) -> None:
    tools = Toolbox(shop, shop.db.create_session(None), None)
    coerced = tools.call("search_products", {"query": "jigsaw puzzle", "k": "2"})
    assert "error" not in coerced and 1 <= len(coerced["products"]) <= 2
    refused = tools.call("search_products", {"query": "jigsaw puzzle", "max_prce": 20})
    assert refused == {
        "error": "search_products: unknown argument 'max_prce' (did you mean 'max_price'?)"
    }
    assert tools.call("search_products", ["jigsaw"]) == {
        "error": "search_products: arguments must be a JSON object"
    }
    unknown = tools.call("delete_database", {})
    assert unknown["error"].startswith("unknown tool 'delete_database'")
    assert "search_products" in unknown["error"]
