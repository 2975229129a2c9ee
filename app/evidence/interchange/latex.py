"""LaTeX in BibTeX values to Unicode and back.

decode() reads the LaTeX that libraries write most (escaped specials, accents such as {\\"u} and \\c{c},
letters such as \\ss and \\o, \\emph{...}-like groups, \\href, \\url, $math$ kept verbatim, --, ``, '')
itself, about 20 times faster than pylatexenc, and hands anything else to pylatexenc (with a fallback that
keeps the words when even that fails). encode() escapes so that decode(encode(x)) == x (property-tested).
"""

from __future__ import annotations

import re
import unicodedata

from pylatexenc import latexwalker, macrospec
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec
from pylatexenc.latex2text import get_default_latex_context_db as text_specs

_TEXT_SPECS = text_specs()
_TEXT_SPECS.add_context_category("ceiling", macros=[MacroTextSpec("textasciicircum", "^")], prepend=True)  # not ˆ
_LATEX = LatexNodes2Text(latex_context=_TEXT_SPECS, math_mode="verbatim", strict_latex_spaces=True)
_CONTEXT = latexwalker.get_default_latex_context_db()
_CONTEXT.add_context_category("hyperref", macros=[macrospec.MacroSpec("href", "{{")], prepend=True)
_MACRO_OR_BRACE = re.compile(r"\\([a-zA-Z]+\*?|.)|[{}]")
_SPECIAL = re.compile(r"([\\{}&%$#_~^])")
_ESCAPE = {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
_LIGATURE = re.compile(r"(-(?=-)|`(?=`)|'(?=')|[!?](?=`))")

ACCENTS = {'"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303", "=": "\u0304", ".": "\u0307",
           "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328", "r": "\u030a", "d": "\u0323",
           "b": "\u0331"}  # fmt: skip
LETTERS = {"ss": "ß", "o": "ø", "O": "Ø", "aa": "å", "AA": "Å", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
           "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "textbackslash": "\\", "textasciitilde": "~",
           "textasciicircum": "^", "textendash": "–", "textemdash": "—", "textquoteright": "’"}  # fmt: skip
GROUPS = {"emph", "textbf", "textit", "texttt", "textsc", "textrm", "textsf", "textsl", "textup", "textnormal",
          "mbox", "text", "textmd", "enquote", "mkbibquote", "NoCaseChange", "nocase"}  # fmt: skip
LIGATURES = (("---", "—"), ("--", "–"), ("``", "“"), ("''", "”"), ("!`", "¡"), ("?`", "¿"))
_WORD = re.compile(r"[a-zA-Z]+")


class _Unread(Exception):
    """LaTeX the fast reader does not know: pylatexenc reads it."""


def decode(text: str) -> str:
    """LaTeX to Unicode: {\\"u} -> ü, braces dropped, \\& -> &; spacing kept as it is."""
    if "\\" not in text and "{" not in text and "$" not in text:
        return text
    try:
        return _read(text, 0, len(text))
    except _Unread:
        pass
    try:
        return _LATEX.latex_to_text(text, latex_context=_CONTEXT)
    except Exception:  # noqa: BLE001 - pylatexenc fails on some malformed macros (\href{u}, \textcolor{red}): keep the words
        return _plain(text)


def _plain(text: str) -> str:
    """LaTeX that pylatexenc cannot read: macro names dropped, escaped characters kept, braces dropped."""
    escaped = lambda m: m.group(1) if m.group(1) and len(m.group(1)) == 1 and not m.group(1).isalpha() else ""  # noqa: E731
    return _MACRO_OR_BRACE.sub(escaped, text)


def encode(text: str, braced: bool = False) -> str:
    """Unicode text as a BibTeX value: LaTeX's special characters escaped, everything else as UTF-8.

    A value that decode() will read as LaTeX (it holds a macro or brace, or is `braced` like the title) would
    have `--` read as a dash and ``` `` ``` as a quote: such ligatures are kept apart (`-{}-`)."""
    encoded = _SPECIAL.sub(lambda m: _ESCAPE.get(m.group(1), "\\" + m.group(1)), text)
    if braced or any(c in encoded for c in "\\{$"):
        encoded = _LIGATURE.sub(r"\1{}", encoded)
    return encoded


def _read(text: str, start: int, end: int) -> str:  # noqa: C901 - one branch per kind of token
    out, i = [], start
    while i < end:
        char = text[i]
        if char in "{}":
            i += 1
        elif char == "$":
            close = text.find("$", i + 1, end)
            if close < 0 or close == i + 1 or "\\$" in text[i : close + 1]:
                raise _Unread
            out.append(text[i : close + 1])  # math stays as it is written
            i = close + 1
        elif char == "\\":
            piece, i = _macro(text, i + 1, end)
            out.append(piece)
        elif char in "%&#^_~":
            raise _Unread
        else:
            for ligature, glyph in LIGATURES:
                if text.startswith(ligature, i):
                    out.append(glyph)
                    i += len(ligature)
                    break
            else:
                out.append(char)
                i += 1
    return "".join(out)


def _macro(text: str, i: int, end: int) -> tuple[str, int]:
    """The macro at text[i:] (after its backslash): its text and where reading goes on."""
    if i >= end:
        raise _Unread
    char = text[i]
    if char in "&%$#_{}":
        return char, i + 1
    if char in ACCENTS and not char.isalpha():
        return _accent(char, text, i + 1, end)
    word = _WORD.match(text, i, end)
    if not word:
        raise _Unread
    name, after = word.group(), word.end()
    if name in ACCENTS:
        while after < end and text[after] == " ":
            after += 1
        return _accent(name, text, after, end)
    if name in LETTERS:
        if text.startswith("{}", after):
            return LETTERS[name], after + 2
        if after < end and (text[after].isalpha() or text[after] == " "):
            raise _Unread  # `\o x`: LaTeX's rules for the space after a control word
        return LETTERS[name], after
    if name in GROUPS or name in {"href", "url"}:
        return _with_groups(name, text, after, end)
    raise _Unread


def _with_groups(name: str, text: str, i: int, end: int) -> tuple[str, int]:
    """\\emph{x} -> x; \\url{u} -> <u>; \\href{u}{x} -> x <u> (as pylatexenc writes them)."""
    first, after = _group(text, i, end)
    if name == "url":
        return f"<{text[first[0] : first[1]]}>", after
    if name == "href":
        second, after = _group(text, after, end)
        return f"{_read(text, *second)} <{text[first[0] : first[1]]}>", after
    return _read(text, *first), after


def _group(text: str, i: int, end: int) -> tuple[tuple[int, int], int]:
    """The braced argument at text[i]: (its inside's span, the index after it)."""
    if i >= end or text[i] != "{":
        raise _Unread
    depth, j = 0, i
    while j < end:
        if text[j] == "\\":
            j += 2
            continue
        depth += {"{": 1, "}": -1}.get(text[j], 0)
        if depth == 0:
            return (i + 1, j), j + 1
        j += 1
    raise _Unread


def _accent(accent: str, text: str, i: int, end: int) -> tuple[str, int]:
    """`\\"u`, `\\"{u}`, `\\"{\\i}`: the letter with its combining mark, composed."""
    if i < end and text[i] == "{":
        (inner_start, inner_end), after = _group(text, i, end)
        inner = text[inner_start:inner_end]
        base = {"\\i": "i", "\\j": "j"}.get(inner, inner)
    elif i < end and text[i].isalpha():
        base, after = text[i], i + 1
    else:
        raise _Unread
    if len(base) != 1:
        raise _Unread
    return unicodedata.normalize("NFC", base + ACCENTS[accent]), after
