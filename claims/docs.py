"""Generates the README's CLI reference from the Click commands themselves, so it cannot drift.

The README runs this through cog (`cog -r README.md`); `tests/test_docs.py` runs `cog --check`.
"""

from __future__ import annotations

from collections.abc import Iterator

import click
from click.testing import CliRunner

from .cli import cli


def iter_commands(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name in sorted(group.commands):
        command = group.commands[name]
        path = (*prefix, name)
        yield path
        if isinstance(command, click.Group):
            yield from iter_commands(command, path)


def cli_reference() -> str:
    runner = CliRunner()
    out: list[str] = []
    for path in iter_commands():
        result = runner.invoke(cli, [*path, "--help"], terminal_width=100)
        if result.exit_code != 0:
            raise RuntimeError(f"claims {' '.join(path)} --help failed: {result.output}")
        help_text = result.output.replace("Usage: cli ", "Usage: claims ")
        out += [f"### claims {' '.join(path)}", "", "```", help_text.rstrip(), "```", ""]
    return "\n".join(out)
