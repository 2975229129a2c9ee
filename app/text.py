"""Shortening text for display without cutting a word, and at a sentence end where one is near."""

from __future__ import annotations

SENTENCE_ENDS = ".!?;"


def shorten(text: str | None, limit: int) -> str:
    """The text whole when it fits; else its leading sentences that fit (when they keep at least half the
    room); else cut at the last word that fits, with an ellipsis. Whitespace runs become one space."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    ends = [i + 1 for i in range(len(head) - 1) if head[i] in SENTENCE_ENDS and head[i + 1] == " "]
    if ends and ends[-1] >= limit // 2:
        return text[: ends[-1]]
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(",;:") + "…"
