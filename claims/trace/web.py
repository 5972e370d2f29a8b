"""Datasette plugin for ``claims trace``: the "Traced candidates" section and the editors'
accept / reject endpoints.

- Template variable ``claims_traced(table, pk)``: what ``_claims_traced.html`` shows under a
  claim's or quote's row (any page may include it with ``traced`` set).
- ``POST /-/claims/trace/<candidate id>/accept`` and ``.../reject``: editors only. The editor is
  the logged-in actor (the role comes from the configured account, see
  :func:`claims.datasette_plugin.current_actor`), never a form field. Cross-site posts are
  refused by Datasette's Sec-Fetch-Site / Origin check, like every other form post. Answers a
  redirect back to the row (``#claims-traced``), or JSON when the request asks for it.

Registered as its own Datasette plugin (entry point ``claims_trace``), so its hooks stay apart
from the main plugin's.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl
from datasette.resources import DatabaseResource, TableResource
from datasette.utils.asgi import Forbidden, NotFound, Response

TABLES = {"claims": ("claim", "claim_id"), "quotes": ("quote", "quote_id")}


def _db_name(datasette) -> str:
    from ..datasette_plugin import database_name

    return database_name(datasette)


def is_editor(actor: Any) -> bool:
    return isinstance(actor, dict) and actor.get("role") == "editor" and bool(actor.get("id"))


async def _can_view(datasette, actor, db_name: str) -> bool:
    if not await datasette.allowed(action="view-database", resource=DatabaseResource(db_name), actor=actor):
        return False
    return all(
        [await datasette.allowed(action="view-table", resource=TableResource(db_name, t), actor=actor)
         for t in ("trace_candidates", "sources")]
    )  # fmt: skip


async def traced_candidates(datasette, request, table: str, pk: Any) -> dict[str, Any] | None:
    if table not in TABLES:
        return None
    kind, column = TABLES[table]
    db_name = _db_name(datasette)
    if db_name not in datasette.databases or not await _can_view(datasette, request.actor, db_name):
        return None
    db = datasette.get_database(db_name)
    try:
        row_id = int(pk)
    except (TypeError, ValueError):
        return None
    if "trace_candidates" not in await db.table_names():
        return None
    rows = [
        dict(r)
        for r in await db.execute(
            f"""select t.id, t.rank, t.score, t.why, t.found_by, t.status, t.decided_by, t.decided_at,
                       json_extract(t.verification, '$.result') as verification,
                       s.id as source_id, s.key, s.title, s.doi, s.year
                from trace_candidates t join sources s on s.id = t.source_id
                where t.{column} = ? order by t.status = 'rejected', t.rank, t.id""",
            [row_id],
        )
    ]
    for r in rows:
        r["accept_url"] = datasette.urls.path(f"/-/claims/trace/{r['id']}/accept")
        r["reject_url"] = datasette.urls.path(f"/-/claims/trace/{r['id']}/reject")
        r["source_url"] = datasette.urls.row(db_name, "sources", str(r["source_id"]))
    return {"kind": kind, "rows": rows, "can_decide": is_editor(request.actor)}


async def decide_view(request, datasette) -> Response:
    import sqlite_utils

    from ..db import transaction
    from .record import DecisionError, decide

    if request.method != "POST":
        return Response.text("POST to accept or reject a traced candidate", status=405)
    # Permission first, identity from the login only.
    actor = request.actor
    if not is_editor(actor):
        raise Forbidden("Log in as an editor to accept or reject traced candidates")
    db_name = _db_name(datasette)
    if db_name not in datasette.databases or not await _can_view(datasette, actor, db_name):
        raise Forbidden("You may not see the traced candidates")
    db = datasette.get_database(db_name)
    candidate_id = int(request.url_vars["id"])
    decision = request.url_vars["decision"]
    found = list(await db.execute("select quote_id, claim_id from trace_candidates where id = ?", [candidate_id]))
    if not found:
        raise NotFound(f"No traced candidate with id {candidate_id}")
    table, record_id = ("quotes", found[0][0]) if found[0][0] is not None else ("claims", found[0][1])

    def write(conn) -> dict[str, Any]:
        database = sqlite_utils.Database(conn)
        with transaction(database):
            return decide(database, candidate_id, decision, str(actor["id"]))

    wants_json = "application/json" in (request.headers.get("accept") or "")
    try:
        result = await db.execute_write_fn(write)
    except DecisionError as e:
        if wants_json:
            return Response.json({"ok": False, "error": str(e)}, status=400)
        return Response.text(str(e), status=400)
    if wants_json:
        return Response.json({"ok": True, **result})
    return Response.redirect(datasette.urls.row(db_name, table, str(record_id)) + "#claims-traced")


@hookimpl
def extra_template_vars(datasette, request):
    async def claims_traced(table: str, pk: Any) -> dict[str, Any] | None:
        return await traced_candidates(datasette, request, table, pk)

    return {"claims_traced": claims_traced}


@hookimpl
def register_routes():
    return [(r"^/-/claims/trace/(?P<id>\d+)/(?P<decision>accept|reject)$", decide_view)]
