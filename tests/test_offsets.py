"""Every extracted record is anchored exactly: offsets index ``doc.text`` and the W3C context is right.

Checked on the example and test articles, then as a Hypothesis property over generated articles
(plain text, Markdown and HTML) full of quotes, apostrophes, ellipses, unicode, bullets and headings.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from claims.extract import extract
from claims.models import CONTEXT_CHARS, Document, Extraction
from claims.readers import ReadError, parse, read_path

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = [
    ROOT / "data" / "articles" / "skin-stimulator-trains-your-face.txt",
    *sorted((Path(__file__).resolve().parent / "articles").glob("*.*")),
]


def assert_anchored(doc: Document, ex: Extraction) -> None:
    text = doc.text
    for record in [*ex.quotes, *ex.claims]:
        assert text[record.start : record.end] == record.text
        assert record.text and record.text == record.text.strip()
        assert record.prefix == text[max(0, record.start - CONTEXT_CHARS) : record.start]
        assert record.suffix == text[record.end : record.end + CONTEXT_CHARS]
    for quote in ex.quotes:
        assert quote.fragments, "every quote has at least one fragment"
        assert [f.seq for f in quote.fragments] == list(range(len(quote.fragments)))
        previous_end = quote.start
        for fragment in quote.fragments:
            assert text[fragment.start : fragment.end] == fragment.text
            assert previous_end <= fragment.start < fragment.end <= quote.end
            previous_end = fragment.end
        if quote.kind != "source":
            assert quote.attribution is None and quote.attribution_kind == "none"
    for claim in ex.claims:
        assert 0.0 <= claim.checkworthiness <= 1.0
        assert claim.quote_index is None or 0 <= claim.quote_index < len(ex.quotes)
    for finding in ex.findings:
        assert finding.message
        for index, records in ((finding.quote_index, ex.quotes), (finding.related_quote_index, ex.quotes),
                               (finding.claim_index, ex.claims)):
            assert index is None or 0 <= index < len(records)


@pytest.mark.parametrize("path", ARTICLES, ids=[p.name for p in ARTICLES])
def test_articles_are_anchored(path: Path) -> None:
    doc = read_path(path)
    assert_anchored(doc, extract(doc))


def test_sections_are_preceding_headings() -> None:
    doc = read_path(ARTICLES[0])
    ex = extract(doc)
    headings = [b for b in doc.blocks if b.kind == "heading"]
    for record in [*ex.quotes, *ex.claims]:
        before = [h for h in headings if h.start <= record.start]
        expected = doc.text[before[-1].start : before[-1].end] if before else None
        assert record.section == expected


# ---------------------------------------------------------------------------------------------
# Generated articles
# ---------------------------------------------------------------------------------------------

WORDS = st.sampled_from([
    "microcurrent", "magnesium", "skin", "muscles", "study", "review", "experts", "may", "help",
    "only", "more", "than", "reduces", "300", "4%", "naïve", "café", "NF-κB", "TNF-α", "ß", "日本",
    "🙂", "it’s", "don't", "users’", "’90s", "rock ’n’ roll", "Dr.", "e.g.", "U.S.", "a.m.",
    "(SMAS)", "–", "—", "so-called", "the", "and", "is", "was", "said", "noted", "One", "Jane",
    "Smith", "FDA", "&", "<b>", "*", "_", "#", "`", "\\", "[link](http://x.org)",
    "doi:10.1000/xyz123", "…", "...", ":",
])
PHRASE = st.lists(WORDS, min_size=1, max_size=8).map(" ".join)
QUOTED = st.one_of(
    PHRASE.map(lambda p: f"“{p}”"),
    PHRASE.map(lambda p: f'"{p}"'),
    PHRASE.map(lambda p: f"‘{p}’"),
    PHRASE.map(lambda p: f"'{p}'"),
    st.tuples(PHRASE, PHRASE).map(lambda t: f"“{t[0]} ‘{t[1]}’ …”"),
    st.tuples(PHRASE, PHRASE).map(lambda t: f"“{t[0]}… {t[1]}”"),
    st.tuples(PHRASE, PHRASE).map(lambda t: f'"{t[0]} [...] {t[1]}"'),
    PHRASE.map(lambda p: f"“{p}"),  # an unclosed quote
    st.just("”"),
    st.just('"'),
)
ENDING = st.sampled_from([".", "?", "!", ":", "…", "", ".”", "?”", " 🙂 ."])
SENTENCE = st.tuples(st.lists(st.one_of(PHRASE, QUOTED), min_size=1, max_size=4), ENDING).map(
    lambda t: " ".join(t[0]) + t[1]
)
PARAGRAPH = st.lists(SENTENCE, min_size=1, max_size=4).map(" ".join)
BLOCK = st.one_of(
    PARAGRAPH.map(lambda p: ("paragraph", p)),
    PHRASE.map(lambda p: ("heading", p)),
    PARAGRAPH.map(lambda p: ("bullet", p)),
    PARAGRAPH.map(lambda p: ("quote", p)),
    st.tuples(PHRASE, PARAGRAPH).map(lambda t: ("lead_in", f"{t[0]}:\n\n“{t[1]}”")),
)
ARTICLE = st.lists(BLOCK, min_size=1, max_size=10)


def as_plain_text(blocks: list[tuple[str, str]]) -> str:
    lines = []
    for kind, body in blocks:
        lines.append({"bullet": f"• {body}", "quote": f"“{body}”"}.get(kind, body))
    return "\n\n".join(lines) + "\n"


def as_markdown(blocks: list[tuple[str, str]]) -> str:
    lines = []
    for kind, body in blocks:
        lines.append({"heading": f"## {body}", "bullet": f"- {body}", "quote": f"> {body}"}.get(kind, body))
    return "\n\n".join(lines) + "\n"


def as_html(blocks: list[tuple[str, str]]) -> str:
    # The words go in unescaped on purpose: "<b>", "&" and friends are markup the reader must
    # survive, and whatever text it keeps must still be what the offsets index.
    parts = []
    for kind, body in blocks:
        body = body.replace("\n\n", "</p><p>")
        parts.append({"heading": f"<h2>{body}</h2>", "bullet": f"<ul><li>{body}</li></ul>",
                      "quote": f"<blockquote><p>{body}</p></blockquote>"}.get(kind, f"<p>{body}</p>"))  # fmt: skip
    return "<!doctype html><html><head><title>Generated</title></head><body><article>" + "".join(parts) + "</article></body></html>"


FORMATS = {"text": as_plain_text, "markdown": as_markdown, "html": as_html}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ARTICLE, st.sampled_from(sorted(FORMATS)))
def test_generated_articles_are_anchored(blocks: list[tuple[str, str]], fmt: str) -> None:
    source = FORMATS[fmt](blocks)
    try:
        doc = parse(source, fmt, "generated")  # type: ignore[arg-type]
    except ReadError:
        assume(False)
        raise
    assert_anchored(doc, extract(doc))


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=400))
def test_arbitrary_text_never_crashes(source: str) -> None:
    try:
        doc = parse(source, "text", "arbitrary")
    except ReadError:
        assume(False)
        raise
    assert_anchored(doc, extract(doc))
