"""Datasette output renderers (``.bib``, ``.ris``, ``.csljson``) and resolver links for identifiers.

Any table or query whose rows have a ``csl`` column (and a ``key`` column for citation keys)
can be fetched as a citation list, e.g. ``/claims/sources.bib?type=article-journal`` or
``/claims/citation_list.ris?article_id=1``. The hooks themselves live in
``claims.datasette_plugin``; this module holds what they call.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from datasette.utils.asgi import Response
from markupsafe import Markup

from .export import to_bibtex, to_csl_json, to_ris

CONTENT_TYPES = {
    "bib": "application/x-bibtex; charset=utf-8",
    "ris": "application/x-research-info-systems; charset=utf-8",
    "csljson": "application/vnd.citationstyles.csl+json; charset=utf-8",
}
WRITERS = {"bib": to_bibtex, "ris": to_ris, "csljson": to_csl_json}
RESOLVERS = {
    "doi": "https://doi.org/{}",
    "retraction_doi": "https://doi.org/{}",
    "pmid": "https://pubmed.ncbi.nlm.nih.gov/{}/",
    "pmcid": "https://www.ncbi.nlm.nih.gov/pmc/articles/{}/",
}


def can_render(columns: list[str]) -> bool:
    return "csl" in columns


def items_from_rows(rows: list[Any]) -> list[dict[str, Any]]:
    items = []
    for row in rows:
        row = dict(row)
        if not row.get("csl"):
            continue
        item = json.loads(row["csl"])
        if row.get("key"):
            item["id"] = row["key"]
        items.append(item)
    return items


def _renderer(extension: str):
    def render(rows, columns, table, query_name) -> Response:  # noqa: ARG001
        if "csl" not in columns:
            return Response.text(f"This {extension} view needs a csl column (select sources.csl)", status=400)
        body = WRITERS[extension](items_from_rows(rows))
        name = table or query_name or "citations"
        return Response(
            body,
            content_type=CONTENT_TYPES[extension],
            headers={"Content-Disposition": f'inline; filename="{name}.{extension}"'},
        )

    return render


def output_renderers() -> list[dict[str, Any]]:
    return [{"extension": ext, "render": _renderer(ext), "can_render": can_render} for ext in WRITERS]


def identifier_link(value: Any, column: str) -> Markup | None:
    """DOI, PMID and PMCID cells as links to their resolvers (the value is escaped)."""
    if column not in RESOLVERS or not isinstance(value, str) or not value.strip():
        return None
    href = RESOLVERS[column].format(quote(value.strip(), safe="/:;()._-"))
    return Markup('<a href="{}">{}</a>').format(href, value)
