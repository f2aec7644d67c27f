"""Documents as PDF: the same `word.Document` a Word file is written from, drawn by WeasyPrint.

A cover (title, what identifies the document, its records' date), then each section. Dated by
the document's `as_of` and identified by its subject, never by the clock, so the same records
give the same PDF.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC
from typing import Any

import weasyprint
from django.conf import settings
from django.template.loader import render_to_string

from governance.tables import as_text
from reports.exports.word import Block, Document, Facts, Grid, Subheading

TEMPLATE = "reports/exports/pdf/document.html"


@dataclass(frozen=True)
class Shown:
    """One block as the template draws it: its kind and its text."""

    kind: str  # paragraph, subheading, facts or grid
    text: str = ""
    headers: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()


def _shown(block: Block) -> Shown:
    if isinstance(block, Facts):
        return Shown("facts", rows=tuple((label, as_text(value)) for label, value in block.rows))
    if isinstance(block, Grid):
        rows = tuple(tuple(as_text(value) for value in row) for row in block.rows)
        return Shown("grid", text=block.empty, headers=block.headers, rows=rows)
    if isinstance(block, Subheading):
        return Shown("subheading", text=block.text)
    return Shown("paragraph", text=block)


def context_of(document: Document) -> dict[str, Any]:
    """What the template draws: every block in words, numbered sections."""
    instant = document.as_of.astimezone(UTC).replace(microsecond=0)
    return {
        "document": document,
        "cover": _shown(document.cover).rows if document.cover else (),
        "sections": [
            (number, section.heading, [_shown(block) for block in section.blocks])
            for number, section in enumerate(document.sections, start=1)
        ],
        "as_of_pdf": instant.isoformat().replace("+00:00", "Z"),
    }


def to_pdf(document: Document) -> bytes:
    """The document as a PDF/A-3b file."""
    html = render_to_string(TEMPLATE, context_of(document))
    identifier = uuid.uuid5(uuid.NAMESPACE_URL, f"attest:{document.subject}:{document.as_of}")
    return weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        pdf_variant="pdf/a-3b", pdf_identifier=identifier.hex.encode()
    )
