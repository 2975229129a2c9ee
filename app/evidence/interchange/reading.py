"""From uploaded bytes to checked text: size, binary content, encoding, and the format."""

from __future__ import annotations

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


def decode(data: bytes, filename: str, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The file as text: refused when too large, binary, or not UTF-8 (naming the line of the first bad byte)."""
    if len(data) > max_bytes:
        raise FileRefused(
            f"{filename}: {len(data) / 1e6:.1f} MB is over the import limit of {max_bytes / 1e6:.1f} MB "
            "(CEILING_IMPORT_MAX_BYTES); split the file"
        )
    if b"\x00" in data[:65536] or b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise FileRefused(f"{filename}:{line}: holds NUL bytes: a binary file, or UTF-16; save it as UTF-8 text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FileRefused(
            f"{filename}:{line}: byte 0x{data[error.start]:02x} is not UTF-8 (a Latin-1 or Windows-1252 file?); "
            "save it as UTF-8"
        ) from None
