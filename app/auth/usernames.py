"""Usernames that cannot pass for one another: `admin`, `Admin`, `аdmin` (a Cyrillic а) and `admin` followed by a
zero-width space must not be four users.

A name is stored NFKC-normalised; it holds letters, combining marks, digits and `.`, `_`, `-`, `@` only (no space,
no invisible format character, no symbol), all its letters from one script (Unicode's script data, through
confusable-homoglyphs, the package django-registration uses for the same check). Two names are the same user
when their skeletons are equal: the name case-folded with every letter that has a Latin look-alike replaced by it
(Unicode's confusables table), so an all-Cyrillic `рор` is taken once `pop` exists. The skeleton is stored in
`app_user.username_key` under a unique constraint, so the database refuses a look-alike too.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from confusable_homoglyphs import categories, confusables

from app.evidence.errors import EvidenceError

MAX_CHARS = 100
PUNCTUATION = frozenset("._-@")
NEUTRAL_SCRIPTS = frozenset({"COMMON", "INHERITED"})


def canonical(name: str) -> str:
    """The name as stored (NFKC, trimmed), or EvidenceError(field='username') saying what is wrong with it."""
    value = unicodedata.normalize("NFKC", name).strip()
    if not 1 <= len(value) <= MAX_CHARS:
        raise EvidenceError(f"a username has 1 to {MAX_CHARS} characters", field="username")
    for char in value:
        if char not in PUNCTUATION and unicodedata.category(char)[0] not in "LMN":
            shown = f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed')}"
            raise EvidenceError(f"a username holds letters, digits and . _ - @ only, not {shown}", field="username")
    if confusables.is_mixed_script(value):
        raise EvidenceError(
            "a username's letters come from one script (no Latin mixed with Cyrillic)", field="username"
        )
    return value


@lru_cache(maxsize=4096)
def _latin_look_alike(char: str) -> str:
    if categories.alias(char) in ({"LATIN"} | NEUTRAL_SCRIPTS):
        return char
    found = confusables.is_confusable(char, preferred_aliases=["latin"], greedy=True) or []
    for item in found:
        for glyph in item["homoglyphs"]:
            if all(categories.alias(c) in ({"LATIN"} | NEUTRAL_SCRIPTS) for c in glyph["c"]):
                return glyph["c"].casefold()
    return char


def skeleton(name: str) -> str:
    """What the name looks like: NFKC, case-folded, every letter with a Latin look-alike replaced by it."""
    folded = unicodedata.normalize("NFKC", name).strip().casefold()
    return "".join(_latin_look_alike(char) for char in folded)[: MAX_CHARS * 2]
