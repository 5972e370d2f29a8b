"""What the curated reviewer pages show beyond the plugin's row evidence.

- who a quote (or the quotation a claim leans on) is credited to: speaker, role, the
  attribution phrase, and whether it names anyone;
- quote-check results (altered, not found, normalised) as findings, so they appear wherever
  findings do: the article page and its tooltips, row pages, flag and resolve forms;
- a source's bibliographic summary, and the findings table as a list grouped by kind.

Everything here reads through Datasette's database object; templates escape every value.
"""

from __future__ import annotations

import json
from typing import Any

from datasette.utils.asgi import NotFound

# Check results a reviewer must see, worst first, and how findings name them.
CHECK_KINDS = {
    "altered": ("quote_altered", "the quotation differs from the words in {key}"),
    "not_found": ("quote_not_found", "the quotation was not found in the text of {key}"),
    "normalised": ("quote_normalised", "found in {key} with only typographic differences"),
}
CHECK_ORDER = tuple(CHECK_KINDS)
ATTRIBUTION_LABELS = {
    "named": "names who said it",
    "vague": "vague: names no one",
    "none": "no attribution",
}


async def _rows(db, sql: str, params: Any = None) -> list[dict[str, Any]]:
    return [dict(row) for row in (await db.execute(sql, params or []))]


async def _has_table(db, table: str) -> bool:
    return bool(await _rows(db, "select 1 from sqlite_master where type = 'table' and name = ?", [table]))


async def _columns(db, table: str) -> set[str]:
    return {row["name"] for row in await _rows(db, f"select name from pragma_table_info('{table}')")}


async def credit(datasette, db, db_name: str, quote: dict[str, Any] | None) -> dict[str, Any]:
    """Who a quotation is credited to, for the "Credited to …" line.

    ``speaker`` comes from the speakers table when the quote links one (name, kind,
    description, page), else from ``quotes.speaker``; ``phrase`` is the attribution as the
    article words it; ``kind`` is named / vague / none.
    """
    if not quote:
        return {"kind": "none", "label": "not credited to anyone", "kind_label": ATTRIBUTION_LABELS["none"]}
    speaker: dict[str, Any] | None = None
    if quote.get("speaker_id") and await _has_table(db, "speakers"):
        found = await _rows(db, "select * from speakers where id = ?", [quote["speaker_id"]])
        if found:
            row = found[0]
            speaker = {
                "name": row.get("name"),
                "role": row.get("kind"),
                "description": row.get("description"),
                "url": datasette.urls.row(db_name, "speakers", str(row["id"])),
            }
    if speaker is None and quote.get("speaker"):
        speaker = {"name": quote["speaker"], "role": None, "description": None, "url": None}
    kind = quote.get("attribution_kind") or "none"
    phrase = quote.get("attribution")
    if speaker and speaker.get("name"):
        label = speaker["name"]
    elif phrase:
        label = "an unnamed source" if kind == "vague" else "the attribution below"
    else:
        label = "no one: the article does not say who said it"
    return {
        "speaker": speaker,
        "phrase": phrase,
        "kind": kind,
        "kind_label": ATTRIBUTION_LABELS.get(kind, kind),
        "label": label,
        "quote_id": quote.get("id"),
        "quote_url": datasette.urls.row(db_name, "quotes", str(quote["id"])) if quote.get("id") else None,
    }


async def record_credit(datasette, db, db_name: str, kind: str, item: dict[str, Any]) -> dict[str, Any]:
    """A quote's own credit; a claim's is the credit of the quotation it leans on, if any."""
    if kind == "quote":
        return await credit(datasette, db, db_name, item)
    quote = None
    if item.get("quote_id"):
        quote = (await _rows(db, "select * from quotes where id = ?", [item["quote_id"]]) or [None])[0]
    result = await credit(datasette, db, db_name, quote)
    result["via_quote"] = quote is not None
    return result


