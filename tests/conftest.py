"""Shared fixtures. Feature-specific fixtures live in the feature's own test file."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from claims.cli import cli
from claims.db import open_db

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
    """The example database, built by `claims build` from a copy of data/."""
    path = tmp_path / "built.db"
    result = runner.invoke(cli, ["build", "--db", str(path), "--data", str(data_dir)])
    assert result.exit_code == 0, result.output
    return path


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
