"""A report's content, independent of its format: what `build` writes and `render` lays out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Paragraph:
    text: str
    kind: str = "paragraph"


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]
    numbered: bool = False
    kind: str = "bullets"


@dataclass(frozen=True)
class Terms:
    """Terms and their descriptions: the scoping template, the contact officer."""

    pairs: tuple[tuple[str, str], ...]
    kind: str = "terms"


@dataclass(frozen=True)
class Table:
    caption: str
    head: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    # Columns from this one on hold figures (right-aligned).
    figures_from: int = 1
    kind: str = "table"


@dataclass(frozen=True)
class Chart:
    """A chart drawn as SVG, with its figures in words for those who cannot see it."""

    title: str
    svg: str
    words: str
    kind: str = "chart"


Block = Paragraph | Bullets | Terms | Table | Chart


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)

    def add(self, *blocks: Block) -> Section:
        self.blocks.extend(blocks)
        return self


@dataclass
class Document:
    title: str
    kind_label: str
    committee: str
    date: dt.date
    sections: list[Section]
    appendices: list[Section] = field(default_factory=list)
    authority: str = ""
    note: str = "This report holds aggregate figures only. Counts from 1 to 5 are shown as “c”."

    @property
    def headings(self) -> list[str]:
        """Every heading, in order: the numbered sections, their subsections and the appendices."""
        found = []
        for number, section in enumerate(self.sections, start=1):
            found.append(f"{number}. {section.title}")
            found.extend(sub.title for sub in section.subsections)
        for letter, appendix in zip("ABCDEFGHIJ", self.appendices, strict=False):
            found.append(f"Appendix {letter}: {appendix.title}")
            found.extend(sub.title for sub in appendix.subsections)
        return found

    def numbered(self) -> list[tuple[str, Section]]:
        return [(f"{n}.", s) for n, s in enumerate(self.sections, start=1)] + [
            (f"Appendix {letter}:", s) for letter, s in zip("ABCDEFGHIJ", self.appendices, strict=False)
        ]