async def quote_checks(db, where: str, params: Any) -> list[dict[str, Any]]:
    """Quote checks worth a reviewer's attention (``where`` on ``quote_checks qc`` / ``quotes q``)."""
    if not await _has_table(db, "quote_checks"):
        return []
    marks = ", ".join("?" for _ in CHECK_ORDER)
    args = list(params) if isinstance(params, list | tuple) else [params]
    return await _rows(
        db,
        f"""
        select qc.quote_id, qc.result, qc.score, qc.page, qc.diff, s.key as source_key, s.id as source_id,
               q.text, q.article_id, q.start
        from quote_checks qc join quotes q on q.id = qc.quote_id join sources s on s.id = qc.source_id
        where {where} and qc.result in ({marks})
        order by q.start, qc.quote_id, s.key
        """,
        [*args, *CHECK_ORDER],
    )


def check_findings(datasette, db_name: str, checks: list[dict[str, Any]], skip: tuple[str, int] | None = None):
    """Quote checks in the shape of findings rows (kind, message, refs), worst first."""
    found = []
    for check in sorted(checks, key=lambda c: (CHECK_ORDER.index(c["result"]), c["start"] or 0)):
        kind, template = CHECK_KINDS[check["result"]]
        message = template.format(key=check["source_key"])
        if check["result"] == "altered" and check["diff"]:
            message += f": {check['diff']}"
        refs = []
        if ("quote", check["quote_id"]) != skip:
            refs.append({
                "key": f"quote-{check['quote_id']}", "label": f"Q{check['quote_id']}",
                "url": datasette.urls.row(db_name, "quotes", str(check["quote_id"])),
            })  # fmt: skip
        found.append({"kind": kind, "message": message, "quote_id": check["quote_id"], "refs": refs, "check": True})
    return found


def worst_checks(checks: list[dict[str, Any]]) -> dict[str, str]:
    """quote key (``quote-5``) -> its worst check result, for highlight colours."""
    worst: dict[str, str] = {}
    for check in checks:
        key = f"quote-{check['quote_id']}"
        if key not in worst or CHECK_ORDER.index(check["result"]) < CHECK_ORDER.index(worst[key]):
            worst[key] = check["result"]
    return worst


async def source_summary(db, source_id: int) -> dict[str, Any] | None:
    """A source's bibliographic line: authors, year, title, container, identifiers, retraction."""
    found = await _rows(db, "select * from sources where id = ?", [source_id])
    if not found:
        return None
    source = found[0]
    authors = source.get("authors")
    if isinstance(authors, str) and authors.startswith("["):
        try:
            authors = "; ".join(str(a) for a in json.loads(authors))
        except json.JSONDecodeError:
            pass
    source["authors_text"] = authors
    source["type_text"] = (source.get("type") or "").replace("-", " ")
    return source


async def findings_by_kind(datasette, db, db_name: str, args: dict[str, str]) -> list[dict[str, Any]]:
    """The findings table as a readable list: groups by kind, each item linking its records.

    Honours the ``article_id`` and ``kind`` filters the table page was opened with.
    """
    clauses, params = [], {}
    for column in ("article_id", "kind", "quote_id", "claim_id", "source_id"):
        value = args.get(column)
        if value:
            clauses.append(f"f.{column} = :{column}")
            params[column] = value
    rows = await _rows(
        db,
        f"""
        select f.*, a.title as article_title, s.key as source_key
        from findings f left join articles a on a.id = f.article_id left join sources s on s.id = f.source_id
        {"where " + " and ".join(clauses) if clauses else ""}
        order by f.kind, f.article_id, f.id
        """,
        params,
    )
    groups: dict[str, dict[str, Any]] = {}
    for row in rows:
        group = groups.setdefault(row["kind"], {"kind": row["kind"], "label": row["kind"].replace("_", " "), "items": []})
        row["refs"] = [
            {"label": f"{label}{row[column]}", "url": datasette.urls.row(db_name, table, str(row[column]))}
            for label, column, table in (("Q", "quote_id", "quotes"), ("Q", "related_quote_id", "quotes"),
                                         ("C", "claim_id", "claims"))  # fmt: skip
            if row.get(column)
        ]
        if row.get("source_id"):
            row["refs"].append({"label": row["source_key"], "url": datasette.urls.row(db_name, "sources", str(row["source_id"]))})
        row["article_url"] = datasette.urls.path(f"/-/claims/articles/{row['article_id']}") if row.get("article_id") else None
        group["items"].append(row)
    return sorted(groups.values(), key=lambda g: (-len(g["items"]), g["kind"]))


