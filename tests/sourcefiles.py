"""Real source files for the evidence tests: PDFs written with fpdf2 (with a text layer, without
one, encrypted with pypdf) and HTML pages. Not a test module: the attach and verify tests share it."""

from __future__ import annotations

import html
import io
from pathlib import Path

from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

# A made-up source: each paragraph carries one of the test cases. Page 1 holds the first three.
PAGES = [
    [
        "Results. Despite the limited sample sizes, the data suggest cumulative benefits over time, "
        "particularly in terms of wrinkle depth reduction and dermal firmness. Follow-up ended at "
        "twelve weeks.",
        "The authors add that \u201cmicrocurrent isn\u2019t burning fat\u201d in any measurable way.",
        # The explicit line break after "signifi-" is how PDF text extraction returns a word
        # hyphenated at the end of a printed line.
        "In the cell experiments, microcurrent stimulation signifi-\ncantly suppressed TLR2 "
        "expression in treated cultures.",
    ],
    [
        "Anatomy. The subcutaneous layer is primarily composed of adipose tissue interspersed with a "
        "network of fibrous septa. Across the cohort, its thickness is highly variable across "
        "different facial regions and changes dynamically with age.",
    ],
]

# (case, quotation as an article prints it, expected result for a PDF, for HTML)
CASES = [
    ("verbatim", "the data suggest cumulative benefits over time", "verbatim", "verbatim"),
    ("curly_vs_straight", "microcurrent isn't burning fat", "normalised", "normalised"),
    ("hyphenated_line_break", "Microcurrent stimulation significantly suppressed TLR2 expression", "normalised", "normalised"),
    (
        "one_word_changed",
        "Despite the limited sample sizes, the data suggest cumulative benefits over time, particularly "
        "in terms of wrinkle depth increase and dermal firmness.",
        "altered",
        "altered",
    ),
    (
        "ending_changed",
        "The data suggest cumulative benefits over time, particularly in terms of facial tightness and "
        "contour enhancement.",
        "altered",
        "altered",
    ),
    (
        "ellipsis",
        "The subcutaneous layer is primarily composed of adipose tissue interspersed with a network of "
        "fibrous septa\u2026 its thickness is highly variable across different facial regions and "
        "changes dynamically with age.",
        "verbatim",
        "verbatim",
    ),
    (
        "absent",
        "Home beauty devices using microcurrent resulted in visible improvements in facial contouring\u2026 "
        "with minimal adverse effects.",
        "not_found",
        "not_found",
    ),
]
# The words each altered case changes: (source words dropped, quoted words added), in order.
CHANGED = {
    "one_word_changed": (["reduction"], ["increase"]),
    "ending_changed": (["wrinkle depth reduction", "dermal firmness"], ["facial tightness", "contour enhancement"]),
}


def make_pdf(path: Path, pages: list[list[str]] = PAGES) -> Path:
    pdf = FPDF()
    # Helvetica's Windows-1252 encoding covers curly quotes and dashes without a font file.
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_font("helvetica", size=11)
    for paragraphs in pages:
        pdf.add_page()
        for paragraph in paragraphs:
            pdf.multi_cell(0, 6, text=paragraph)
            pdf.ln(4)
    pdf.output(str(path))
    return path


def make_image_only_pdf(path: Path) -> Path:
    """A PDF whose pages carry drawings but no text layer, as a scan does."""
    pdf = FPDF()
    for _ in range(2):
        pdf.add_page()
        pdf.rect(20, 20, 120, 80, style="F")
    pdf.output(str(path))
    return path


def make_encrypted_pdf(path: Path, source: Path) -> Path:
    writer = PdfWriter(clone_from=PdfReader(source))
    # RC4 needs no crypto library in pypdf, so the test runs anywhere pypdf does.
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def make_html(path: Path, pages: list[list[str]] = PAGES) -> Path:
    body = "\n".join(
        f"<p>{html.escape(p.replace('-' + chr(10), ''))}</p>" for paragraphs in pages for p in paragraphs
    )
    path.write_text(
        "<!doctype html><html><head><title>A made-up study</title><script>var x = '<p>not text</p>';</script>"
        f"</head><body><nav>Home | About</nav><article>{body}</article></body></html>",
        encoding="utf-8",
    )
    return path
