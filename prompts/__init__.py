"""Prompt and reply templates live as files in `prompts/templates/`; this renders them.

Rendering fails loudly on a missing variable (jinja2's StrictUndefined), so a template and
its caller cannot drift apart silently.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

TEMPLATE_DIR = Path(__file__).parent / "templates"


class PromptError(Exception):
    """A template is missing or was rendered without a variable it needs."""


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,
    )
    env.filters["money"] = _money
    env.filters["short"] = short_title
    return env


TITLE_CHARS = 160
"""Longest title a reply shows whole: some catalogs put a whole description in the title."""


def short_title(title: str) -> str:
    """`title` as replies show it: whole up to `TITLE_CHARS` characters, else cut at the
    last space before that and ended with an ellipsis."""
    if len(title) <= TITLE_CHARS:
        return title
    head = title[: TITLE_CHARS - 1]
    cut = head.rsplit(" ", 1)[0].rstrip(" ,;:-") if " " in head else head
    return f"{cut}…"


def _money(value: float | None, currency: str = "USD") -> str:
    if value is None:
        return "price on request"
    return f"${value:,.2f}" if currency == "USD" else f"{value:,.2f} {currency}"


def render(name: str, **variables: Any) -> str:
    """Render `prompts/templates/<name>.j2` with `variables`."""
    try:
        return _environment().get_template(f"{name}.j2").render(**variables).strip()
    except jinja2.TemplateNotFound as exc:
        raise PromptError(f"no template named {name!r} in {TEMPLATE_DIR}") from exc
    except jinja2.UndefinedError as exc:
        raise PromptError(f"template {name!r}: {exc.message}") from exc


def names() -> list[str]:
    """Every template name."""
    return sorted(path.stem for path in TEMPLATE_DIR.glob("*.j2"))
