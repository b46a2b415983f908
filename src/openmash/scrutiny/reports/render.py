"""One report, three formats: HTML (a document of its own), PDF (that HTML drawn by WeasyPrint) and Word
(python-docx, with the charts as images drawn by CairoSVG). The headings are the same in all three."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string

from .document import Block, Bullets, Chart, Document, Paragraph, Section, Table, Terms

Progress = Callable[[str, int], None]


def _quiet(stage: str, percent: int) -> None:
    return None


@dataclass(frozen=True)
class Rendered:
    content: bytes
    pages: int | None = None


def to_html(document: Document) -> str:
    return render_to_string("scrutiny/report/document.html", {"document": document})


def _fetch_nothing(url: str, *args: object, **kwargs: object) -> dict[str, object]:
    """The report carries its own styles and its charts inline: nothing is fetched while drawing it."""
    raise ValueError(f"Not fetched: {url[:60]}")


def to_pdf(document: Document, progress: Progress = _quiet) -> Rendered:
    # Imported here: WeasyPrint loads Pango and its fonts, which only reports and printouts need.
    from weasyprint import HTML

    progress("Laying out the pages", 40)
    laid_out = HTML(string=to_html(document), url_fetcher=_fetch_nothing).render()
    progress("Writing the PDF", 85)
    return Rendered(laid_out.write_pdf(), pages=len(laid_out.pages))


# Word ---------------------------------------------------------------------------------------------------

CHART_WIDTH_MM = 140


def _png(svg: str) -> bytes:
    import cairosvg

    png = cairosvg.svg2png(bytestring=svg.encode(), output_width=1280, unsafe=False)
    assert isinstance(png, bytes)
    return png


def _docx_block(doc: object, block: Block) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    if isinstance(block, Paragraph):
        doc.add_paragraph(block.text)  # type: ignore[attr-defined]
    elif isinstance(block, Bullets):
        for number, item in enumerate(block.items, start=1):
            if block.numbered:
                # Numbers written out: Word's list numbering would run on from one list to the next.
                p = doc.add_paragraph(f"{number}. {item}")  # type: ignore[attr-defined]
                p.paragraph_format.left_indent = Mm(6)
                p.paragraph_format.first_line_indent = Mm(-6)
            else:
                doc.add_paragraph(item, style="List Bullet")  # type: ignore[attr-defined]
    elif isinstance(block, Terms):
        for term, text in block.pairs:
            p = doc.add_paragraph()  # type: ignore[attr-defined]
            p.add_run(f"{term}: ").bold = True
            p.add_run(text)
    elif isinstance(block, Table):
        caption = doc.add_paragraph()  # type: ignore[attr-defined]
        caption.add_run(block.caption).bold = True
        table = doc.add_table(rows=1, cols=len(block.head))  # type: ignore[attr-defined]
        table.style = "Table Grid"
        for i, text in enumerate(block.head):
            cell = table.rows[0].cells[i]
            cell.text = ""
            cell.paragraphs[0].add_run(text).bold = True
        for row in block.rows:
            cells = table.add_row().cells
            for i, text in enumerate(row):
                cells[i].text = text
                if i >= block.figures_from:
                    cells[i].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for row in table.rows:
            for cell in row.cells:
                for p in cell.paragraphs:
                    for run in p.runs:
                        run.font.size = Pt(8)
        doc.add_paragraph()  # type: ignore[attr-defined]
    elif isinstance(block, Chart):
        doc.add_picture(io.BytesIO(_png(block.svg)), width=Mm(CHART_WIDTH_MM))  # type: ignore[attr-defined]
        caption = doc.add_paragraph(f"{block.title}. {block.words}")  # type: ignore[attr-defined]
        for run in caption.runs:
            run.font.size = Pt(8)


def _docx_section(doc: object, heading: str, section: Section) -> None:
    doc.add_heading(heading, level=1)  # type: ignore[attr-defined]
    for block in section.blocks:
        _docx_block(doc, block)
    for sub in section.subsections:
        doc.add_heading(sub.title, level=2)  # type: ignore[attr-defined]
        for block in sub.blocks:
            _docx_block(doc, block)


def to_docx(document: Document, progress: Progress = _quiet) -> Rendered:
    import docx

    doc = docx.Document()
    doc.core_properties.title = f"{document.kind_label}: {document.title}"
    doc.core_properties.subject = document.committee
    doc.add_paragraph(document.authority)
    doc.add_heading(document.title, level=0)
    doc.add_paragraph(f"{document.kind_label} to {document.committee}")
    doc.add_paragraph(f"{document.date.day} {document.date:%B %Y}")
    doc.add_paragraph(document.note)
    numbered = document.numbered()
    for done, (label, section) in enumerate(numbered):
        progress(f"Writing “{section.title}”", 20 + 70 * done // max(len(numbered), 1))
        _docx_section(doc, f"{label} {section.title}", section)
    out = io.BytesIO()
    doc.save(out)
    return Rendered(out.getvalue())


def render(document: Document, format: str, progress: Progress = _quiet) -> Rendered:
    if format == "pdf":
        return to_pdf(document, progress)
    if format == "docx":
        return to_docx(document, progress)
    if format == "html":
        return Rendered(to_html(document).encode())
    raise ValueError(f"No such format: {format}")
