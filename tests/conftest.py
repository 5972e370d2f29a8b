"""Shared fixtures. Feature-specific fixtures live in the feature's own test file."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from datasette.app import Datasette

from claims.cli import cli
from claims.db import open_db
from claims.reviewers import serve_config

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
EXAMPLE = DATA / "articles" / "skin-stimulator-trains-your-face.txt"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A fresh, migrated, empty database file."""
    path = tmp_path / "claims.db"
    open_db(path).close()
    return path


@pytest.fixture
def db(db_path: Path):
    database = open_db(db_path)
    yield database
    database.close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A private copy of data/ that a test may change."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("*.db", "*.db-*"))
    return target


@pytest.fixture
def built_db(tmp_path: Path, data_dir: Path, runner: CliRunner) -> Path:
    """The example database, built by `claims build` from a copy of data/.

    Named claims.db so Datasette calls it `claims`, the name metadata.yml and datasette.yaml use.
    """
    (tmp_path / "built").mkdir()
    path = tmp_path / "built" / "claims.db"
    result = runner.invoke(cli, ["build", "--db", str(path), "--data", str(data_dir)])
    assert result.exit_code == 0, result.output
    return path


def load_yaml(name: str) -> dict:
    return yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))


def make_ds(db_path: Path, *, private: bool = False) -> Datasette:
    """An in-process Datasette with the repository's metadata.yml and datasette.yaml, as
    `claims serve` passes them (accounts aside: tests pass actors directly)."""
    config = serve_config(load_yaml("datasette.yaml"), {}, private=private)
    return Datasette([str(db_path)], metadata=load_yaml("metadata.yml"), config=config)


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
