"""A tool's arguments as a pydantic model, built from its signature and docstring (as
openai-agents' `function_schema` does): the JSON schema a model is shown, and the validation
every call goes through, whichever tier makes it. Models send numbers as strings ("30"),
misspell names and leave out required arguments; validation coerces what is unambiguous
and turns the rest into one readable error that the model can act on."""

from __future__ import annotations

import difflib
import inspect
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from assistant.errors import AssistantError

_ARG_DOC = re.compile(r"^(\s+)(\w+):\s*(.+)$")


class ToolError(AssistantError):
    """A tool was called with a name or arguments it does not accept."""


@dataclass(frozen=True)
class ToolSpec:
    """One tool: its name, what it does, and its arguments' model."""

    name: str
    description: str
    arguments: type[BaseModel]

    @classmethod
    def of(cls, function: Callable[..., Any]) -> ToolSpec:
        """The spec of a typed function whose docstring has a summary and an ``Args:``
        section (constraints go in ``Annotated[..., Field(...)]`` hints)."""
        doc = inspect.getdoc(function) or ""
        summary, _, rest = doc.partition("\n\n")
        described = _argument_docs(rest)
        hints = typing.get_type_hints(function, include_extras=True)
        fields: dict[str, Any] = {}
        for name, parameter in inspect.signature(function).parameters.items():
            if name == "self":
                continue
            default = ... if parameter.default is inspect.Parameter.empty else parameter.default
            fields[name] = (hints[name], Field(default, description=described.get(name)))
        model = create_model(  # type: ignore[call-overload]
            f"{function.__name__}_arguments",
            __config__=ConfigDict(extra="forbid"),
            **fields,
        )
        return cls(function.__name__, " ".join(summary.split()), model)

    def validate(self, arguments: Any) -> dict[str, Any]:
        """`arguments` checked and coerced ("5" -> 5), as keyword arguments; ToolError
        naming every problem otherwise."""
        if not isinstance(arguments, dict):
            raise ToolError(f"{self.name}: arguments must be a JSON object")
        # pydantic reads true as 1 for a number; a model that sends true means something else.
        flags = [n for n, v in arguments.items() if isinstance(v, bool) and n in self._numbers]
        if flags:
            problems = "; ".join(f"{name}: a number, not true/false" for name in flags)
            raise ToolError(f"{self.name}: {problems}")
        try:
            validated = self.arguments.model_validate(arguments)
        except ValidationError as exc:
            raise ToolError(f"{self.name}: {'; '.join(self._problems(exc))}") from exc
        return {name: getattr(validated, name) for name in self.arguments.model_fields}

    @cached_property
    def _numbers(self) -> frozenset[str]:
        """The arguments whose schema allows numbers but not booleans."""
        numeric = {"integer", "number"}
        found = set()
        for name, prop in self.arguments.model_json_schema().get("properties", {}).items():
            types = {option.get("type") for option in prop.get("anyOf", [prop])}
            if types & numeric and "boolean" not in types:
                found.add(name)
        return frozenset(found)

    def schema(self, notes: dict[str, str] | None = None) -> dict[str, Any]:
        """The OpenAI `tools` entry; `notes` add to arguments' descriptions (such as the
        store's own category names)."""
        raw = self.arguments.model_json_schema()
        properties = {}
        for name, prop in raw.get("properties", {}).items():
            prop = _plain(prop)
            note = (notes or {}).get(name)
            if note:
                described = prop.get("description", "").rstrip(".")
                prop["description"] = f"{described}. {note}" if described else note
            properties[name] = prop
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": {
                    "type": "object",
                    "properties": properties,
                    "required": raw.get("required", []),
                    "additionalProperties": False,
                },
            },
        }

    def _problems(self, error: ValidationError) -> list[str]:
        known = list(self.arguments.model_fields)
        problems = []
        for item in error.errors(include_url=False):
            name = ".".join(str(part) for part in item["loc"]) or "arguments"
            if item["type"] == "extra_forbidden":
                guess = difflib.get_close_matches(name, known, n=1)
                hint = f" (did you mean {guess[0]!r}?)" if guess else ""
                problems.append(f"unknown argument {name!r}{hint}")
            elif item["type"] == "missing":
                problems.append(f"{name} is required")
            else:
                problems.append(f"{name}: {item['msg']} (got {item.get('input')!r})")
        return problems


def _argument_docs(section: str) -> dict[str, str]:
    """Each argument's description from a Google-style ``Args:`` section; a description
    may go on over more deeply indented lines."""
    described: dict[str, str] = {}
    indent, current = None, None
    for line in section.splitlines():
        match = _ARG_DOC.match(line)
        if match and (indent is None or len(match[1]) == indent):
            indent, current = len(match[1]), match[2]
            described[current] = match[3].strip()
        elif current and line.strip() and indent is not None and line.startswith(" " * indent):
            described[current] += " " + line.strip()
    return described


def _plain(prop: dict[str, Any]) -> dict[str, Any]:
    """A property as models read it best: no titles, and an optional value shown as its
    type (null is accepted anyway)."""
    prop = {k: v for k, v in prop.items() if k != "title"}
    variants = [v for v in prop.pop("anyOf", []) if v.get("type") != "null"]
    if len(variants) == 1:
        prop = {**_plain(variants[0]), **prop}
    elif variants:
        prop["anyOf"] = [_plain(v) for v in variants]
    if prop.get("default", "") is None:
        del prop["default"]
    if "items" in prop:
        prop["items"] = _plain(prop["items"])
    return prop
