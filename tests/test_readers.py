"""Readers: plain text, Markdown and HTML into normalised text with blocks and links."""

from __future__ import annotations

import pytest

from claims.readers import ReadError, decode, parse, read_path
from tests.conftest import EXAMPLE


def block_texts(doc, kind=None):
    return [doc.text[b.start : b.end] for b in doc.blocks if kind is None or b.kind == kind]


def test_plain_text_example_structure():
    doc = read_path(EXAMPLE)
    assert doc.format == "text"
    assert doc.title.startswith("How a Skin Stimulator Trains Your Face")
    items = block_texts(doc, "list_item")
    # Bullet characters and their indentation are not part of the list item's text.
    assert "A subtle, lifted look" in items
    assert not any(item.startswith(("•", " ")) for item in items)
    headings = block_texts(doc, "heading")
    assert "CONCLUSION" in headings
    assert "The SMAS and Muscle Tone: Foundation of Facial Movement" in headings
    # A paragraph that introduces a quotation ends in ":" and is not a heading.
    assert "As one study noted:" in block_texts(doc, "paragraph")
    # Blocks are separated by exactly one blank line.
    for a, b in zip(doc.blocks, doc.blocks[1:], strict=False):
        assert doc.text[a.end : b.start] == "\n\n"


def test_plain_text_normalises_whitespace_and_line_endings():
    doc = parse("Title Line\r\n\r\nA  sentence\twith   gaps.\r\n", "text", "t.txt")
    assert doc.text == "Title Line\n\nA sentence with gaps."


def test_question_heading_needs_title_case():
    doc = parse("Intro\n\nIs This A Heading?\n\nis this one?\n\nBody text here.", "text", "t.txt")
    assert "Is This A Heading?" in block_texts(doc, "heading")
    assert "is this one?" in block_texts(doc, "paragraph")


MARKDOWN = """# Vitamin Claims

Some *emphasis* and a [linked study](https://doi.org/10.1000/xyz123) here.

> A block quotation
> over two lines.

- first item
- second [item](https://example.org/a)

```
code is not article text
```

See doi:10.5555/abc.def. for more.
"""


def test_markdown_blocks_and_links():
    doc = parse(MARKDOWN, "markdown", "m.md")
    assert doc.title == "Vitamin Claims"
    assert block_texts(doc, "blockquote") == ["A block quotation over two lines."]
    assert block_texts(doc, "list_item") == ["first item", "second item"]
    assert "code is not article text" not in doc.text
    assert "*" not in doc.text
    by_href = {link.href: doc.text[link.start : link.end] for link in doc.links}
    assert by_href["https://doi.org/10.1000/xyz123"] == "linked study"
    assert by_href["https://example.org/a"] == "item"
    dois = {link.doi for link in doc.links if link.doi}
    # Trailing sentence punctuation is not part of a DOI printed in text.
    assert dois == {"10.1000/xyz123", "10.5555/abc.def"}


HTML = """<!doctype html><html><head><title>Site | Page</title>
<script>var tracking = "nope";</script></head>
<body><nav><a href="/">Home</a> Menu</nav>
<article><h1>The Article</h1>
<p>First   paragraph with a <a href="https://example.org/study">study link</a>.</p>
<blockquote><p>Quoted words here.</p></blockquote>
<ul><li>One</li><li>Two <b>bold</b></li></ul>
<p>Ref: <a href="https://dx.doi.org/10.1234/ABC.5">doi</a></p>
</article><footer>Copyright footer</footer></body></html>"""


def test_html_extracts_article_without_boilerplate():
    doc = parse(HTML, "html", "p.html")
    assert doc.title == "The Article"
    for junk in ("tracking", "Menu", "Copyright", "Home"):
        assert junk not in doc.text
    assert block_texts(doc, "paragraph")[0] == "First paragraph with a study link."
    assert block_texts(doc, "blockquote") == ["Quoted words here."]
    assert block_texts(doc, "list_item") == ["One", "Two bold"]
    links = {link.href: (doc.text[link.start : link.end], link.doi) for link in doc.links}
    assert links["https://example.org/study"] == ("study link", None)
    assert links["https://dx.doi.org/10.1234/ABC.5"] == ("doi", "10.1234/ABC.5")


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "file is empty"),
        (b"   \n\n ", "file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
        (b"caf\xe9 au lait", "not valid UTF-8 (byte 0xe9 at offset 3)"),
    ],
)
def test_decode_rejects_bad_bytes(data, message):
    with pytest.raises(ReadError, match=message.replace("(", r"\(").replace(")", r"\)")):
        decode(data, "x.txt")


def test_read_path_errors_name_the_file(tmp_path):
    with pytest.raises(ReadError, match="no such file"):
        read_path(tmp_path / "missing.txt")
    with pytest.raises(ReadError, match="is a directory"):
        read_path(tmp_path)
    odd = tmp_path / "article.docx"
    odd.write_text("hello")
    with pytest.raises(ReadError, match=r"article\.docx: unknown extension '\.docx'"):
        read_path(odd)
    big = tmp_path / "big.txt"
    big.write_text("word " * 100)
    with pytest.raises(ReadError, match="over the size limit of 50 bytes"):
        read_path(big, max_bytes=50)
    markup_only = tmp_path / "empty.html"
    markup_only.write_text("<html><body><script>x()</script></body></html>")
    with pytest.raises(ReadError, match="no article text found"):
        read_path(markup_only)


def test_doi_inside_a_link_is_one_link():
    doc = parse('<article><p>See <a href="https://doi.org/10.1371/x.1">doi:10.1371/x.1</a>.</p></article>', "html", "d.html")
    assert [(link.href, link.doi) for link in doc.links] == [("https://doi.org/10.1371/x.1", "10.1371/x.1")]


def test_blockquote_footer_is_kept_as_its_credit():
    doc = parse(
        "<article><blockquote><p>Sleep is a skill.</p><footer>— Dr. Ana Ruiz</footer></blockquote>"
        "<footer>site footer</footer></article>",
        "html",
        "q.html",
    )
    assert block_texts(doc, "blockquote") == ["Sleep is a skill.", "— Dr. Ana Ruiz"]
    assert "site footer" not in doc.text
