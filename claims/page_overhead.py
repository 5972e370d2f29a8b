"""What Datasette does on every page that a reviewer's page does not use, made cheap at a
million rows (issue 13): the list of tables a stored query's page builds, and table counts.

A stored query's page (every review list) builds the database's table list, with each table's
columns, keys, FTS table and row count, but its template shows that list only on an empty SQL
editor, which a stored query never is: about 150 queries a request, 80% of a review list's
time at newsroom scale. :func:`_tables` skips it for stored queries only (Datasette's
``QueryView`` with a ``table`` in its URL); the database page still lists every table.

Default facets (metadata.yml) on a table of more than :data:`FACET_MAX_ROWS` rows are left
off: a facet counts every row of the table (a full index scan, 200 ms or more at a million
claims, past Datasette's facet time limit, so the page showed "timed out" instead), and the
whole newsroom's count of claims per category is not what a reviewer opens the table for. On a
filtered page (``?article_id=5&_facet=category``) any facet is one click away and cheap. A
table is measured once per server process (tables only grow), with a bounded count.

Table counts (the database page, and the list above):

Every stored-query page (the review lists) and the database page list the database's tables
with their row counts: Datasette counts each table with ``select count(*) from (select * from
t limit 10001)``, one query (and one trip to a query thread) per table, each allowed up to
100 ms. At newsroom scale that was 600 ms of a 2 ms review list: ``select *`` reads each
table's widest rows (claims' text, the FTS index's content), sixty times a request.

The counts here say the same thing (exact below 10,001 rows, "10,001" meaning more) but count
``select 1``, which SQLite serves from the smallest index, all tables in one trip to a query
thread, each under the same time limit Datasette gives it, and are remembered for
:data:`TTL_S` seconds per database: the counts on a list of tables lag a write by at most that.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from datasette import hookimpl
from datasette.database import Database
from datasette.utils import escape_sqlite, sqlite_timelimit
from datasette.views import database as database_views

TTL_S = 5.0
FACET_MAX_ROWS = 100_000


async def _table_counts(self: Any, limit: int = 10) -> dict[str, int | None]:
    if not self.is_mutable or self.is_memory:
        return await _datasette_counts(self, limit)
    cached = getattr(self, "_claims_counts", None)
    if cached is not None and time.monotonic() - cached[0] < TTL_S:
        return dict(cached[1])
    names = await self.table_names()
    cap = self.count_limit + 1

    def count(conn: sqlite3.Connection) -> dict[str, int | None]:
        out: dict[str, int | None] = {}
        for name in names:
            try:
                with sqlite_timelimit(conn, limit):
                    out[name] = conn.execute(f"select count(*) from (select 1 from {escape_sqlite(name)} limit {cap})").fetchone()[0]
            except sqlite3.Error:  # interrupted past the limit, or a table SQLite cannot read
                out[name] = None
        return out

    counts = await self.execute_fn(count)
    self._claims_counts = (time.monotonic(), counts)
    return dict(counts)


_datasette_counts = Database.table_counts
_datasette_table_config: Any = None  # Datasette.table_config, kept when the hook first runs


async def _table_config(self: Any, database: str, table: str) -> dict:
    config = await _datasette_table_config(self, database, table)
    if not config.get("facets"):
        return config
    big = getattr(self, "_claims_big_tables", None)
    if big is None:
        big = self._claims_big_tables = {}
    if (database, table) not in big:
        try:
            db = self.get_database(database)
            sql = f"select count(*) from (select 1 from {escape_sqlite(table)} limit {FACET_MAX_ROWS + 1})"
            rows = (await db.execute(sql, custom_time_limit=5_000)).rows[0][0]
            big[(database, table)] = rows > FACET_MAX_ROWS
        except Exception:  # noqa: BLE001  (unknown database, timed out: keep Datasette's behaviour)
            return config
    if big[(database, table)]:
        return {k: v for k, v in config.items() if k != "facets"}
    return config
_datasette_tables = database_views.get_tables


async def _tables(datasette: Any, request: Any, db: Any, allowed_dict: dict[str, Any]) -> list[Any]:
    if request is not None and "table" in request.url_vars:
        return []  # a stored query's page: its template never shows the list
    return await _datasette_tables(datasette, request, db, allowed_dict)


@hookimpl(specname="startup")
def cheap_page_overhead(datasette: Any) -> None:  # noqa: ARG001
    # On the class and module: the plugin's own startup replaces the database object it serves.
    Database.table_counts = _table_counts  # type: ignore[method-assign]
    global _datasette_table_config
    cls = type(datasette)  # datasette.app imports this plugin: no import of it here
    if cls.table_config is not _table_config:
        _datasette_table_config = cls.table_config
        cls.table_config = _table_config
    database_views.get_tables = _tables