def reasons_list(reasons: str | None) -> list[str]:
    """A claim's stored reasons (a JSON array of strings) as a list; plain text as one item."""
    if not reasons:
        return []
    try:
        parsed = json.loads(reasons)
    except json.JSONDecodeError:
        return [reasons]
    return [str(r) for r in parsed] if isinstance(parsed, list) else [str(parsed)]


YES_NO_COLUMNS = ("disagree", "resolved", "retracted", "hedged")
# Review-list headers in words; the JSON keeps the column names scripts rely on.
COLUMN_LABELS = {"claim_id": "claim", "quote_id": "quote", "source_id": "source", "flag_id": "flag",
                 "article_id": "article", "checkworthiness": "check-worthiness", "latest_by": "by",
                 "latest_at": "when", "latest_verdict": "latest verdict", "latest_reason": "reason"}  # fmt: skip


def column_label(column: str) -> str:
    return COLUMN_LABELS.get(column, column.replace("_", " "))


async def review_cell(datasette, database: str, column: str, value: Any):
    """Review lists and status views in words: article titles for ids, yes/no for 0/1 flags,
    quote-check results marked. None when the cell is not one of these."""
    from markupsafe import Markup

    if column in YES_NO_COLUMNS and value in (0, 1) and not isinstance(value, float):
        return Markup('<span class="claims-{}">{}</span>').format("yes" if value else "no", "yes" if value else "no")
    if column == "checkworthiness" and isinstance(value, float):
        return f"{value * 100:.0f}%"
    if column == "quote_check" and isinstance(value, str) and value:
        return Markup("").join(
            Markup('<span class="claims-check-result claims-check-{}">{}</span> ').format(r, r.replace("_", " "))
            for r in value.split(",")
        )
    if column == "article_id" and isinstance(value, int) and not isinstance(value, bool):
        rows = await _rows(datasette.get_database(database), "select title from articles where id = ?", [value])
        title = rows[0]["title"] if rows and rows[0]["title"] else f"article {value}"
        return Markup('<a href="{}">{}</a>').format(datasette.urls.path(f"/-/claims/articles/{value}"), title)
    return None


def template_vars(datasette, request, database) -> dict[str, Any]:
    """The curated pages' template helpers; ``database()`` is the served claims database."""

    async def claims_source_summary(pk: Any) -> dict[str, Any] | None:
        try:
            return await source_summary(database(), int(pk))
        except (NotFound, TypeError, ValueError):
            return None

    async def claims_findings_by_kind() -> list[dict[str, Any]]:
        db = database()
        args = {k: request.args.get(k) for k in request.args} if request else {}
        return await findings_by_kind(datasette, db, db.name, args)

    async def claims_speaker(pk: Any) -> dict[str, Any] | None:
        """A speaker (issue 9's speakers table) with the article crediting them, if any."""
        db = database()
        if not await _has_table(db, "speakers"):
            return None
        found = await _rows(
            db, "select s.*, a.title as article_title from speakers s left join articles a on a.id = s.article_id where s.id = ?",
            [pk],
        )
        return found[0] if found else None

    return {
        "claims_speaker": claims_speaker,
        "claims_source_summary": claims_source_summary,
        "claims_findings_by_kind": claims_findings_by_kind,
        "claims_reasons": reasons_list,
        "claims_column_label": column_label,
    }
