"""The engine's future: ProperDocs, the maintained fork of mkdocs 1.x, builds the same site.

`PAPER_INDEX_ENGINE=properdocs` makes the build run on ProperDocs (it answers every
`mkdocs.*` import, Material's included). CI builds the seed site with both engines and
compares every file: the pages, their links and the search index must be the same; only
the `<meta name="generator">` line may say which engine made the page.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import DUMPS, run_cli

GENERATOR_META = re.compile(rb'^\s*<meta name="generator" content="[^"]*">\n', re.M)


def _build(work: Path, engine: str) -> Path:
    site = work / f"site-{engine}"
    result = run_cli("build", "--dumps", str(work / "dumps"), "--site", str(site), "--quiet",
                     env={"PAPER_INDEX_ENGINE": engine, "TZ": "UTC",
                          "SOURCE_DATE_EPOCH": "1700000000"})
    assert result.returncode == 0, result.stderr
    return site


def test_properdocs_builds_the_same_site(tmp_path):
    pytest.importorskip("properdocs", reason="ProperDocs is in requirements-dev.txt")
    shutil.copytree(DUMPS, tmp_path / "dumps")
    ours = _build(tmp_path, "mkdocs")
    fork = _build(tmp_path, "properdocs")
    files = sorted(p.relative_to(ours).as_posix() for p in ours.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(fork).as_posix() for p in fork.rglob("*")
                           if p.is_file())
    assert len([f for f in files if f.endswith(".html")]) > 300
    engines = set()
    for rel in files:
        a, b = (ours / rel).read_bytes(), (fork / rel).read_bytes()
        if rel.endswith(".html"):
            engines.update(m.group(0).strip() for m in GENERATOR_META.finditer(b))
            a, b = GENERATOR_META.sub(b"", a), GENERATOR_META.sub(b"", b)
        assert a == b, rel
    assert any(b"ProperDocs" in e for e in engines)  # it really was the fork


def test_an_unknown_engine_is_a_clear_error(tmp_path):
    result = run_cli("build", "--dumps", str(DUMPS), "--site", str(tmp_path / "site"),
                     "--quiet", env={"PAPER_INDEX_ENGINE": "hugo"})
    assert result.returncode != 0
    assert "PAPER_INDEX_ENGINE must be mkdocs or properdocs, not 'hugo'" in result.stderr
    assert "Traceback" not in result.stderr
