"""The ``claims trace`` command: a thin layer over :func:`claims.trace.run.trace`."""

from __future__ import annotations

import click

from ..cli import db_option, fail, open_existing_db
from ..cli_db import summary
from .run import DEFAULT_LIMIT, TraceError, describe, trace
from .search import TIMEOUT


@click.command("trace")
@db_option
@click.option("--article", "article_id", type=int, help="Trace this article's unsupported source quotes and check-worthy claims (articles.id).")
@click.option("--quote", "quote_ids", type=int, multiple=True, help="Trace this quote (quotes.id); repeatable.")
@click.option("--claim", "claim_ids", type=int, multiple=True, help="Trace this claim (claims.id); repeatable.")
@click.option("--limit", default=DEFAULT_LIMIT, show_default=True, type=click.IntRange(min=1), help="Candidates to record per quote or claim.")
@click.option("--offline", is_flag=True, help="Search only the local database (titles, notes, abstracts and attached full texts).")
@click.option("--mailto", envvar="CLAIMS_MAILTO", show_envvar=True, help="Contact e-mail sent to the services (User-Agent and mailto), for their polite pools.")
@click.option("--timeout", default=TIMEOUT, show_default=True, type=click.FloatRange(min=0.1), help="Seconds to wait for one response before retrying.")
def trace_command(
    db_path: str,
    article_id: int | None,
    quote_ids: tuple[int, ...],
    claim_ids: tuple[int, ...],
    limit: int,
    offline: bool,
    mailto: str | None,
    timeout: float,
) -> None:
    """Find candidate sources for quotes and claims that have none, and record them.

    Searches Europe PMC (phrase first, then key terms; open-access full text), Crossref and
    OpenAlex (base URLs from $CLAIMS_EUROPEPMC_URL, $CLAIMS_CROSSREF_URL, $CLAIMS_OPENALEX_URL)
    and the local database; with --offline, the local database only. Each candidate becomes a
    `candidate` citation (added_by 'claims trace') with its score and why; quotes are checked
    against any full text fetched. A record whose search fails is skipped with a warning and
    left unchanged; the exit status is then 1. Running it again adds nothing new.
    """
    db = open_existing_db(db_path)
    try:
        report = trace(db, article_id=article_id, quote_ids=quote_ids, claim_ids=claim_ids, limit=limit,
                       offline=offline, mailto=mailto, timeout=timeout)  # fmt: skip
    except TraceError as e:
        raise fail(str(e)) from None
    lines = describe(db, report).splitlines()
    for line in lines[:-1]:
        click.echo(line, err=line.startswith("warning:"))
    # The summary names the database written, as every writing command's does.
    click.echo(summary(lines[-1], db_path))
    if report.failed:
        raise fail(f"{report.failed} of {report.failed + len(report.outcomes)} records could not be traced (warnings above); run it again later")
