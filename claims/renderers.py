"""Datasette output renderers (``.bib``, ``.ris``, ``.csljson``) and resolver links for identifiers.

Any table or query whose rows have a ``csl`` column (and a ``key`` column for citation keys)
can be fetched as a citation list, e.g. ``/claims/sources.bib?type=article-journal`` or
``/claims/citation_list.ris?article_id=1``. The file holds every matching row, not one page:
a table's further pages are read through Datasette's own JSON API (same filters, same actor),
and a query cut at ``max_returned_rows`` is run again without the cut, on its own read-only
connection in a worker thread. Files are streamed batch by batch and formatted off the event
loop; anonymous exports are capped at :data:`ANONYMOUS_EXPORT_ROWS` rows. The hooks themselves live
in ``claims.datasette_plugin``; this module holds what they call.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import queue
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote, urlencode

from datasette.utils import named_parameters
from datasette.utils.asgi import AsgiStream, Response
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


# Anonymous visitors may export at most this many rows in one file (docs/SECURITY.md); a
# logged-in reviewer's export is not capped. Either way the file is streamed in batches that are
# formatted in a worker thread, so a large export never holds up other requests.
ANONYMOUS_EXPORT_ROWS = 100_000
BATCH_ROWS = 500
# A table's further pages are read through its JSON API this many rows at a time: Datasette
# builds and encodes each page on the event loop: pages of 1,000 (``_size=max``) held other
# requests 590-700 ms at load 12, pages of 200 held them 225-280 ms and the export ran faster.
TABLE_PAGE_ROWS = 200
# A whole-query export (a query cut at max_returned_rows, run again) may take this long.
EXPORT_TIME_LIMIT_S = 120.0
# How each format joins two batches, and what goes around the whole file.
SEPARATORS = {"bib": "\n\n", "ris": "\n", "csljson": ",\n"}


def _csl_json_batch(items: list[dict[str, Any]]) -> str:
    # The items of a JSON array, indented as to_csl_json indents them; the brackets are added
    # around the whole stream.
    return ",\n".join("  " + json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n  ") for item in items)


BATCH_WRITERS = {"bib": to_bibtex, "ris": to_ris, "csljson": _csl_json_batch}


def format_batch(extension: str, rows: list[Any]) -> str:
    items = items_from_rows(rows)
    return BATCH_WRITERS[extension](items) if items else ""


# Query-string arguments that shape one page of a table, not which rows it holds.
_PAGE_ARGS = {"_next", "_size", "_extra", "_facet", "_facet_array", "_facet_date", "_shape", "_nocount", "_nofacet"}


def _table_args(request) -> list[tuple[str, str]]:
    return [(k, v) for k in request.args.keys() if k not in _PAGE_ARGS for v in request.args.getlist(k)]


async def _table_count(datasette, request, database: str, table: str) -> int | None:
    """How many rows the table's filters match, through its JSON API (None if too slow to count)."""
    path = datasette.urls.table(database, table, format="json")
    query = urlencode([*_table_args(request), ("_size", "1"), ("_extra", "count"), ("_nofacet", "1")])
    response = await datasette.client.get(f"{path}?{query}", actor=request.actor)
    if response.status_code != 200:
        raise RuntimeError(f"HTTP {response.status_code} counting {table}")
    count = response.json().get("count")
    return count if isinstance(count, int) else None


async def _rest_of_table(datasette, request, database: str, table: str, next_token: str) -> AsyncIterator[list[Any]]:
    """Every row after the first page, page by page, through the table's JSON API."""
    # Never more than the server's max_returned_rows, which Datasette refuses as a _size.
    size = min(TABLE_PAGE_ROWS, int(datasette.setting("max_returned_rows") or TABLE_PAGE_ROWS))
    args = [*_table_args(request), ("_size", str(size)), ("_nocount", "1"), ("_nofacet", "1")]
    path = datasette.urls.table(database, table, format="json")
    read = 0
    while next_token:
        query = urlencode([*args, ("_next", next_token)])
        response = await datasette.client.get(f"{path}?{query}", actor=request.actor)
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code} reading {table} after row {read}")
        page = response.json()
        rows = page.get("rows") or []
        read += len(rows)
        yield rows
        next_token = page.get("next")
        # Let other requests in between two pages, even when the client reads fast.
        await asyncio.sleep(0)


def _query_rows(path: str, sql: str, params: dict[str, Any], out: queue.Queue, stop: threading.Event) -> None:
    """Run the whole query on its own read-only connection, in a worker thread, and hand its rows
    to the response in batches (the queue is small, so a slow client slows the query, and a
    client that goes away stops it)."""
    from .security import prepare_connection

    deadline = time.monotonic() + EXPORT_TIME_LIMIT_S
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    try:
        conn.row_factory = sqlite3.Row
        prepare_connection(conn, None, None)
        conn.set_progress_handler(lambda: int(stop.is_set() or time.monotonic() > deadline), 10_000)
        cursor = conn.execute(sql, params)
        while batch := cursor.fetchmany(BATCH_ROWS):
            out.put([dict(row) for row in batch])
        out.put(None)
    except sqlite3.Error as e:
        out.put(RuntimeError("the query took too long" if "interrupt" in str(e) else str(e)))
    finally:
        conn.close()


