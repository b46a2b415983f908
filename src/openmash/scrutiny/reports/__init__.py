"""Committee reports: a review's interim, final or update report and the quarterly performance pack.

`build` gathers a report's content as a `document.Document` (sections of paragraphs, lists, tables and charts,
aggregates only); `render` writes that one document as HTML, PDF (WeasyPrint) or Word (python-docx), so the
three formats say the same thing under the same headings. `services` asks for a report and `tasks` makes it in
the background, with progress for the person who asked.
"""
