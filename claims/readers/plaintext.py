"""Plain-text articles, as blog posts are often pasted.

Conventions (those of the built-in example): one block per line, blank lines between blocks;
a line starting with a bullet is a list item; a short line without end punctuation is a
heading, and the first such line is the title.
"""

from __future__ import annotations

import re

from ..models import Document
from . import TextBuilder

BULLET_RE = re.compile(r"^\s*(?:[•◦▪‣·*\-–]|\d+[.)])\s+")
# Sentence-ending punctuation (closing quotes and brackets may follow it).
END_PUNCTUATION_RE = re.compile(r"[.!:;,…][\"'”’)\]]*\s*$")
QUOTE_OPENERS = "\"“„«'‘"
MAX_HEADING_WORDS = 16


def is_heading(line: str) -> bool:
    words = line.split()
    if not words or len(words) > MAX_HEADING_WORDS:
        return False
    if line.lstrip()[0] in QUOTE_OPENERS:
        return False
    stripped = line.rstrip()
    if stripped.endswith("?"):
        # A question is a heading only when it is set in title case, as headings are.
        capitalised = sum(1 for w in words if w[:1].isupper())
        return capitalised / len(words) >= 0.6
    return not END_PUNCTUATION_RE.search(stripped)


def read(text: str) -> Document:
    builder = TextBuilder()
    first = True
    for line in text.split("\n"):
        if not line.strip():
            continue
        bullet = BULLET_RE.match(line)
        if first and not bullet and is_heading(line):
            builder.add_block("title", line, level=1)
        elif bullet:
            builder.add_block("list_item", line[bullet.end() :])
        elif is_heading(line):
            builder.add_block("heading", line, level=2)
        else:
            builder.add_block("paragraph", line)
        first = False
    return builder.document("text")