async def _query_batches(path: str, sql: str, params: dict[str, Any]) -> AsyncIterator[list[Any]]:
    out: queue.Queue = queue.Queue(maxsize=4)
    stop = threading.Event()
    worker = threading.Thread(target=_query_rows, args=(path, sql, params, out, stop), daemon=True)
    worker.start()
    try:
        while (batch := await asyncio.to_thread(out.get)) is not None:
            if isinstance(batch, Exception):
                raise batch
            yield batch
    finally:
        stop.set()
        while worker.is_alive():
            # Unblock a worker waiting to put a batch nobody will read.
            with contextlib.suppress(queue.Empty):
                out.get_nowait()
            await asyncio.sleep(0.01)


async def _too_many(datasette, request, sql, truncated, database, table, data) -> str | None:
    """Why an anonymous export is refused (over the cap, or too slow to count), else None."""
    if request.actor:
        return None
    limit = f"anonymous exports are limited to {ANONYMOUS_EXPORT_ROWS:,} rows"
    if table and (data or {}).get("next"):
        count = await _table_count(datasette, request, database, table)
    elif truncated and sql:
        params = {name: request.args.get(name, "") for name in named_parameters(sql)}
        try:
            results = await datasette.get_database(database).execute(f"select count(*) from ({sql})", params)
        except Exception:  # noqa: BLE001 - Datasette raises QueryInterrupted and sqlite3 errors
            return f"{limit}, and this query is too slow to count; log in or narrow it"
        count = results.first()[0]
    else:
        return None
    if count is None:
        return f"{limit}, and this table is too large to count; log in or narrow the filters"
    if count > ANONYMOUS_EXPORT_ROWS:
        return f"{limit} and this one has {count:,}; log in, narrow it, or use `claims export citations`"
    return None


def _batches(datasette, request, rows, sql, truncated, database, table, data) -> AsyncIterator[list[Any]] | str:
    """The rows of the whole table or query in batches, or why they cannot all be had."""
    rows = list(rows)
    next_token = (data or {}).get("next") if table else None

    async def chained(first: list[Any], rest: AsyncIterator[list[Any]] | None) -> AsyncIterator[list[Any]]:
        if first:
            yield first
        if rest is not None:
            async for batch in rest:
                yield batch

    if next_token:
        return chained(rows, _rest_of_table(datasette, request, database, table, str(next_token)))
    if truncated and sql:
        names = named_parameters(sql)
        if any(name.startswith("_") for name in names):
            # Magic parameters (:_actor_id...) are Datasette's to fill: do not guess them.
            return f"this query returned more than {len(rows)} rows; narrow it or use `claims export citations`"
        params = {name: request.args.get(name, "") for name in names}
        # The whole query again, first page included.
        return chained([], _query_batches(datasette.get_database(database).path, sql, params))
    return chained(rows, None)


class StreamingResponse(Response):
    """A Response (what Datasette expects of a renderer) whose body is written as it is made."""

    def __init__(self, stream_fn, headers: dict[str, str], content_type: str) -> None:
        super().__init__(body=None, headers=headers, content_type=content_type)
        self.stream_fn = stream_fn

    async def asgi_send(self, send) -> None:
        await AsgiStream(self.stream_fn, self.status, self.headers, self.content_type).asgi_send(send)


def _renderer(extension: str):
    async def render(datasette, request, rows, columns, sql, truncated, database, table, query_name, data):
        if "csl" not in columns:
            return Response.text(f"This {extension} view needs a csl column (select sources.csl)", status=400)
        try:
            refused = await _too_many(datasette, request, sql, truncated, database, table, data)
        except RuntimeError as e:
            return Response.text(f"Not exported: {e}", status=502)
        batches = refused or _batches(datasette, request, rows, sql, truncated, database, table, data)
        if isinstance(batches, str):
            return Response.text(f"Not exported: {batches}", status=400)

        async def stream(writer) -> None:
            if extension == "csljson":
                await writer.write("[\n")
            wrote = False
            try:
                async for batch in batches:
                    text = await asyncio.to_thread(format_batch, extension, batch)
                    if text:
                        await writer.write((SEPARATORS[extension] if wrote else "") + text)
                        wrote = True
            except RuntimeError as e:
                # Headers are gone already: end the file with a line no parser takes for data.
                await writer.write(f"\n\nNot exported in full: {e}\n")
                return
            if extension == "csljson":
                await writer.write("\n]\n" if wrote else "]\n")

        name = table or query_name or "citations"
        return StreamingResponse(
            stream,
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
