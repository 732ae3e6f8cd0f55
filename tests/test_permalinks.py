"""A permalink once published never breaks: it leads to the same paper, or redirects to it."""

from __future__ import annotations

import json
import re
import shutil
from itertools import combinations
from pathlib import Path

import pytest

from generator.catalog import build_catalog
from generator.readers import list_dumps, read_all

from conftest import DUMPS, run_cli

SEEDS = [p.name for p in list_dumps(DUMPS)]


def _catalog(folder: Path, names: list[str]):
    return build_catalog(read_all([folder / n for n in names]))


def _resolve(catalog, url_id: str):
    for paper in catalog.papers:
        if paper.id == url_id or url_id in paper.aliases:
            return paper
    return None


def _sources(paper) -> set[tuple[str, int]]:
    return {(s.dump, s.line) for s in paper.sources}


@pytest.mark.parametrize("subset", [
    *[list(c) for c in combinations(SEEDS, 1)],
    [SEEDS[1], SEEDS[3]],
    [SEEDS[0], SEEDS[2], SEEDS[4]],
    SEEDS[2:],
])
def test_every_subset_id_still_leads_to_its_paper(subset):
    before = _catalog(DUMPS, subset)
    after = _catalog(DUMPS, SEEDS)
    for paper in before.papers:
        for url_id in (paper.id, *paper.aliases):
            now = _resolve(after, url_id)
            assert now is not None, url_id
            assert _sources(paper) <= _sources(now), url_id


TEXT = "Get trending papers in your email inbox!\nSubscribe{body}"
ABSTRACT = ("We study attention sinks in vision transformers and show that a handful of "
            "background tokens absorb most of the attention mass in every layer. Removing them "
            "hurts accuracy, while giving the model explicit register tokens removes the "
            "artefacts and improves dense prediction on detection and segmentation.")
OTHER = ("Diffusion models generate images by reversing a noising process. We show that a "
         "small adapter trained on a few hundred pairs controls layout, and we evaluate it on "
         "three benchmarks where it matches much larger models at a fraction of the cost.")


def _dump(folder: Path, name: str, pairs: list[tuple[str, str]]) -> None:
    body = "\n".join(f"{t}\n{a}" for t, a in pairs)
    (folder / name).write_text(TEXT.format(body=body) + "\n", encoding="utf-8")


def test_backfilled_variant_and_merge_keep_old_links(tmp_path):
    _dump(tmp_path, "2024-03-02_daily.txt", [("Vision Transformers Need Registers!", ABSTRACT),
                                            ("Layout Control for Diffusion", OTHER)])
    before = _catalog(tmp_path, ["2024-03-02_daily.txt"])
    # an older dump added later spells the first title differently; it becomes the
    # earliest entry, so the paper's id changes and the old one must redirect
    _dump(tmp_path, "2024-03-01_daily.txt", [("Vision Transformers Need Registers", ABSTRACT),
                                            ("Layout control for diffusion models", OTHER)])
    after = _catalog(tmp_path, ["2024-03-01_daily.txt", "2024-03-02_daily.txt"])
    assert len(after.papers) == 2
    for paper in before.papers:
        now = _resolve(after, paper.id)
        assert now is not None and _sources(paper) <= _sources(now)
    moved = _resolve(after, "vision-transformers-need-registers")
    assert moved.id == "vision-transformers-need-registers"
    assert moved.title_variants == ("Vision Transformers Need Registers!",) or \
        moved.title == "Vision Transformers Need Registers!"


def test_slug_collision_between_different_papers(tmp_path):
    _dump(tmp_path, "2024-03-01_daily.txt", [("Universal Transformers", ABSTRACT)])
    _dump(tmp_path, "2024-03-02_daily.txt", [("Universal Transformers", OTHER)])
    catalog = _catalog(tmp_path, ["2024-03-01_daily.txt", "2024-03-02_daily.txt"])
    ids = sorted(p.id for p in catalog.papers)
    assert ids[0] == "universal-transformers"
    assert re.fullmatch(r"universal-transformers-[0-9a-f]{6}", ids[1])


def _paper_at(site: Path, url: str, papers: dict[str, dict], hops: int = 3) -> dict | None:
    page = site / url / "index.html"
    if not page.is_file():
        return None
    html = page.read_text(encoding="utf-8")
    found = re.search(r'data-paper-id="([^"]+)"', html)
    if found:
        return papers.get(found.group(1))
    refresh = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', html)
    if refresh and hops:
        target = (Path(url) / refresh.group(1)).as_posix()
        parts: list[str] = []
        for part in target.split("/"):
            if part == "..":
                parts.pop()
            elif part and part != ".":
                parts.append(part)
        return _paper_at(site, "/".join(parts) + "/", papers, hops - 1)
    return None


@pytest.mark.slow
def test_published_urls_survive_adding_dumps(tmp_path):
    subset = tmp_path / "subset"
    subset.mkdir()
    for name in (SEEDS[1], SEEDS[3]):
        shutil.copy(DUMPS / name, subset / name)
    site = tmp_path / "site"
    # curated rules name papers of all dumps; a subset build uses none
    (tmp_path / "no-curation").mkdir()
    first = run_cli("build", "--dumps", str(subset), "--site", str(site), "--quiet",
                    "--curation", str(tmp_path / "no-curation"))
    assert first.returncode == 0, first.stderr
    old = json.loads((site / "api" / "papers.json").read_text(encoding="utf-8"))["papers"]
    recorded = [(url, p) for p in old for url in (p["url"], *p["aliases"])]
    assert len(recorded) >= len(old) == 113
    second = run_cli("build", "--dumps", str(DUMPS), "--site", str(site), "--quiet")
    assert second.returncode == 0, second.stderr
    new = {p["id"]: p for p in
           json.loads((site / "api" / "papers.json").read_text(encoding="utf-8"))["papers"]}
    for url, paper in recorded:
        now = _paper_at(site, url, new)
        assert now is not None, url
        assert {(s["dump"], s["line"]) for s in paper["sources"]} <= \
            {(s["dump"], s["line"]) for s in now["sources"]}, url
