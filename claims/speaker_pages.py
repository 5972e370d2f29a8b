"""The speaker row page: who a speaker is and every quote credited to them.

A Datasette plugin of its own (entry point ``claims_speakers``) so the page stays one template,
``row-claims-speakers.html``, and one template function, ``claims_speaker_quotes``.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl
from datasette.resources import TableResource

from .datasette_plugin import database_name


async def speaker_quotes(datasette, request, pk: Any) -> dict[str, Any] | None:
    """The speaker's quotes in article order, if the visitor may read the quotes table."""
    db_name = database_name(datasette)
    if not await datasette.allowed(action="view-table", resource=TableResource(db_name, "quotes"), actor=request.actor):
        return None
    db = datasette.get_database(db_name)
    rows = await db.execute(
        """select q.id, q.text, q.attribution, q.attribution_kind, q.partial, q.kind, q.article_id,
                  a.title as article_title
           from quotes q join articles a on a.id = q.article_id
           where q.speaker_id = ? order by q.article_id, q.start""",
        [pk],
    )
    return {"db_name": db_name, "quotes": [dict(r) for r in rows.rows]}


@hookimpl
def extra_template_vars(datasette, request):
    async def claims_speaker_quotes(pk: Any) -> dict[str, Any] | None:
        return await speaker_quotes(datasette, request, pk)

    return {"claims_speaker_quotes": claims_speaker_quotes}
