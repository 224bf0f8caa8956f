"""Input screening before any backend sees a message: role-override and prompt-extraction
attempts, and abuse, get a fixed refusal instead of an answer."""

from __future__ import annotations

import re

_INJECTION = re.compile(
    r"(?:ignore|forget|disregard|override) (?:all |any )?(?:of )?(?:the |your |previous |prior "
    r"|above |earlier |system )*(?:instructions|rules|prompts?|guidelines|directives)"
    r"|disregard (?:all |everything )?(?:the )?(?:above|previous|prior)\b"
    r"|^\W*new (?:rules?|instructions?)\s*:|act as my (?:late |dead |deceased )?grand"
    r"|(?:reveal|show|print|repeat|tell me) (?:me )?(?:your|the) (?:system |hidden |initial )?"
    r"(?:prompt|instructions|rules)"
    r"|system prompt|developer mode|jailbreak|\bDAN\b"
    r"|you are (?:now|no longer) (?:an?|the)\b|pretend (?:to be|you are)|act as (?:an?|the) "
    r"|(?:other|another) (?:customer|user|person)(?:'s|s'|s)? (?:orders?|address|email|data)"
    r"|(?:other|another) (?:customer|user|person)(?:'s|s'|s) account"
    r"|(?:repeat|translate|summari[sz]e|print) (?:the text above|(?:your|the) (?:instructions|rules"
    r"|prompt))"
    r"|<\|im_(?:start|end)\|>|\[/?INST\]|^\W*system\W*[:#]",
    re.IGNORECASE,
)
_ABUSE = re.compile(
    r"\b(?:fuck\w*|shit\w*|bitch\w*|asshole\w*|idiot\w*|stupid bot)\b", re.IGNORECASE
)


def screen(message: str) -> str | None:
    """The reason to refuse `message` ("injection" or "abuse"), or None when it may proceed."""
    if _INJECTION.search(message):
        return "injection"
    if _ABUSE.search(message):
        return "abuse"
    return None
