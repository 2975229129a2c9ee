"""From uploaded bytes to checked text: size, binary content, encoding, and the format."""

from __future__ import annotations

import codecs
import re
from pathlib import PurePath

FORMATS = ("bibtex", "ris", "csljson", "csv", "yaml")
EXTENSIONS = {".bib": "bibtex", ".bibtex": "bibtex", ".ris": "ris", ".json": "csljson", ".csljson": "csljson",
              ".csv": "csv", ".yaml": "yaml", ".yml": "yaml"}  # fmt: skip
DEFAULT_MAX_BYTES = 8 * 1024 * 1024


class FileRefused(Exception):
    """The file cannot be read at all; the message names the file and says why."""


def detect_format(filename: str, text: str) -> str:
    """The format named by the extension, else guessed from the first characters."""
    by_extension = EXTENSIONS.get(PurePath(filename).suffix.lower())
    if by_extension:
        return by_extension
    start = text.lstrip("\ufeff \r\n\t")[:200]
    if start.startswith("@"):
        return "bibtex"
    if start.startswith("TY  -"):
        return "ris"
    if start[:1] in "[{":
        return "csljson"
    raise FileRefused(f"{filename}: cannot tell the format; name it (bibtex, ris, csljson, csv or yaml)")


def decode(data: bytes, filename: str, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, str | None]:
    """The file as text, and a note when it was not UTF-8: refused when too large, binary, or in an encoding
    it does not declare (naming the line of the first bad byte).

    Libraries write other encodings in two ways we can read without guessing: a byte-order mark (UTF-16 from
    Windows tools; UTF-8's own is skipped) and JabRef's first line `% Encoding: windows-1252`, which its
    older versions write above every non-UTF-8 file. Without either, bytes that are not UTF-8 are refused:
    guessing Latin-1 would turn a misnamed file's text into the wrong letters without a word.
    """
    if len(data) > max_bytes:
        raise FileRefused(
            f"{filename}: {len(data) / 1e6:.1f} MB is over the import limit of {max_bytes / 1e6:.1f} MB "
            "(CEILING_IMPORT_MAX_BYTES); split the file"
        )
    for bom, codec in UTF16_BOMS:
        if data.startswith(bom):
            return _decoded(
                data[len(bom) :], codec, filename
            ), f"{filename}: read as {codec.upper()} (its byte-order mark)"
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise FileRefused(
            f"{filename}:{line}: holds NUL bytes: a binary file, or UTF-16 without a byte-order mark; "
            "save it as UTF-8 text"
        )
    declared = _declared_encoding(data)
    if declared is None or codecs.lookup(declared).name == "utf-8":
        return _decoded(data, "utf-8-sig", filename), None
    if not data.isascii() and _is_utf8(data):  # re-saved as UTF-8 under its old line: the bytes say which
        return _decoded(data, "utf-8-sig", filename), (
            f"{filename}: read as UTF-8, which its bytes are, although its first line says `% Encoding: {declared}`"
        )
    return _decoded(data, declared, filename), f"{filename}: read as {declared} (its `% Encoding:` line)"


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


UTF16_BOMS = ((codecs.BOM_UTF16_BE, "utf-16-be"), (codecs.BOM_UTF16_LE, "utf-16-le"))
ENCODING_LINE = re.compile(
    rb"\A(?:\xef\xbb\xbf)?%[ \t]*Encoding:[ \t]*([A-Za-z0-9_.:-]{1,40})[ \t]*\r?\n", re.IGNORECASE
)


def _declared_encoding(data: bytes) -> str | None:
    """The encoding JabRef's first line names, when Python knows it."""
    found = ENCODING_LINE.match(data)
    if found is None:
        return None
    name = found.group(1).decode("ascii")
    try:
        codecs.lookup(name)
    except LookupError:
        return None
    return name


def _decoded(data: bytes, codec: str, filename: str) -> str:
    """The text; a file whose lines end in CR alone (classic Mac OS, old JabRef) gets LF line ends."""
    try:
        text = data.decode(codec)
        return text.replace("\r", "\n") if "\r" in text and "\n" not in text else text
    except UnicodeDecodeError as error:
        unit = 2 if codec.startswith("utf-16") else 1
        line = data[: error.start - error.start % unit].decode(codec, errors="replace").count("\n") + 1
        said = "UTF-8 (a Latin-1 or Windows-1252 file?)" if codec == "utf-8-sig" else codec
        raise FileRefused(
            f"{filename}:{line}: byte 0x{data[error.start]:02x} is not {said}; save it as UTF-8"
        ) from None
