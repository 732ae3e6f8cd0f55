"""Bad curated-tag files: every case holds one problem and pins the exact messages `check` prints.

Each sub-directory of `tests/fixtures/tags/bad/` is one case:

- `tags/`: the contributor files of the case, laid over an empty `curation/tags/`
  (a vocabulary that cannot be read must not make every tag of these files an error);
- `tags.yml` (optional): replaces the vocabulary `curation/tags.yml`;
- `expected.txt`: the `path:line: error: message` lines for the curation files, exactly as
  `Problem.format()` prints them, one per line.

The curation folder is the repository's `topics.yml`, `duplicates.yml` and `tags.yml` (not
its `tags/` folder) with the case laid over it. The dumps are the repository's plus the golden
API dump, which gives papers arXiv ids, so `2401.05252` is an alias of a paper id.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from generator import pipeline
from generator.model import ERROR
from generator.progress import Progress
from generator.readers import list_dumps, read_all

from conftest import DUMPS, REPO, run_cli

BAD = Path(__file__).parent / "fixtures" / "tags" / "bad"
CASES = sorted(p for p in BAD.iterdir() if p.is_dir())
CASE_FILES = {"tags", "tags.yml", "expected.txt"}
GOLDEN_API = Path(__file__).parent / "fixtures" / "golden" / "dumps" / "2024-03-19_api.json"


@pytest.fixture(scope="module")
def dumps(tmp_path_factory):
    """The dumps folder and its entries, read once for the module."""
    folder = tmp_path_factory.mktemp("dumps") / "dumps"
    shutil.copytree(DUMPS, folder)
    shutil.copy(GOLDEN_API, folder / GOLDEN_API.name)
    return folder, read_all(list_dumps(folder))


@pytest.fixture
def read_inputs(dumps, monkeypatch):
    """`pipeline.read_inputs` as the CLI calls it, reusing the module's dump entries."""
    folder, results = dumps
    monkeypatch.setattr(pipeline, "read_all", lambda _paths, progress=None, memo=None: results)
    return lambda curation: pipeline.read_inputs(folder, curation, Progress(quiet=True))


def _curation(case: Path, root: Path) -> Path:
    folder = root / "curation"
    folder.mkdir()
    for name in ("topics.yml", "duplicates.yml", "tags.yml"):
        shutil.copy(REPO / "curation" / name, folder / name)
    if (case / "tags.yml").exists():
        shutil.copy(case / "tags.yml", folder / "tags.yml")
    if (case / "tags").is_dir():
        shutil.copytree(case / "tags", folder / "tags")
    return folder


def _expected(case: Path) -> list[str]:
    return sorted((case / "expected.txt").read_text(encoding="utf-8").splitlines())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_tags_case(case, read_inputs, tmp_path):
    assert {p.name for p in case.iterdir()} <= CASE_FILES
    expected = _expected(case)
    assert expected and all(expected), f"{case.name}/expected.txt has no (or blank) lines"
    progress = Progress(quiet=True)
    _, problems = pipeline.make_catalog(read_inputs(_curation(case, tmp_path)), progress)
    got = sorted(p.format() for p in problems
                 if p.path.startswith("curation/") and p.severity == ERROR)
    assert got, f"{case.name}: no problem reported"
    assert got == expected


def test_cli_check_reports_and_annotates(dumps, tmp_path):
    case = BAD / "unknown-tag"
    [line] = _expected(case)
    path, number, message = re.fullmatch(r"(curation/tags/[^:]+):(\d+): error: (.*)",
                                         line).groups()
    result = run_cli("check", "--dumps", str(dumps[0]), "--curation",
                     str(_curation(case, tmp_path)), "--quiet", env={"GITHUB_ACTIONS": "true"})
    assert result.returncode == 1, result.stderr
    assert line in result.stderr.splitlines()
    assert f"::error file={path},line={number}::{message}" in result.stdout.splitlines()
