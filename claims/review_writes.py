"""The reviewers' writes (the writable stored queries in datasette.yaml: ``flag_claim``,
``flag_quote``, ``resolve_claim``, ``resolve_quote``) on a short path.

Why: Datasette answers a POST to a trusted stored query by first analysing its SQL for a
``VACUUM`` (``Database.analyze_sql``): it opens a fresh connection on the single write thread,
parses the whole schema and runs ``EXPLAIN`` with a Python authorizer over the insert and every
trigger it fires (2,300 opcodes for a flag). That cost about 25 ms of the write thread per flag,
three times the write itself, and capped a whole server at about 26 flags a second
(bench/review_load.py, issue 11).

This route takes the POST for those queries only and does what Datasette's own handler does,
less the analysis, which cannot find anything in them:

- the same CSRF check and login: the route sits inside Datasette's router, behind its
  cross-origin middleware, and ``request.actor`` is the actor Datasette resolved (with this
  plugin's check against the configured accounts);
- the same single permission check (``view-query`` on the stored query: its ``allow`` block);
- the same body parsing and magic parameters (``:_actor_id`` comes from the login, never the
  form; a posted ``_actor_id`` is ignored), and one ``execute_write`` on Datasette's write thread,
  so the triggers that keep flags append-only and check every value run as before;
- the same answers: JSON ``{"ok": ..., "message": ..., "redirect": ...}`` for
  ``Accept: application/json``, otherwise a message and a redirect.

Anything else (a GET of the query's page, another database, a query whose SQL could vacuum, a
query that is not a trusted config query) goes to Datasette's own view unchanged.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from datasette.resources import QueryResource
from datasette.utils import error_body
from datasette.utils.asgi import Forbidden, Response
from datasette.views.database import MagicParameters
from datasette.views.table import table_view


def write_query_names(datasette) -> list[str]:
    """The writable stored queries the configuration defines, in any database."""
    names: set[str] = set()
    for db_config in ((datasette.config or {}).get("databases") or {}).values():
        for name, query in ((db_config or {}).get("queries") or {}).items():
            if isinstance(query, dict) and query.get("write") and name.replace("_", "").isalnum():
                names.add(name)
    return sorted(names)


def routes(datasette) -> list[tuple[str, Any]]:
    names = write_query_names(datasette)
    if not names:
        return []
    return [(rf"^/(?P<database>[^/.]+)/(?P<table>{'|'.join(names)})$", review_write)]


def _short_path_applies(stored_query) -> bool:
    return (
        stored_query is not None
        and stored_query.is_write
        and stored_query.is_trusted
        and stored_query.source == "config"
        # Datasette runs a VACUUM outside a transaction, and a message query after the write:
        # leave such queries to it.
        and "vacuum" not in stored_query.sql.lower()
        and not stored_query.on_success_message_sql
    )


def _params(body: bytes) -> dict[str, str]:
    """The posted parameters, parsed as Datasette parses a stored query's POST."""
    text = body.decode("utf-8").strip()
    if text.startswith("{") and text.endswith("}"):
        params = {key: str(value) for key, value in json.loads(text).items()}
    else:
        params = dict(parse_qsl(text, keep_blank_values=True))
    params.pop("csrftoken", None)
    return params


def _rows_affected(count: int) -> str:
    # Datasette's wording when a query has no on_success_message.
    return "Query executed" if count == -1 else f"Query executed, {count} row{'' if count == 1 else 's'} affected"


async def review_write(datasette, request):
    database, name = request.url_vars["database"], request.url_vars["table"]
    if request.method != "POST" or database not in datasette.databases:
        return await table_view(datasette, request)
    stored_query = await datasette.get_query(database, name)
    if not _short_path_applies(stored_query):
        return await table_view(datasette, request)
    db = datasette.get_database(database)
    if not await datasette.allowed(
        action="view-query", resource=QueryResource(database=database, query=name), actor=request.actor
    ):
        raise Forbidden("You do not have permission to view this query")
    if not db.is_mutable:
        raise Forbidden("Database is immutable")
    try:
        params = _params(await request.post_body())
    except (UnicodeDecodeError, ValueError, AttributeError):
        params = None
    wants_json = bool(
        request.headers.get("accept") == "application/json"
        or request.args.get("_json")
        or (params or {}).get("_json")
    )
    if params is None:
        message, ok, redirect_url = "The request body is not a form or a JSON object", False, None
    else:
        magic = MagicParameters(stored_query.sql, params, request, datasette)
        await magic.execute_params()
        try:
            cursor = await db.execute_write(stored_query.sql, magic, request=request)
            message = stored_query.on_success_message or _rows_affected(cursor.rowcount)
            ok, redirect_url = True, stored_query.on_success_redirect
        except Exception as e:  # noqa: BLE001 - as Datasette's handler: the trigger's message is the answer
            message = stored_query.on_error_message or str(e)
            ok, redirect_url = False, stored_query.on_error_redirect
    if wants_json:
        if ok:
            return Response.json({"ok": True, "message": message, "redirect": redirect_url})
        return Response.json(dict(error_body([message], 400), redirect=redirect_url), status=400)
    datasette.add_message(request, message, datasette.INFO if ok else datasette.ERROR)
    return Response.redirect(redirect_url or request.path)
