from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DUMPS = REPO / "dumps"


@pytest.fixture(scope="session", autouse=True)
def inputs_stay_untouched():
    """No test may write into the repository's inputs (a build records new permalinks
    beside the dumps it reads: tests build copies, or pass --ledger)."""
    watched = [DUMPS, REPO / "tests" / "fixtures", REPO / "curation"]
    before = {str(folder): tree_digest(folder) for folder in watched}
    yield
    after = {str(folder): tree_digest(folder) for folder in watched}
    assert after == before, "a test changed files under dumps/, curation/ or tests/fixtures/"


@pytest.fixture(scope="session")
def seed_results():
    from generator.readers import list_dumps, read_all

    return read_all(list_dumps(DUMPS))


@pytest.fixture(scope="session")
def seed_catalog(seed_results):
    from generator.catalog import build_catalog

    return build_catalog(seed_results)


def run_cli(*args: str, cwd: Path = REPO, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    full_env.pop("GITHUB_ACTIONS", None) if not env or "GITHUB_ACTIONS" not in env else None
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=600)


def tree_digest(root: Path) -> dict[str, str]:
    """Every file under `root`: relative path -> sha256 of its bytes."""
    import hashlib

    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def parse_pages(site: Path) -> dict:
    """Every built HTML file: its path relative to the site -> parsed document."""
    from bs4 import BeautifulSoup

    return {p.relative_to(site).as_posix(): BeautifulSoup(p.read_text(encoding="utf-8"),
                                                          "html.parser")
            for p in sorted(site.rglob("*.html"))}
