"""Shortening text for display without cutting a word, and at a sentence end where one is near: the one
implementation behind the engine's excerpts, the pages' and the reports' `shorten` filters."""

from __future__ import annotations

from typing import Any

SENTENCE_ENDS = ".!?;"


def shorten(text: Any, limit: int = 240) -> str:
    """The text whole when it fits; else its leading sentences that fit (when they keep at least half the
    room); else cut at the last word that fits, with an ellipsis. Whitespace runs become one space."""
    text = " ".join(("" if text is None else str(text)).split())
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    ends = [i + 1 for i in range(len(head) - 1) if head[i] in SENTENCE_ENDS and head[i + 1] == " "]
    if ends and ends[-1] >= limit // 2:
        return text[: ends[-1]]
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(",;:") + "…"


def shorten_noting_rest(value: Any, limit: int) -> str:
    """The text shortened, saying how much was left out ("[1,234 more characters]"); whole when it fits."""
    text = "" if value is None else str(value)
    short = shorten(text, limit)
    if short == " ".join(text.split()):
        return text
    return f"{short} [{len(text) - len(short):,} more characters]"
