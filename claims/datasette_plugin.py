"""Datasette plugin: the reviewers' pages, permissions and row actions.

Hooks are module-level functions named after the hook, as Datasette's own plugins do.

Pages (all under ``/-/claims/``, each checks permissions before reading anything):

- ``/-/claims/articles/<id>``: the article with every claim and quote highlighted by status.
- ``/-/claims/search?q=``: full-text search across claims, quotes and sources.
- ``/-/claims/flag/<claims|quotes>/<id>`` and ``/-/claims/resolve/...``: the flag and
  resolution forms. They post to the writable stored queries in ``datasette.yaml``; the plugin
  never writes itself, so the reviewer always comes from ``:_actor_id``.

Who is logged in (``actor_from_request``): the signed ``ds_actor`` cookie only says which login
it was issued to. The plugin keeps an actor only while that name is a configured account (the
``actors`` that ``claims serve`` gives datasette-auth-passwords) and takes the role from there,
so removing or demoting a reviewer takes effect at the next request (claims.accounts re-reads the
accounts file when it changes), old cookies included. A
Datasette without configured accounts therefore has no logged-in actors at all.

Which database (``startup``): the pages, queries and metadata all use the name ``claims``;
``claims serve`` names the file it serves in the plugin setting ``database_file`` and the
plugin re-attaches that file under ``claims``, whatever the file is called.

Other engineers add ``register_output_renderer`` hooks to this module: keep hooks independent.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path
from typing import Any

from datasette import hookimpl
from datasette.database import Database
from datasette.resources import DatabaseResource, QueryResource, TableResource
from datasette.utils import await_me_maybe
from datasette.utils.asgi import Forbidden, NotFound, Response
from jinja2 import ChoiceLoader, FileSystemLoader
from markupsafe import Markup

from . import pages, review_writes
from .accounts import OverrideLoader, current_actor, login_redirect, next_param, refresh_accounts
from .annotate import Span, segments
from .flags import STATUSES, VERDICT_LABELS, VERDICTS
from .limits import route_id, sqlite_id
from .models import CONTEXT_CHARS
from .pagination import HOME_PAGE_SIZE, next_page_url
from .renderers import identifier_link, output_renderers
from .reviewers import CLAIMS_PLUGIN
from .search_page import search_page

# CLAIMS_PLUGIN and AUTH_PLUGIN: the plugin-config names `claims serve` writes
# (reviewers.serve_config) and this module reads.
HERE = Path(__file__).parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"
DEFAULT_DATABASE = "claims"
# table -> (kind, id column, status view, flag query, resolve query)
# The article page lists findings in this order (kinds not named here come last).
FINDING_ORDER = (
    "retracted_source", "near_duplicate_quote", "near_duplicate_quote_across_articles",
    "population_mismatch", "intervention_mismatch", "possible_overstatement", "no_attribution",
    "vague_attribution", "no_supporting_source",
)  # fmt: skip

REVIEWABLE = {
    "claims": ("claim", "claim_id", "claim_status", "flag_claim", "resolve_claim"),
    "quotes": ("quote", "quote_id", "quote_status", "flag_quote", "resolve_quote"),
}
STATUS_CSS = {status: status.replace(" ", "-") for status in STATUSES}
# Marks for FTS snippet(): control characters cannot occur in stored text, so after escaping
# the snippet they can be swapped for <mark> tags without letting any article text through.


def database_name(datasette) -> str:
    config = datasette.plugin_config(CLAIMS_PLUGIN) or {}
    return config.get("database") or DEFAULT_DATABASE


def claims_database(datasette, db_name: str):
    """The served claims database, or a 404 that says what is missing (never a KeyError)."""
    if db_name not in datasette.databases:
        raise NotFound(
            f"The claims database {db_name!r} is not being served: start the server with "
            "`claims serve --db FILE`, which serves any database file under that name"
        )
    return datasette.get_database(db_name)


# --- which file is `claims` ----------------------------------------------------------------------


@hookimpl
def startup(datasette):
    async def inner() -> None:
        config = datasette.plugin_config(CLAIMS_PLUGIN) or {}
        name, wanted = database_name(datasette), config.get("database_file")
        if not wanted or name in datasette.databases:
            return
        target = Path(wanted).resolve()
        for current, db in list(datasette.databases.items()):
            if db.path and Path(db.path).resolve() == target:
                # Datasette names a database after its file's stem; metadata.yml, datasette.yaml
                # and the row templates all say `claims`, so re-attach the file under that name.
                datasette.remove_database(current)
                datasette.add_database(Database(datasette, path=db.path, is_mutable=db.is_mutable), name=name)
                await datasette.refresh_schemas(force=True)
                return

    return inner


# --- who is logged in ----------------------------------------------------------------------------


@hookimpl(wrapper=True)
def actor_from_request(datasette, request):  # noqa: ARG001
    # Wraps every actor_from_request hook (Datasette's cookie, tokens, basic auth), so whichever
    # of them recognises the request, its actor is checked against the configuration.
    refresh_accounts(datasette)
    results = yield

    async def checked(result: Any) -> dict[str, Any] | None:
        return current_actor(datasette, await await_me_maybe(result))

    return [checked(result) for result in results]


@hookimpl
def forbidden(datasette, request, message):
    # An anonymous visitor (a private deployment, or the flag form) gets a way to log in.
    wants_json = (
        request.path.endswith(".json")
        or "application/json" in (request.headers.get("accept") or "")
        or request.headers.get("content-type") == "application/json"
    )
    if request.actor or wants_json or request.method != "GET":
        return None

    async def inner() -> Response:
        login_url = datasette.urls.path("/-/login") + next_param(request)
        context = {"message": message, "login_url": login_url, "claims_css_url": css_url(datasette)}
        return Response.html(
            await datasette.render_template("claims_forbidden.html", context, request=request), status=403
        )

    return inner


def css_url(datasette) -> str:
    return datasette.urls.path("/-/claims/static/claims.css")


@hookimpl
def prepare_jinja2_environment(env, datasette):
    # Datasette finds a plugin's templates/ only when its entry point is a package (or on
    # Python 3.12+); ours is the module claims.datasette_plugin, so add the folder here. Appended
    # last, so a --template-dir or Datasette's own templates are never shadowed; only base.html
    # and the login form are replaced, after any --template-dir (claims.accounts).
    first = [FileSystemLoader(datasette.template_dir)] if datasette.template_dir else []
    env.loader = ChoiceLoader([*first, OverrideLoader(TEMPLATES_DIR), env.loader, FileSystemLoader(str(TEMPLATES_DIR))])


@hookimpl
def asgi_wrapper(datasette):  # noqa: ARG001
    return login_redirect


@hookimpl
def extra_css_urls(datasette):
    # Every page, Datasette's own included, has the Log in / Log out link to style.
    return [css_url(datasette)]


async def static_file(request) -> Response:
    # Same reason as above: serve claims/static ourselves. The route pattern admits only plain
    # file names, so no path can escape the folder.
    path = STATIC_DIR / request.url_vars["filename"]
    if not path.is_file():
        raise NotFound("No such file")
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return Response(
        path.read_text(encoding="utf-8"),
        content_type=f"{content_type}; charset=utf-8",
        headers={"Cache-Control": "max-age=3600"},
    )


async def _ensure_view(datasette, request, db_name: str, *tables: str) -> None:
    """Raise Forbidden unless the actor may see every table a page reads from."""
    await datasette.ensure_permission(action="view-database", resource=DatabaseResource(db_name), actor=request.actor)
    for table in tables:
        await datasette.ensure_permission(
            action="view-table", resource=TableResource(db_name, table), actor=request.actor
        )


async def _can_run(datasette, actor, db_name: str, query: str) -> bool:
    return await datasette.allowed(action="view-query", resource=QueryResource(db_name, query), actor=actor)


async def _rows(db, sql: str, params: Any = None) -> list[dict[str, Any]]:
    return [dict(row) for row in (await db.execute(sql, params or []))]


async def _findings(
    datasette, request, db, db_name: str, where: str, params: dict[str, Any], skip: tuple[str, int] | None = None
) -> list[dict[str, Any]]:
    """Findings matching ``where`` (on ``findings f``), most telling first (:data:`FINDING_ORDER`),
    then in article order; each with ``refs``, links to the records it names (bar ``skip``).
    Empty when the actor may not see the findings table."""
    if not await datasette.allowed(action="view-table", resource=TableResource(db_name, "findings"), actor=request.actor):
        return []
    priority = " ".join(f"when '{kind}' then {i}" for i, kind in enumerate(FINDING_ORDER))
    rows = await _rows(
        db,
        f"""
        select f.kind, f.message, f.quote_id, f.related_quote_id, f.claim_id from findings f
        left join quotes q on q.id = f.quote_id left join claims c on c.id = f.claim_id
        where {where}
        order by case f.kind {priority} else {len(FINDING_ORDER)} end, coalesce(q.start, c.start), f.id
        """,
        params,
    )
    for f in rows:
        f["refs"] = [
            {"key": f"{kind}-{f[column]}", "label": f"{kind[0].upper()}{f[column]}",
             "url": datasette.urls.row(db_name, f"{kind}s", str(f[column]))}  # fmt: skip
            for kind, column in (("quote", "quote_id"), ("quote", "related_quote_id"), ("claim", "claim_id"))
            if f[column] and (kind, f[column]) != skip
        ]
    return rows


def _status_class(status: str | None) -> str:
    return STATUS_CSS.get(status or "not reviewed", "not-reviewed")


# --- row pages ---------------------------------------------------------------------------------


def _evidence_html(conn, kind: str, row_id: int) -> Markup:
    import sqlite_utils

    from .evidence import evidence_html

    return evidence_html(sqlite_utils.Database(conn), kind, row_id)  # type: ignore[arg-type]


def _record_versions(conn, table: str, row_id: int) -> dict[str, Any] | None:
    import sqlite_utils

    from .versions import record_versions

    return record_versions(sqlite_utils.Database(conn), table, row_id)


async def _history(db, key: str, record_ids: list[int]) -> list[dict[str, Any]]:
    """Flags and resolutions on these records, oldest first."""
    if not record_ids:
        return []
    marks = ", ".join("?" * len(record_ids))
    flags = await _rows(
        db,
        f"""
        select f.*, s.title as source_title from flags f left join sources s on s.id = f.source_id
        where f.{key} in ({marks}) order by f.id
        """,
        record_ids,
    )
    resolutions = await _rows(
        db,
        f"""
        select r.*, f.{key} from resolutions r join flags f on f.id = r.flag_id
        where f.{key} in ({marks}) order by r.id
        """,
        record_ids,
    )
    history = [{"type": "flag", **f} for f in flags] + [{"type": "resolution", **r} for r in resolutions]
    # A resolution always follows the flag it covers; order by time, then flags before rulings.
    history.sort(key=lambda e: (e["created_at"], e["type"] == "resolution", e["id"]))
    return history


async def row_evidence(datasette, request, table: str, pk: Any) -> dict[str, Any] | None:
    """What a claim's or quote's row page shows under the row: context, sources, history."""
    if table not in REVIEWABLE:
        return None
    kind, key, status_view, flag_query, resolve_query = REVIEWABLE[table]
    db_name = database_name(datasette)
    try:
        db = claims_database(datasette, db_name)
        await _ensure_view(datasette, request, db_name, "flags", "sources", "citations")
        row_id = sqlite_id(pk)
    except (Forbidden, NotFound, TypeError, ValueError):
        return None
    items = await _rows(db, f"select * from [{table}] where id = ?", [row_id])
    if not items:
        return None
    item = items[0]
    status = (await _rows(db, f"select * from {status_view} where {key} = ?", [row_id]) or [{}])[0]
    article = (await _rows(db, "select id, title from articles where id = ?", [item["article_id"]]) or [{}])[0]
    sources = await _rows(
        db,
        f"""
        select s.id, s.key, s.title, s.doi, s.url, s.note as source_note,
               c.relation, c.note, c.added_by
        from citations c join sources s on s.id = c.source_id
        where c.{key} = ? order by c.relation = 'candidate', s.id
        """,
        [row_id],
    )
    # Issue 12: flags on earlier versions count while the text is unchanged; those made before
    # the text was edited are shown apart, as earlier verdicts.
    versions = await db.execute_fn(lambda conn: _record_versions(conn, table, row_id))
    history = await _history(db, key, versions["counted"] if versions else [row_id])
    flags = [e for e in history if e["type"] == "flag" and e[key] == row_id]
    # What the tool found about this record (a near-duplicate names it as either quote); the
    # links skip the record itself.
    other = " or f.related_quote_id = :id" if kind == "quote" else ""
    findings = await _findings(datasette, request, db, db_name, f"f.{key} = :id{other}", {"id": row_id}, (kind, row_id))
    # A claim shows the checks of the quotation it leans on; a quote, its own.
    checked = row_id if kind == "quote" else item.get("quote_id")
    # (shown in their own box at the top, so not repeated among the findings)
    checks = await pages.quote_checks(db, "qc.quote_id = ?", [checked]) if checked else []
    related: list[dict[str, Any]] = []
    if kind == "claim" and item.get("quote_id"):
        related = await _rows(db, "select id, text, attribution from quotes where id = ?", [item["quote_id"]])
    elif kind == "quote":
        related = await _rows(db, "select id, text from claims where quote_id = ? order by id", [row_id])
    return {
        "kind": kind,
        "item": item,
        "status": status,
        "status_class": _status_class(status.get("status")),
        "article": article,
        "article_url": datasette.urls.path(f"/-/claims/articles/{item['article_id']}"),
        "sources": sources,
        "history": history,
        "versions": versions,
        "earlier_history": await _history(db, key, versions["earlier"]) if versions else [],
        "findings": findings,
        "checks": checks,
        "credit": await pages.record_credit(datasette, db, db_name, kind, item),
        "related": related,
        "related_table": "quotes" if kind == "claim" else "claims",
        # Issue 5: link evidence, the quote's verification diff or the claim's candidate excerpts.
        "evidence_html": await db.execute_fn(lambda conn: _evidence_html(conn, kind, row_id)),
        "db_name": db_name,
        "flag_url": datasette.urls.path(f"/-/claims/flag/{table}/{row_id}")
        if await _can_run(datasette, request.actor, db_name, flag_query)
        else None,
        "resolve_url": datasette.urls.path(f"/-/claims/resolve/{table}/{row_id}")
        if flags and await _can_run(datasette, request.actor, db_name, resolve_query)
        else None,
    }


async def source_uses(datasette, request, pk: Any) -> dict[str, Any] | None:
    """What a source's row page shows under the row: every quote and claim that relies on it,
    with the evidence on each link, and its attached text and quote checks."""
    db_name = database_name(datasette)
    try:
        db = claims_database(datasette, db_name)
        await _ensure_view(datasette, request, db_name, "citations", "quotes", "claims", "articles")
        source_id = sqlite_id(pk)
    except (Forbidden, NotFound, TypeError, ValueError):
        return None
    uses = await _rows(
        db,
        """
        select case when c.quote_id is null then 'claim' else 'quote' end as kind,
               coalesce(c.quote_id, c.claim_id) as record_id, coalesce(q.text, cl.text) as text,
               a.id as article_id, a.title as article_title, c.relation, c.stance, c.excerpt,
               c.locator, c.design, c.population, c.population_detail, c.editor_note,
               qc.result as check_result
        from citations c
        left join quotes q on q.id = c.quote_id
        left join claims cl on cl.id = c.claim_id
        join articles a on a.id = coalesce(q.article_id, cl.article_id)
        left join quote_checks qc on qc.quote_id = c.quote_id and qc.source_id = c.source_id
        where c.source_id = ? and a.is_current order by a.id, kind, record_id
        """,
        [source_id],
    )
    text = (await _rows(db, "select chars, page_count, format, file_name from source_texts where source_id = ?", [source_id]) or [None])[0]
    # Issue 12: every key the source was known by; any of them works in `claims link`.
    keys = await _rows(db, "select k.key, k.kind, k.origin from source_keys k where k.source_id = ? order by k.id", [source_id])
    return {
        "source_keys": keys,
        "uses": uses,
        "text": text,
        "db_name": db_name,
        "article_path": lambda i: datasette.urls.path(f"/-/claims/articles/{i}"),
    }


def context_words(prefix: str | None, suffix: str | None) -> tuple[str, str]:
    """The W3C context cut back to whole words for reading ("…ratinocytes and" reads as a
    typo): a prefix or suffix of the full 32 characters was cut mid-text, so its partial first
    (or last) word is dropped and "…" marks the cut; a shorter one reaches the article's start
    or end and is shown whole."""
    prefix, suffix = prefix or "", suffix or ""
    if len(prefix) >= CONTEXT_CHARS:
        prefix = "…" + (re.sub(r"^\S+", "", prefix).lstrip() or prefix)
    if len(suffix) >= CONTEXT_CHARS:
        suffix = (re.sub(r"\S+$", "", suffix).rstrip() or suffix) + "…"
    return prefix, suffix


@hookimpl
def extra_template_vars(datasette, request):
    async def claims_evidence(table: str, pk: Any) -> dict[str, Any] | None:
        return await row_evidence(datasette, request, table, pk)

    async def claims_source_uses(pk: Any) -> dict[str, Any] | None:
        return await source_uses(datasette, request, pk)

    # claims_tracker lets templates say which tool they are part of.
    return {
        "claims_tracker": True,
        # The curated pages' helpers (claims.pages): source summary, findings list, labels...
        **pages.template_vars(datasette, request, lambda: claims_database(datasette, database_name(datasette))),
        "claims_login_next": next_param(request),
        "claims_review_lists": {query for query, _label in REVIEW_LISTS},
        "claims_evidence": claims_evidence,
        "claims_source_uses": claims_source_uses,
        "claims_context": context_words,
        "claims_css_url": css_url(datasette),
        "claims_next_page": lambda stored_query, columns, rows, params=None: next_page_url(
            datasette.urls.table(database_name(datasette), stored_query or "-"), stored_query, columns, rows, params
        ),
    }


@hookimpl
def row_actions(datasette, actor, request, database, table, row):  # noqa: ARG001
    async def inner() -> list[dict[str, str]]:
        if database != database_name(datasette):
            return []
        row_id = row["id"]
        if table == "articles":
            return [
                {
                    "href": datasette.urls.path(f"/-/claims/articles/{row_id}"),
                    "label": "Annotated article",
                    "description": "The article's text with every claim and quote highlighted by review status.",
                }
            ]
        if table not in REVIEWABLE:
            return []
        kind, _key, _view, flag_query, resolve_query = REVIEWABLE[table]
        links = []
        if await _can_run(datasette, actor, database, flag_query):
            links.append(
                {
                    "href": datasette.urls.path(f"/-/claims/flag/{table}/{row_id}"),
                    "label": f"Flag this {kind}",
                    "description": f"Record your verdict on this {kind}, with a reason and the source you checked.",
                }
            )
        if await _can_run(datasette, actor, database, resolve_query):
            links.append(
                {
                    "href": datasette.urls.path(f"/-/claims/resolve/{table}/{row_id}"),
                    "label": f"Resolve the flags on this {kind}",
                    "description": "Editors: rule on the reviewers' flags.",
                }
            )
        return links

    return inner


# --- the flag and resolution forms -------------------------------------------------------------


async def review_form(request, datasette) -> Response:
    action, table = request.url_vars["action"], request.url_vars["table"]
    row_id = route_id(request.url_vars["id"], request.url_vars["table"])
    kind, key, status_view, flag_query, resolve_query = REVIEWABLE[table]
    query = flag_query if action == "flag" else resolve_query
    db_name = database_name(datasette)
    db = claims_database(datasette, db_name)
    # Permission first: the same rule that guards the stored query guards its form.
    if not await _can_run(datasette, request.actor, db_name, query):
        who = "an editor" if action == "resolve" else "a reviewer"
        raise Forbidden(f"Log in as {who} to {action} {table}")
    await _ensure_view(datasette, request, db_name, table, "sources")
    items = await _rows(db, f"select * from [{table}] where id = ?", [row_id])
    if not items:
        raise NotFound(f"No {kind} with id {row_id}")
    status = (await _rows(db, f"select * from {status_view} where {key} = ?", [row_id]) or [{}])[0]
    if action == "resolve" and not status.get("flags"):
        raise NotFound(f"{kind} {row_id} has no flags to resolve")
    # The resolution covers the latest flag the editor saw here; the stored query refuses it if
    # a newer flag arrives while the form is open.
    latest = await _rows(db, f"select max(id) as id from flags where {key} = ?", [row_id])
    # Sources linked to this row come first in the menu; any other source can still be picked.
    sources = await _rows(
        db,
        f"""
        select s.id, s.title, s.key, exists(select 1 from citations c where c.source_id = s.id and c.{key} = ?) as linked
        from sources s order by linked desc, s.id
        """,
        [row_id],
    )
    checked = row_id if kind == "quote" else items[0].get("quote_id")
    context = {
        "checks": await pages.quote_checks(db, "qc.quote_id = ?", [checked]) if checked else [],
        "credit": await pages.record_credit(datasette, db, db_name, kind, items[0]),
        "action": action,
        "kind": kind,
        "table": table,
        "key": key,
        "item": items[0],
        "status": status,
        "status_class": _status_class(status.get("status")),
        "sources": sources,
        "verdicts": [(v, VERDICT_LABELS[v]) for v in VERDICTS],
        "post_url": datasette.urls.table(db_name, query),
        "return_url": datasette.urls.row(db_name, table, str(row_id)),
        "text_field": "reason" if action == "flag" else "note",
        "latest_flag_id": latest[0]["id"],
        "claims_css_url": css_url(datasette),
    }
    return Response.html(await datasette.render_template("claims_review_form.html", context, request=request))


# --- the annotated article ---------------------------------------------------------------------


async def article_page(request, datasette) -> Response:
    db_name = database_name(datasette)
    db = claims_database(datasette, db_name)
    await _ensure_view(datasette, request, db_name, "articles", "claims", "quotes")
    article_id = route_id(request.url_vars["id"], "article")
    found = await _rows(db, "select id, title, url, location, version, text from articles where id = ?", [article_id])
    if not found:
        raise NotFound(f"No article with id {article_id}")
    article = found[0]
    rows = await _rows(
        db,
        """
        select 'claim' as kind, c.id, c.start, c."end", s.status
        from claims c join claim_status s on s.claim_id = c.id where c.article_id = :id
        union all
        select 'quote', q.id, q.start, q."end", s.status
        from quotes q join quote_status s on s.quote_id = q.id where q.article_id = :id
        """,
        {"id": article_id},
    )
    spans = [Span(r["kind"], r["id"], r["start"], r["end"], r["status"]) for r in rows]
    counts = {kind: dict.fromkeys(STATUSES, 0) for kind in ("claim", "quote")}
    for span in spans:
        counts[span.kind][span.status] = counts[span.kind].get(span.status, 0) + 1
    headings = [
        Span("heading", r["id"], r["start"], r["end"])
        for r in await _rows(
            db, "select id, start, \"end\" from blocks where article_id = ? and kind in ('title', 'heading')", [article_id]
        )
    ]
    row_url = {
        "claim": lambda i: datasette.urls.row(db_name, "claims", str(i)),
        "quote": lambda i: datasette.urls.row(db_name, "quotes", str(i)),
    }
    # What the tool found in this article, beside the text, so a reviewer starts from the
    # problems: vague attributions, near-duplicate quotes, mismatched evidence...
    findings = await _findings(datasette, request, db, db_name, "f.article_id = :id", {"id": article_id})
    # Quote checks are findings too: an altered quote is the first thing a reviewer should see.
    checks = await pages.quote_checks(db, "q.article_id = ?", [article_id])
    findings = pages.check_findings(datasette, db_name, checks) + findings
    found_on: dict[str, list[str]] = {}
    for f in findings:
        for ref in f["refs"]:
            found_on.setdefault(ref["key"], []).append(f["kind"].replace("_", " "))
    context = {
        "article": article,
        # Issue 12: the versions of this article and what changed from the previous one.
        **await db.execute_fn(lambda conn: _version_context(conn, article_id, lambda t, i: datasette.urls.row(db_name, t, str(i)))),
        "findings": findings,
        "findings_url": datasette.urls.table(db_name, "findings") + f"?article_id={article_id}",
        "article_url": datasette.urls.row(db_name, "articles", str(article_id)),
        "segments": segments(article["text"], spans + headings),
        "found_on": found_on,
        "checked": pages.worst_checks(checks),
        "counts": counts,
        "statuses": [(s, STATUS_CSS[s]) for s in STATUSES],
        "status_css": STATUS_CSS,
        "row_url": row_url,
        "claims_css_url": css_url(datasette),
    }
    return Response.html(await datasette.render_template("claims_article.html", context, request=request))


def _version_context(conn, article_id: int, row_url) -> dict[str, Any]:
    import sqlite_utils

    from .versions import earlier_versions, version_changes

    db = sqlite_utils.Database(conn)
    changes = version_changes(db, article_id)
    for item in [r for key in ("added", "removed", "edited", "moved") for r in (changes or {}).get(key, [])]:
        item["url"] = row_url(item["table"], item["id"])
        if item.get("carried_from"):
            item["old_url"] = row_url(item["table"], item["carried_from"])
    return {"versions": earlier_versions(db, article_id), "changes": changes}


@hookimpl
def register_routes(datasette):
    # review_writes.routes: the flag and resolve POSTs on a short path (issue 11).
    return [
        *review_writes.routes(datasette),
        (r"^/-/claims/articles/(?P<id>\d+)$", article_page),
        (r"^/-/claims/search$", search_page),
        (r"^/-/claims/static/(?P<filename>[A-Za-z0-9_-]+\.[a-z]+)$", static_file),
        (r"^/-/claims/(?P<action>flag|resolve)/(?P<table>claims|quotes)/(?P<id>\d+)$", review_form),
    ]


# --- navigation and links ------------------------------------------------------------------------


# The review lists: stored queries in datasette.yaml, linked from the menu and the home page.
REVIEW_LISTS = (
    ("needs_review", "Needs review"),
    ("not_supported", "Not supported"),
    ("disputed", "Disputed"),
    ("vague_attributions", "Vague attributions"),
    ("misquotes", "Misquotes"),
    ("population_mismatch", "Population mismatch"),
    ("my_flags", "My flags"),
)


async def review_lists(datasette, actor, db_name: str) -> list[dict[str, str]]:
    """The review lists this actor may open ("My flags" needs a login)."""
    if db_name not in datasette.databases or not await datasette.allowed(
        action="view-database", resource=DatabaseResource(db_name), actor=actor
    ):
        return []
    links = []
    for query, label in REVIEW_LISTS:
        if query == "my_flags" and not actor:
            continue
        if await datasette.get_query(db_name, query) and await _can_run(datasette, actor, db_name, query):
            links.append({"href": datasette.urls.table(db_name, query), "label": label, "query": query})
    return links


@hookimpl
def menu_links(datasette, actor):
    db_name = database_name(datasette)

    async def inner() -> list[dict[str, str]]:
        lists = await review_lists(datasette, actor, db_name)
        if not lists:
            return []
        search = {"href": datasette.urls.path("/-/claims/search"), "label": "Search claims, quotes and sources"}
        return [search, *({"href": link["href"], "label": link["label"]} for link in lists)]

    return inner


@hookimpl
def top_homepage(datasette, request):
    async def inner() -> str:
        db_name = database_name(datasette)
        if db_name not in datasette.databases:
            return ""
        try:
            await _ensure_view(datasette, request, db_name, "articles")
        except Forbidden:
            return ""
        # A page of articles at a time, by keyset (?articles_after=<last id shown>).
        after = request.args.get("articles_after") or ""
        articles = await _rows(
            datasette.get_database(db_name),
            """
            select a.id, a.title, a.version, a.location,
                   (select count(*) from claims where article_id = a.id) as claims,
                   (select count(*) from quotes where article_id = a.id) as quotes
            from articles a where a.is_current and a.id > :after order by a.id limit :limit
            """,
            {"after": int(after) if after.isdigit() else 0, "limit": HOME_PAGE_SIZE + 1},
        )
        more = len(articles) > HOME_PAGE_SIZE
        articles = articles[:HOME_PAGE_SIZE]
        return await datasette.render_template(
            "_claims_home.html",
            {
                "articles": articles,
                "more_articles_url": datasette.urls.path(f"/?articles_after={articles[-1]['id']}") if more else None,
                "review_lists": await review_lists(datasette, request.actor, db_name),
                "claims_css_url": css_url(datasette),
            },
            request=request,
        )

    return inner


# Columns of the review queries and status views that name a row: link them to its page.
LINKED_COLUMNS = {
    "claim_id": "claims",
    "quote_id": "quotes",
    "source_id": "sources",
    "flag_id": "flags",
}


@hookimpl
def render_cell(value, column, table, database, datasette):
    # DOI, PMID and PMCID cells link to their resolvers, in tables and queries alike (issue 3).
    identifier = identifier_link(value, column)
    if identifier is not None:
        return identifier
    # Tables already link their foreign keys; stored queries and views do not.
    if database != database_name(datasette) or table not in (None, "claim_status", "quote_status"):
        return None
    if column in ("article_id", "quote_check", "checkworthiness", *pages.YES_NO_COLUMNS):
        return pages.review_cell(datasette, database, column, value)
    if not isinstance(value, int) or isinstance(value, bool) or column not in LINKED_COLUMNS:
        return None
    return Markup('<a href="{}">{}</a>').format(datasette.urls.row(database, LINKED_COLUMNS[column], str(value)), value)


@hookimpl
def register_output_renderer(datasette):  # noqa: ARG001
    # .bib, .ris and .csljson for any table or query with a csl column (issue 3).
    return output_renderers()


# Issue 11: headers, connection limits and the rate-limited login live in their own modules;
# importing the hooks here registers them with this plugin.
from .login import login_route  # noqa: E402,F401

# Issue 13: per-page work Datasette does that reviewers' pages do not use, kept cheap.
from .page_overhead import cheap_page_overhead  # noqa: E402,F401
from .security import prepare_connection, security_wrapper  # noqa: E402,F401
from .sql_pools import split_sql_threads  # noqa: E402,F401
