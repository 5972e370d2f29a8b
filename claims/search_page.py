"""The reviewers' full-text search page, ``/-/claims/search?q=``: claims, quotes and sources.

Kept apart from :mod:`claims.datasette_plugin`, which registers the route; the page reuses the
plugin's database and permission helpers.
"""

from __future__ import annotations

from typing import Any

from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from .limits import fts_terms

# Control characters FTS puts around a match: they cannot occur in escaped text.
MARK_OPEN, MARK_CLOSE = "\x02", "\x03"


def highlight(snippet: str | None) -> Markup:
    """Escape an FTS snippet, then turn its control-character marks into <mark> tags."""
    escaped = str(escape(snippet or ""))
    return Markup(escaped.replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>"))


# FTS ranks a bounded candidate set: the first SEARCH_CANDIDATES matches of each table (not
# every match of a word in a million claims), of which the best 200 are shown. CROSS JOIN keeps
# the FTS index the outer loop: left to itself, SQLite scanned every source (or every quote of
# every current article) and probed the index once per row, 6-10 s at 100,000 sources.
SEARCH_CANDIDATES = 1000
SEARCH_SQL = f"""
select * from (
  select 'claim' as kind, c.id, c.article_id,
         snippet(claims_fts, 0, '{MARK_OPEN}', '{MARK_CLOSE}', '…', 24) as snippet, claims_fts.rank as rank
  from claims_fts cross join claims c on c.rowid = claims_fts.rowid
  cross join articles a on a.id = c.article_id and (a.is_current or :all)
  where claims_fts match :q limit {SEARCH_CANDIDATES}
)
union all
select * from (
  select 'quote', q.id, q.article_id,
         snippet(quotes_fts, -1, '{MARK_OPEN}', '{MARK_CLOSE}', '…', 24), quotes_fts.rank
  from quotes_fts cross join quotes q on q.rowid = quotes_fts.rowid
  cross join articles a on a.id = q.article_id and (a.is_current or :all)
  where quotes_fts match :q limit {SEARCH_CANDIDATES}
)
union all
select * from (
  select 'source', s.id, null,
         coalesce(s.title, s.key) || ' — ' || snippet(sources_fts, -1, '{MARK_OPEN}', '{MARK_CLOSE}', '…', 24),
         sources_fts.rank
  from sources_fts cross join sources s on s.rowid = sources_fts.rowid
  where sources_fts match :q limit {SEARCH_CANDIDATES}
)
order by rank
limit 200
"""


async def search_page(request, datasette) -> Response:
    # Imported here: the plugin module imports this one to register the route.
    from . import datasette_plugin as plugin

    db_name = plugin.database_name(datasette)
    db = plugin.claims_database(datasette, db_name)
    await plugin._ensure_view(datasette, request, db_name, "claims", "quotes", "sources")
    q = (request.args.get("q") or "").strip()
    results: dict[str, list[dict[str, Any]]] = {"claim": [], "quote": [], "source": []}
    # Current versions of articles only, unless ?all=1 asks for earlier versions too.
    every = request.args.get("all") == "1"
    # fts_terms quotes every term and drops quotes and control characters, so user input
    # cannot be FTS syntax (or an error).
    if terms := fts_terms(q):
        for row in await plugin._rows(db, SEARCH_SQL, {"q": terms, "all": int(every)}):
            table = row["kind"] + "s"
            row["url"] = datasette.urls.row(db_name, table, str(row["id"]))
            row["snippet"] = highlight(row["snippet"])
            results[row["kind"]].append(row)
    context = {
        "q": q,
        "all_versions": every,
        "results": results,
        "total": sum(len(v) for v in results.values()),
        "claims_css_url": plugin.css_url(datasette),
    }
    return Response.html(await datasette.render_template("claims_search.html", context, request=request))


