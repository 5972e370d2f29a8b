"""Datasette plugin: the reviewers' pages, permissions and row actions.

Hooks are module-level functions named after the hook, as Datasette's own plugins do.
"""

from __future__ import annotations

from datasette import hookimpl


@hookimpl
def extra_template_vars(datasette):  # noqa: ARG001
    # Lets templates say which tool they are part of.
    return {"claims_tracker": True}
