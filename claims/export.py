"""Exports: citation lists (CSL-JSON, BibTeX, RIS, formatted text) and the claim ledger.

Every format is written by its standard library (json, bibtexparser, rispy, citeproc-py, csv) and
the tests read each one back with the matching parser.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import sqlite_utils

from .export_formats import bibtex_fields, protect_case, ris_record, to_bibtex, to_csl_json, to_ris  # noqa: F401
from .formatting import STYLES, ExportError, sort_text, style_path, to_text  # noqa: F401  (the export API)

FORMATS = ("csl-json", "bibtex", "biblatex", "ris", "text")
LEDGER_FORMATS = ("csv", "jsonl")
# --- which sources ------------------------------------------------------------------------


def _check_article(db: sqlite_utils.Database, article_id: int) -> None:
    if not db.execute("select 1 from articles where id = ?", [article_id]).fetchone():
        raise ExportError(f"--article {article_id}: no such article")


def source_rows(db: sqlite_utils.Database, article_id: int | None = None) -> Iterable[tuple[str, str]]:
    """(key, csl) of the sources to list, in order.

    For an article: every source cited, attributed or chosen as candidate for one of its quotes
    or claims, in the order the article first relies on them (the order numbered styles need).
    Without one: every source in the database, by id.
    """
    if article_id is None:
        return db.execute("select key, csl from sources order by id")
    _check_article(db, article_id)
    return db.execute(
        """
        with uses as (
            select c.source_id, q.start from citations c join quotes q on q.id = c.quote_id
            where q.article_id = :article
            union all
            select c.source_id, cl.start from citations c join claims cl on cl.id = c.claim_id
            where cl.article_id = :article
        )
        select s.key, s.csl from sources s
        join (select source_id, min(start) as first from uses group by source_id) u on u.source_id = s.id
        order by u.first, s.id
        """,
        {"article": article_id},
    ).fetchall()


def csl_items(rows: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
    """CSL items whose ``id`` is the stable citation key."""
    items = []
    for key, csl in rows:
        item = json.loads(csl)
        item["id"] = key
        items.append(item)
    return items


# --- citation lists -----------------------------------------------------------------------


def render_items(items: Sequence[dict[str, Any]], fmt: str, style: str | None = None, locale: str | None = None) -> str:
    if fmt not in FORMATS:
        raise ExportError(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}")
    if style is not None and fmt != "text":
        style_path(style)  # an unknown style is an error whatever the format
    if fmt == "csl-json":
        return to_csl_json(items)
    if fmt in ("bibtex", "biblatex"):
        return to_bibtex(items, biblatex=fmt == "biblatex")
    if fmt == "ris":
        return to_ris(items)
    return to_text(items, style or "apa", locale)


def citation_list(
    db: sqlite_utils.Database, article_id: int | None = None, fmt: str = "bibtex", style: str | None = None,
    locale: str | None = None,
) -> str:
    """The citation list of one article (or every source) in ``fmt``; see :func:`source_rows`."""
    return "".join(iter_citation_list(db, article_id, fmt, style, locale))


STREAM_BATCH = 500


def iter_citation_list(
    db: sqlite_utils.Database, article_id: int | None = None, fmt: str = "bibtex", style: str | None = None,
    locale: str | None = None,
) -> Iterator[str]:
    """:func:`citation_list` a batch of entries at a time. CSL-JSON, BibTeX and RIS stream
    (memory holds one batch); a formatted bibliography is sorted by its style, so it is
    rendered whole (its size follows the sources, not the claims)."""
    if fmt not in FORMATS:
        raise ExportError(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}")
    rows = source_rows(db, article_id)
    if fmt == "text":
        yield render_items(csl_items(rows), fmt, style, locale)
        return
    render_items([], fmt, style)  # an unknown style is an error whatever the format
    first = True
    for batch in _batches(rows, STREAM_BATCH):
        items = csl_items(batch)
        if fmt == "csl-json":
            body = ",\n".join(
                "\n".join("  " + line for line in json.dumps(item, ensure_ascii=False, indent=2).splitlines()) for item in items
            )
            yield ("[\n" if first else ",\n") + body
        elif fmt == "bibtex":
            # bibtexparser separates entries with two blank lines.
            yield ("" if first else "\n\n") + to_bibtex(items)
        else:
            # rispy separates records with a blank line.
            yield ("" if first else "\n") + to_ris(items)
        first = False
    if fmt == "csl-json":
        yield "[]\n" if first else "\n]\n"
    elif first:
        yield render_items([], fmt, style)


def _batches(rows: Iterable[tuple[str, str]], size: int) -> Iterator[list[tuple[str, str]]]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- the ledger ---------------------------------------------------------------------------

LEDGER_COLUMNS = (
    "type", "id", "article_id", "article", "text", "exact", "prefix", "suffix", "start", "end",
    "source_keys", "source_dois", "relations", "verdict", "verdict_by", "verdict_at",
    "speaker", "speaker_description", "attribution_kind",
)  # fmt: skip


def _verdicts(db: sqlite_utils.Database, kind: str, article_id: int) -> dict[int, tuple[str | None, str | None, str | None]]:
    """Latest verdict per claim or quote of one article (from the indexed review state)."""
    rows = db.execute(
        f"select {kind}_id, latest_verdict, latest_by, latest_at from {kind}_status where article_id = ? and flags > 0",
        [article_id],
    )
    return {row[0]: row[1:] for row in rows}


def _article_records(db: sqlite_utils.Database, article_id: int) -> list[dict[str, Any]]:
    """One article's ledger records, in article order (every lookup indexed by article)."""
    records = []
    credits = _quote_credits(db, "where t.article_id = ?", [article_id])
    for kind, table in (("quote", "quotes"), ("claim", "claims")):
        verdicts = _verdicts(db, kind, article_id)
        sources: dict[int, list[dict[str, Any]]] = {}
        for target_id, key, doi, relation in db.execute(
            f"""select c.{kind}_id, s.key, s.doi, c.relation from {table} t
            join citations c on c.{kind}_id = t.id join sources s on s.id = c.source_id
            where t.article_id = ? order by c.{kind}_id, c.id""",
            [article_id],
        ):
            sources.setdefault(target_id, []).append({"key": key, "doi": doi, "relation": relation})
        for row in db.execute(
            f"""select t.id, t.article_id, coalesce(a.url, a.location), t.text, t.prefix, t.suffix, t.start, t."end"
            from {table} t join articles a on a.id = t.article_id where t.article_id = ? order by t.start, t.id""",
            [article_id],
        ):
            target_id, art_id, article, text, prefix, suffix, start, end = row
            verdict = verdicts.get(target_id, (None, None, None))
            records.append(
                {
                    "type": kind,
                    "id": target_id,
                    "article_id": art_id,
                    "text": text,
                    "target": {
                        "source": article,
                        "selector": [
                            {"type": "TextQuoteSelector", "exact": text, "prefix": prefix or "", "suffix": suffix or ""},
                            {"type": "TextPositionSelector", "start": start, "end": end},
                        ],
                    },
                    "sources": sources.get(target_id, []),
                    "verdict": None if verdict[0] is None else {"verdict": verdict[0], "by": verdict[1], "at": verdict[2]},
                    **(credits.get(target_id, {}) if kind == "quote" else {}),
                }
            )
    records.sort(key=lambda r: (r["target"]["selector"][1]["start"], r["type"], r["id"]))
    return records


