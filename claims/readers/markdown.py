"""Markdown articles, parsed with markdown-it-py (CommonMark)."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..models import BlockKind, Document
from . import TextBuilder

_md = MarkdownIt("commonmark")


def _inline(builder: TextBuilder, children: list[Token]) -> None:
    for tok in children:
        if tok.type in ("text", "code_inline", "html_inline"):
            if tok.type != "html_inline":
                builder.add_text(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            builder.add_space()
        elif tok.type == "link_open":
            builder.open_link(str(tok.attrs.get("href") or ""))
        elif tok.type == "link_close":
            builder.close_link()
        elif tok.type == "image":
            # Alt text is not article prose.
            continue


def read(text: str) -> Document:
    builder = TextBuilder()
    tokens = _md.parse(text)
    # Which container each paragraph sits in decides its block kind.
    stack: list[str] = []
    heading_level: int | None = None
    for tok in tokens:
        if tok.type in ("blockquote_open", "list_item_open"):
            stack.append(tok.type)
        elif tok.type in ("blockquote_close", "list_item_close"):
            stack.pop()
        elif tok.type == "heading_open":
            heading_level = int(tok.tag[1:])
        elif tok.type == "heading_close":
            heading_level = None
        elif tok.type == "inline":
            kind: BlockKind
            level = None
            if heading_level is not None:
                kind = "title" if heading_level == 1 and not builder.blocks else "heading"
                level = heading_level
            elif "blockquote_open" in stack:
                kind = "blockquote"
            elif "list_item_open" in stack:
                kind = "list_item"
            else:
                kind = "paragraph"
            builder.start_block()
            _inline(builder, tok.children or [])
            builder.end_block(kind, level)
    return builder.document("markdown")
