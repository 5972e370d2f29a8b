"""The README's CLI reference is generated from the commands and documents every one of them."""

from __future__ import annotations

import subprocess
import sys

from claims.docs import iter_commands
from tests.conftest import ROOT


def test_readme_cli_reference_is_current():
    result = subprocess.run(
        [sys.executable, "-m", "cogapp", "--check", "README.md"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, "README is stale: run `.venv/bin/cog -r README.md`\n" + result.stderr


def test_every_command_is_documented():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = list(iter_commands())
    assert ("build",) in commands and ("ingest",) in commands and ("serve",) in commands
    for path in commands:
        assert f"### claims {' '.join(path)}\n" in readme, path


def test_readme_starts_with_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme[: readme.index("## ", readme.index("## ") + 3)]
    assert "make demo" in quick_start and "make test" in quick_start


def test_every_option_has_help_text():
    from claims.cli import cli

    for path in iter_commands():
        command = cli
        for name in path:
            command = command.commands[name]  # type: ignore[attr-defined]
        assert command.help, f"claims {' '.join(path)} has no help text"
        for param in command.params:
            if param.param_type_name == "option" and param.name != "help":
                assert param.help, f"claims {' '.join(path)} {param.opts[0]} has no help text"


def test_readme_python_example_runs(tmp_path, monkeypatch):
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = next(block for block in re.findall(r"```python\n(.*?)```", readme, re.DOTALL) if "api.ingest" in block)
    (tmp_path / "post.md").write_text(
        "# Post\n\nExperts say \"microcurrent lifts cheeks by 40 percent\" in [a trial](https://doi.org/10.1000/trial.1).\n",
        encoding="utf-8",
    )
    (tmp_path / "zotero.bib").write_text(
        "@article{lee2022, title = {Micro-Current Stimulation}, author = {Lee, Hana}, year = {2022},\n"
        "  journal = {International Journal of Molecular Sciences}, doi = {10.3390/ijms23052508}}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(example, "README.md", "exec"), namespace)
    assert "added as article 1" in namespace["done"].describe()
    assert namespace["done"].cited == 1  # the DOI link in the quote's sentence
    assert [o.status for o in namespace["outcomes"]] == ["added"]
    assert "@" in namespace["bib"] and namespace["rows"].count("\n") >= 1
    # The quote's key terms meet the imported work's title: the trace proposes it.
    traced = namespace["traced"]
    assert [s.work.title for o in traced.outcomes for s in o.ranked] == ["Micro-Current Stimulation"]
