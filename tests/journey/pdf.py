"""Reading back what a PDF from WeasyPrint says, without a PDF library: its bookmarks.

WeasyPrint makes a bookmark of every heading, and each chronology entry's title is a heading, so the bookmarks
list the entries a printed chronology holds. Objects may sit in compressed object streams, so every stream is
inflated first."""

from __future__ import annotations

import re
import zlib

_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_TITLE = re.compile(rb"/Title\s*(?:\(((?:\\.|[^\\)])*)\)|<([0-9A-Fa-f]*)>)")


def _literal(raw: bytes) -> str:
    return re.sub(rb"\\(.)", rb"\1", raw).decode("latin-1")


def _hex(raw: bytes) -> str:
    data = bytes.fromhex(raw.decode())
    return data[2:].decode("utf-16-be") if data.startswith(b"\xfe\xff") else data.decode("latin-1")


def bookmarks(pdf: bytes) -> list[str]:
    """The PDF's bookmark titles (and its document title), in the order they are stored."""
    assert pdf.startswith(b"%PDF-"), "not a PDF"
    parts = [pdf]
    for match in _STREAM.finditer(pdf):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue  # images and fonts may use other filters
    titles = []
    for part in parts:
        for literal, hexed in _TITLE.findall(part):
            titles.append(_hex(hexed) if hexed else _literal(literal))
    return titles
