"""HTML articles, parsed with selectolax (Lexbor).

The article body is the first <article>, else <main>, else <body>, with navigation, headers,
footers, asides, forms and scripts removed. Hyperlinks are kept with the text they cover.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..models import BlockKind, Document
from . import TextBuilder

BOILERPLATE = "script, style, noscript, template, nav, header, footer, aside, form, svg, iframe, button"
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
BLOCKS = HEADINGS | {"p", "li", "blockquote", "figcaption", "dd", "dt", "pre", "td", "th"}
CONTAINERS = BLOCKS | {"div", "section", "article", "main", "ul", "ol", "dl", "figure", "table",
                       "tbody", "thead", "tr", "body", "details", "summary", "hr"}
SKIP = {"pre", "img", "br"}


def _has_block_child(node: LexborNode) -> bool:
    return any(child.tag in CONTAINERS for child in node.iter())


def _inline(builder: TextBuilder, node: LexborNode) -> None:
    for child in node.iter(include_text=True):
        if child.tag == "-text":
            builder.add_text(child.text_content or "")
        elif child.tag == "br":
            builder.add_space()
        elif child.tag == "a":
            builder.open_link(child.attributes.get("href") or "")
            _inline(builder, child)
            builder.close_link()
        elif child.tag in ("img", "-comment"):
            continue
        else:
            _inline(builder, child)


def _walk(builder: TextBuilder, node: LexborNode, in_quote: bool, in_item: bool) -> None:
    tag = node.tag
    if tag in SKIP:
        return
    if tag in HEADINGS:
        kind: BlockKind = "title" if tag == "h1" and not builder.blocks else "heading"
        builder.start_block()
        _inline(builder, node)
        builder.end_block(kind, int(tag[1]))
        return
    if tag in BLOCKS - {"pre"} and not _has_block_child(node):
        kind = "blockquote" if in_quote or tag == "blockquote" else "list_item" if in_item or tag == "li" else "paragraph"
        builder.start_block()
        _inline(builder, node)
        builder.end_block(kind)
        return
    for child in node.iter(include_text=True):
        if child.tag == "-text":
            # Loose text directly inside a container is a paragraph of its own.
            if (child.text_content or "").strip():
                builder.start_block()
                builder.add_text(child.text_content or "")
                builder.end_block("blockquote" if in_quote else "paragraph")
        elif child.tag in ("-comment",):
            continue
        else:
            _walk(builder, child, in_quote or tag == "blockquote", in_item or tag == "li")


def _inside(node: LexborNode, tag: str) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag == tag:
            return True
        parent = parent.parent
    return False


def read(text: str) -> Document:
    tree = LexborHTMLParser(text)
    title_node = tree.css_first("title")
    title = title_node.text(strip=True) if title_node else None
    for node in tree.css(BOILERPLATE):
        # A <footer> inside a <blockquote> is the quotation's credit line, not page chrome.
        if node.tag == "footer" and _inside(node, "blockquote"):
            continue
        node.decompose()
    root = tree.css_first("article") or tree.css_first("main") or tree.body
    builder = TextBuilder()
    if root is not None:
        _walk(builder, root, False, False)
    doc = builder.document("html")
    h1 = next((doc.text[b.start : b.end] for b in doc.blocks if b.kind == "title"), None)
    return doc.model_copy(update={"title": h1 or title or doc.title})