def iter_ledger_records(
    db: sqlite_utils.Database, article_id: int | None = None, *, all_versions: bool = False
) -> Iterator[dict[str, Any]]:
    """One record per quote and claim, article by article, in article order: text, W3C
    selectors, sources, verdict. Streams: memory holds one article's records at a time.

    Without ``article_id``: the current version of every article (``all_versions``: every version)."""
    if article_id is not None:
        _check_article(db, article_id)
        yield from _article_records(db, article_id)
        return
    # Ids first (a few bytes each), so no cursor stays open across the per-article queries.
    current = "" if all_versions else " where is_current"
    for (art_id,) in db.execute(f"select id from articles{current} order by id").fetchall():
        yield from _article_records(db, art_id)


def ledger_records(
    db: sqlite_utils.Database, article_id: int | None = None, *, all_versions: bool = False
) -> list[dict[str, Any]]:
    """:func:`iter_ledger_records` as a list."""
    return list(iter_ledger_records(db, article_id, all_versions=all_versions))


def _quote_credits(db: sqlite_utils.Database, where: str, params: list[Any]) -> dict[int, dict[str, Any]]:
    """Who each quote is credited to: the speaker's display name, their role, and the kind."""
    speakers = db["speakers"].exists()
    join = "left join speakers s on s.id = t.speaker_id" if speakers else ""
    description = "s.description" if speakers else "null"
    rows = db.execute(
        f"select t.id, t.speaker, {description}, t.attribution_kind from quotes t {join} {where}", params
    )
    return {row[0]: {"speaker": row[1], "speaker_description": row[2], "attribution_kind": row[3]} for row in rows}


def _flat(record: dict[str, Any]) -> dict[str, Any]:
    quote, position = record["target"]["selector"]
    verdict = record["verdict"] or {}
    return {
        "type": record["type"],
        "id": record["id"],
        "article_id": record["article_id"],
        "article": record["target"]["source"],
        "text": record["text"],
        "exact": quote["exact"],
        "prefix": quote["prefix"],
        "suffix": quote["suffix"],
        "start": position["start"],
        "end": position["end"],
        "source_keys": "; ".join(s["key"] for s in record["sources"]),
        "source_dois": "; ".join(s["doi"] or "" for s in record["sources"]),
        "relations": "; ".join(s["relation"] for s in record["sources"]),
        "verdict": verdict.get("verdict"),
        "verdict_by": verdict.get("by"),
        "verdict_at": verdict.get("at"),
        "speaker": record.get("speaker"),
        "speaker_description": record.get("speaker_description"),
        "attribution_kind": record.get("attribution_kind"),
    }


def iter_ledger(
    db: sqlite_utils.Database, article_id: int | None = None, fmt: str = "csv", *, all_versions: bool = False
) -> Iterator[str]:
    """The ledger as text, a piece at a time (a header, then a batch of rows per article)."""
    if fmt not in LEDGER_FORMATS:
        raise ExportError(f"--format {fmt!r}: expected one of {', '.join(LEDGER_FORMATS)}")
    records = iter_ledger_records(db, article_id, all_versions=all_versions)
    if fmt == "jsonl":
        for record in records:
            yield json.dumps(record, ensure_ascii=False) + "\n"
        return
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=LEDGER_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for i, record in enumerate(records, 1):
        writer.writerow(_flat(record))
        if i % 1000 == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def ledger(db: sqlite_utils.Database, article_id: int | None = None, fmt: str = "csv", *, all_versions: bool = False) -> str:
    if fmt not in LEDGER_FORMATS:
        raise ExportError(f"--format {fmt!r}: expected one of {', '.join(LEDGER_FORMATS)}")
    return "".join(iter_ledger(db, article_id, fmt, all_versions=all_versions))
