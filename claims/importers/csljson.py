"""CSL-JSON and CSL-YAML: Zotero's and Better BibTeX's exports, citation-js, pandoc's ``references:``.

A file that is not JSON/YAML at all is refused; inside it, each item is salvaged or rejected
alone. The editor's ``notes``/``candidate_for`` keys (data/sources.yml) are kept.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from ..sources import SourceError
from .common import ReadResult, salvage


def _items(data: Any, name: str) -> list[Any]:
    if isinstance(data, dict) and isinstance(data.get("references"), list):
        return data["references"]  # pandoc's CSL-YAML (and its front matter): references: [...]
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        return data["items"]
    if isinstance(data, dict):
        return [data]
    if isinstance(data, list):
        return data
    if data is None:
        return []
    raise SourceError(f"{name}: expected a list of CSL items (or pandoc's references:)")


def _json_lines(text: str, count: int) -> list[int]:
    """The line each top-level item starts on: objects opening at the list's first depth."""
    lines, depth, number, in_string, escape = [], 0, 1, False, False
    for ch in text:
        if ch == "\n":
            number += 1
        if in_string:
            escape = not escape and ch == "\\"
            if ch == '"' and not escape:
                in_string = False
            continue
        if ch == '"':
            in_string, escape = True, False
        elif ch in "[{":
            depth += 1
            if ch == "{" and depth == 2:
                lines.append(number)
        elif ch in "]}":
            depth -= 1
    return lines if len(lines) == count else [1] * count


def read_csl_json(text: str, name: str) -> ReadResult:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise SourceError(f"{name} line {e.lineno}: not valid JSON ({e.msg})") from None
    items = _items(data, name)
    lines = _json_lines(text, len(items)) if isinstance(data, list) else [1] * len(items)
    return _read(items, [f"{name} entry {i + 1} (line {line})" for i, line in enumerate(lines)])


def _yaml_lines(text: str, name: str) -> tuple[Any, list[int]]:
    # Front matter: a Markdown file's `---` block, or a YAML stream whose first document is it.
    try:
        documents = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
        data = next(iter(yaml.safe_load_all(text)), None)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise SourceError(f"{name}{where}: not valid YAML ({getattr(e, 'problem', e)})") from None
    root = documents[0] if documents else None
    nodes: list[Any] = []
    if isinstance(root, yaml.SequenceNode):
        nodes = root.value
    elif isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value in ("references", "items") and isinstance(value, yaml.SequenceNode):
                nodes = value.value
    return data, [n.start_mark.line + 1 for n in nodes]


def read_csl_yaml(text: str, name: str) -> ReadResult:
    body = text
    if re.match(r"^---\s*\n", text) and re.search(r"\n(?:---|\.\.\.)\s*(?:\n|$)", text[3:]):
        body = re.split(r"\n(?:---|\.\.\.)\s*(?:\n|$)", text[3:], maxsplit=1)[0]
        body = "\n" + body  # keep line numbers: the `---` line was line 1
    data, lines = _yaml_lines(body, name)
    items = _items(data, name)
    if len(lines) != len(items):
        lines = [1] * len(items)
    return _read(items, [f"{name} line {line}" for line in lines])


def _read(items: list[Any], places: list[str]) -> ReadResult:
    result = ReadResult()
    seen: dict[str, str] = {}
    for i, (item, where) in enumerate(zip(items, places, strict=True)):
        if not isinstance(item, dict):
            result.reject(where, f"entry {i + 1} is not a mapping of CSL fields")
            continue
        item = dict(item)
        key = str(item["id"]) if item.get("id") not in (None, "") else None
        if not item.get("type"):
            result.warn(where, "no type: read as document", key)
            item["type"] = "document"
        if key and key in seen:
            result.warn(where, f"duplicate id {key} (first at {seen[key]}): imported under a new key", key)
            item["id"] = ""
            key = None
        elif key:
            seen[key] = where
        record = salvage(item, where, result, key=key)
        if record is not None:
            result.records.append(record)
    return result
