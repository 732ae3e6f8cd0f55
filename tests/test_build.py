"""The command line and the whole build: outputs, accounting, determinism, atomicity."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from generator.export import paper_record

from conftest import DUMPS, REPO, run_cli, tree_digest


@pytest.mark.parametrize("command", [[], ["build"], ["catalog"], ["check"]])
def test_help(command):
    result = run_cli(*command, "--help")
    assert result.returncode == 0
    assert "usage: python -m generator" in result.stdout


def test_check_on_seeds_writes_nothing(tmp_path):
    before = sorted(p.name for p in REPO.iterdir())
    result = run_cli("check")
    assert result.returncode == 0, result.stderr
    lines = [re.sub(r" \(\d+\.\d+ s\)$", "", line) for line in result.stderr.splitlines()]
    assert lines[:2] == ["read: 5 dumps, 425 entries", "deduplicate: 349 papers"]
    assert re.fullmatch(r"classify: \d+ topics, \d+ papers unsorted, \d+ tagged", lines[2])
    assert lines[3:] == [
        "0 errors, 0 warnings; 0 entries not in the catalog (see the report)"]
    assert sorted(p.name for p in REPO.iterdir()) == before


def test_catalog_to_stdout_and_file(tmp_path):
    out = tmp_path / "catalog.json"
    result = run_cli("catalog", "--out", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["schema_version"] == 2
    assert len(document["papers"]) == 349
    # the same document the site publishes: links included
    assert sum(1 for p in document["papers"] if p["related"]) > 300
    piped = run_cli("catalog", "--out", "-", "--quiet")
    assert piped.stdout == out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory):
    site = tmp_path_factory.mktemp("build") / "site"
    result = run_cli("build", "--site", str(site), env={"TZ": "UTC", "PYTHONHASHSEED": "1"})
    assert result.returncode == 0, result.stderr
    return site


@pytest.mark.slow
def test_export_schema(seed_site):
    document = json.loads((seed_site / "api" / "papers.json").read_text(encoding="utf-8"))
    assert document["schema_version"] == 2
    papers = document["papers"]
    assert len(papers) == 349
    required = {"id", "url", "title", "abstract", "arxiv_id", "authors", "topics", "tags",
                "title_variants", "first_seen", "last_seen", "sources", "aliases", "upvotes",
                "published", "related", "mentions", "mentioned_by"}
    for paper in papers:
        assert required <= set(paper)
        assert paper["url"] == f"papers/{paper['id']}/"
        assert (seed_site / paper["url"] / "index.html").is_file()
        for source in paper["sources"]:
            line = (DUMPS / source["dump"]).read_text(encoding="utf-8").split("\n")[
                source["line"] - 1]
            assert line.endswith(source["title"])  # the line of the title, in that dump
    assert sum(len(p["sources"]) for p in papers) == 425
    assert [p["id"] for p in papers] == sorted(p["id"] for p in papers)


@pytest.mark.slow
def test_export_links_name_papers_of_the_index(seed_site):
    papers = json.loads((seed_site / "api" / "papers.json").read_text(encoding="utf-8")
                        )["papers"]
    ids = {p["id"] for p in papers}
    by_id = {p["id"]: p for p in papers}
    assert sum(1 for p in papers if p["related"]) > 300
    assert sum(1 for p in papers if p["mentions"]) >= 1  # precondition
    for paper in papers:
        related = paper["related"]
        assert len(related) <= 5
        assert all(r["id"] in ids and r["id"] != paper["id"] for r in related)
        assert [r["score"] for r in related] == sorted((r["score"] for r in related),
                                                       reverse=True)
        assert all(0 < r["score"] <= 1 for r in related)
        # mentioned_by is the inverse of mentions
        for target in paper["mentions"]:
            assert paper["id"] in by_id[target]["mentioned_by"]
        for source in paper["mentioned_by"]:
            assert paper["id"] in by_id[source]["mentions"]


@pytest.mark.slow
def test_report_accounts_for_every_entry(seed_site):
    report = json.loads((seed_site / "api" / "report.json").read_text(encoding="utf-8"))
    assert [(d["name"], d["entries"], d["in_catalog"], d["not_in_catalog"])
            for d in report["dumps"]] == [
        ("000_a6daf8e0419ec6f3.txt", 119, 119, 0),
        ("001_610fac291a8fe53f.txt", 73, 73, 0),
        ("002_884800d94571ae27.txt", 57, 57, 0),
        ("003_efd9a09d0d54f16e.txt", 57, 57, 0),
        ("004_ffdd1db657f08ffa.txt", 119, 119, 0),
    ]


@pytest.mark.slow
def test_builds_are_byte_identical(seed_site, tmp_path):
    other = tmp_path / "site"
    result = run_cli("build", "--site", str(other), "--quiet",
                     env={"TZ": "Asia/Kolkata", "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "77"})
    assert result.returncode == 0, result.stderr
    assert tree_digest(other) == tree_digest(seed_site)


def test_input_errors_write_nothing(tmp_path):
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    shutil.copy(DUMPS / "000_a6daf8e0419ec6f3.txt", dumps)
    (dumps / "2025-01-01_empty.txt").write_bytes(b"")
    site = tmp_path / "site"
    result = run_cli("build", "--dumps", "dumps", "--site", "site", cwd=tmp_path)
    assert result.returncode == 1
    assert "dumps/2025-01-01_empty.txt:1: error: empty file" in result.stderr.splitlines()
    assert "Traceback" not in result.stderr
    assert not site.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dumps"]


@pytest.mark.slow
def test_failed_build_keeps_previous_site(seed_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(seed_site, site)
    before = tree_digest(site)
    # a configuration mkdocs rejects makes the build fail after the catalog was made
    bad = tmp_path / "mkdocs.yml"
    bad.write_text((REPO / "mkdocs.yml").read_text(encoding="utf-8").replace(
        "custom_dir: overrides", "custom_dir: no-such-folder"), encoding="utf-8")
    (tmp_path / "docs").mkdir()
    result = run_cli("build", "--site", str(site), "--config", str(bad))
    assert result.returncode == 3
    assert "the previous site is unchanged" in result.stderr
    assert "Traceback" not in result.stderr
    assert tree_digest(site) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docs", "mkdocs.yml", "site"]


def test_missing_dumps_folder(tmp_path):
    result = run_cli("check", "--dumps", str(tmp_path / "nope"))
    assert result.returncode == 1
    assert result.stderr.strip().endswith("no such folder of dumps")


def test_schema_is_documented():
    text = (REPO / "docs" / "data.md").read_text(encoding="utf-8")
    from generator.links import Links
    from generator.model import Paper

    record = paper_record(Paper("x", "t", "a", None, (), (), (), "d", "d"), Links({}, {}, {}))
    for key in record:
        assert f"`{key}`" in text, key
