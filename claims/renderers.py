"""Datasette output renderers (``.bib``, ``.ris``, ``.csljson``) and resolver links for identifiers.

Any table or query whose rows have a ``csl`` column (and a ``key`` column for citation keys)
can be fetched as a citation list, e.g. ``/claims/sources.bib?type=article-journal`` or
``/claims/citation_list.ris?article_id=1``. The file holds every matching row, not one page:
a table's further pages are read through Datasette's own JSON API (same filters, same actor),
and a query cut at ``max_returned_rows`` is run again without the cut. The hooks themselves live
in ``claims.datasette_plugin``; this module holds what they call.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

from datasette.utils import named_parameters
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


# Query-string arguments that shape one page of a table, not which rows it holds.
_PAGE_ARGS = {"_next", "_size", "_extra", "_facet", "_facet_array", "_facet_date", "_shape", "_nocount", "_nofacet"}


async def _rest_of_table(datasette, request, database: str, table: str, next_token: str) -> list[dict[str, Any]]:
    """Every row after the first page, page by page, through the table's JSON API."""
    args = [(k, v) for k in request.args.keys() if k not in _PAGE_ARGS for v in request.args.getlist(k)]
    args += [("_size", "max"), ("_nocount", "1"), ("_nofacet", "1")]
    path = datasette.urls.table(database, table, format="json")
    rows: list[dict[str, Any]] = []
    while next_token:
        query = urlencode([*args, ("_next", next_token)])
        response = await datasette.client.get(f"{path}?{query}", actor=request.actor)
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code} reading {table} after row {len(rows)}")
        page = response.json()
        rows.extend(page.get("rows") or [])
        next_token = page.get("next")
    return rows


async def all_rows(datasette, request, rows, sql, truncated, database, table, data) -> list[Any] | str:
    """The rows of the whole table or query, or why they cannot all be had (a message)."""
    rows = list(rows)
    next_token = (data or {}).get("next") if table else None
    if next_token:
        return rows + await _rest_of_table(datasette, request, database, table, str(next_token))
    if truncated and sql:
        names = named_parameters(sql)
        if any(name.startswith("_") for name in names):
            # Magic parameters (:_actor_id...) are Datasette's to fill: do not guess them.
            return f"this query returned more than {len(rows)} rows; narrow it or use `claims export citations`"
        params = {name: request.args.get(name, "") for name in names}
        results = await datasette.get_database(database).execute(sql, params)
        return list(results.rows)
    return rows


def _renderer(extension: str):
    async def render(datasette, request, rows, columns, sql, truncated, database, table, query_name, data) -> Response:
        if "csl" not in columns:
            return Response.text(f"This {extension} view needs a csl column (select sources.csl)", status=400)
        try:
            every = await all_rows(datasette, request, rows, sql, truncated, database, table, data)
        except RuntimeError as e:
            return Response.text(f"Not exported: {e}", status=502)
        if isinstance(every, str):
            return Response.text(f"Not exported: {every}", status=400)
        body = WRITERS[extension](items_from_rows(every))
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
