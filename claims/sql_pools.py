"""Query threads of their own for anonymous requests, so reviewers never wait behind them.

Datasette runs every read on one pool of ``num_sql_threads`` threads, whoever asked. The anonymous
gate (:func:`claims.security.limit_anonymous`) bounds how many anonymous *requests* are in
flight, but one request can start several queries at once (a table page's count, rows and
facets), each allowed ``sql_time_limit_ms``: three anonymous visitors could hold every thread
for seconds while a reviewer's flag waits for one to check a permission.

:class:`SplitExecutor` replaces ``datasette.executor`` at startup. A query submitted while an
anonymous request is being handled (the :data:`ANONYMOUS` context variable, set by the gate) goes
to a small pool of its own (``anonymous_sql_threads`` in the ``claims-tracker`` plugin config,
default :data:`ANONYMOUS_SQL_THREADS`); everything else, logged-in reviewers included, keeps
Datasette's pool. Each thread opens its own read connection, as Datasette's do.
"""

from __future__ import annotations

import contextvars
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any

from datasette import hookimpl

from .reviewers import CLAIMS_PLUGIN

ANONYMOUS: contextvars.ContextVar[bool] = contextvars.ContextVar("claims_anonymous_request", default=False)
ANONYMOUS_SQL_THREADS = 3


class SplitExecutor(Executor):
    def __init__(self, shared: Executor, anonymous_threads: int) -> None:
        self.shared = shared
        self.anonymous = ThreadPoolExecutor(max_workers=anonymous_threads, thread_name_prefix="claims-anonymous-sql")

    def submit(self, fn, /, *args: Any, **kwargs: Any) -> Future:
        pool = self.anonymous if ANONYMOUS.get() else self.shared
        return pool.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.anonymous.shutdown(wait=wait, cancel_futures=cancel_futures)
        self.shared.shutdown(wait=wait, cancel_futures=cancel_futures)

    def __getattr__(self, name: str) -> Any:
        # Datasette's telemetry and /-/threads look at the pool's internals: show them the shared one.
        if name in ("shared", "anonymous"):
            raise AttributeError(name)
        return getattr(self.shared, name)


@hookimpl(specname="startup")
def split_sql_threads(datasette) -> None:
    if datasette.executor is None or isinstance(datasette.executor, SplitExecutor):
        return
    config = datasette.plugin_config(CLAIMS_PLUGIN) or {}
    threads = int(config.get("anonymous_sql_threads") or ANONYMOUS_SQL_THREADS)
    datasette.executor = SplitExecutor(datasette.executor, threads)
