"""Finding the catalog's product titles quoted in a text (a reply, a message)."""

from __future__ import annotations

from collections.abc import Callable

from .catalog import Product
from .columns import TITLE_KEY_WORDS, title_words
from .search import SearchEngine


class TitleIndex:
    """Finds catalog titles quoted in a text without scanning every title: the search
    engine looks candidates up by their first words (a key column it keeps, so catalog
    changes need nothing here), then each is confirmed as a substring, whole or as
    ``shorten`` writes it (replies shorten long titles)."""

    def __init__(self, engine: SearchEngine, shorten: Callable[[str], str] = str) -> None:
        self._engine = engine
        self._shorten = shorten

    def find(self, text: str) -> list[Product]:
        words = title_words(text)
        phrases = [
            words[start : start + size]
            for start in range(len(words) - 1)
            for size in range(TITLE_KEY_WORDS, 1, -1)
        ]
        lowered = text.lower()
        return [
            p
            for p in self._engine.titled(phrases)
            if p.title.lower() in lowered or self._shorten(p.title).lower() in lowered
        ]
