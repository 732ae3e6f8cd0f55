"""Curated tags end to end: a contributor's good files pass `check` and show up on the
built pages (paper, tag, topic pages, feeds, search index, export), text stays text,
and the "Suggest tags" links lead to the right file in GitHub's web editor."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import feedparser
import pytest
import yaml

from generator.model import Paper
from generator.tags import CuratedFile, suggest_url
from generator.writer import repository

from conftest import REPO, parse_pages, run_cli

GOOD = Path(__file__).parent / "fixtures" / "tags" / "good"
MAMBA = "a-survey-of-mamba"
AGENT = "agent-ai-surveying-the-horizons-of-multimodal-interaction"
REPO_URL = "https://github.com/someone/paper-index-fork"


@pytest.fixture(scope="module")
def curation(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("curation")
    for name in ("topics.yml", "duplicates.yml"):
        shutil.copy(REPO / "curation" / name, folder / name)
    shutil.copy(GOOD / "tags.yml", folder / "tags.yml")
    shutil.copytree(GOOD / "tags", folder / "tags")
    return folder


@pytest.fixture(scope="module")
def site(curation, tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("tagged") / "site"
    result = run_cli("build", "--curation", str(curation), "--site", str(site), "--quiet",
                     env={"REPO_URL": REPO_URL})
    assert result.returncode == 0, result.stderr
    return site


@pytest.fixture(scope="module")
def pages(site):
    return parse_pages(site)


def test_good_files_pass_check(curation):
    result = run_cli("check", "--curation", str(curation))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors, 0 warnings" in result.stderr + result.stdout
    assert "2 tagged" in result.stderr + result.stdout


def test_paper_page_lists_its_tags_with_meanings(pages):
    page = pages[f"papers/{MAMBA}/index.html"]
    links = page.select(".paper__tags a.label--tag")
    assert [a.get_text() for a in links] == ["#foundational", "#open-source"]
    assert [a["href"] for a in links] == ["../../tags/foundational/", "../../tags/open-source/"]
    meanings = [li.select_one(".paper__tag-meaning").get_text()
                for li in page.select(".paper__tags li")]
    # the description is shown exactly as written, as text
    assert meanings[1] == "Code released <img src=x onerror=alert(1)> {% include 'mkdocs.yml' %} " \
                          "**really**"
    assert page.select(".paper img, .paper script, .paper strong") == []


def test_topic_corrections_and_note(pages):
    page = pages[f"papers/{AGENT}/index.html"]
    topics = [li.a.get_text() for li in page.select(".paper__topics li")]
    # why each topic, folded for curators: "<topic>: <why>"
    why = dict(li.get_text().split(": ", 1) for li in page.select("details.paper__why li"))
    assert sorted(why) == sorted(topics)
    assert why["Surveys, tutorials and libraries"] == "added by curators"
    assert not any("Multimodal" in t for t in topics)
    note = page.select_one(".paper__note").get_text()
    assert note == ("Curators' note: Survey in all but name <script>alert(1)</script> "
                    "{{ 7*7 }} [x](javascript:alert(1))")
    assert page.select(".paper script, .paper a[href^=javascript]") == []
    surveys = pages["topics/surveys/index.html"]
    assert any(a["href"] == f"../../papers/{AGENT}/" for a in surveys.select("a.paper-item__title"))
    multimodal = pages["topics/multimodal/index.html"]
    assert not any(a["href"] == f"../../papers/{AGENT}/"
                   for a in multimodal.select("a.paper-item__title"))


def test_tag_pages(pages):
    index = pages["tags/index.html"]
    rows = {tr.a.get_text(): tr.find_all("td")[0].get_text()
            for tr in index.select("article table tbody tr")}
    assert rows == {"#foundational": "1", "#open-source": "1", "#technical-report": "1"}
    tag = pages["tags/open-source/index.html"]
    assert [a["href"] for a in tag.select("a.paper-item__title")] == [f"../../papers/{MAMBA}/"]
    assert tag.title.get_text().startswith("#open-source")
    feeds = {link["href"] for link in tag.select('link[rel~="alternate"]')}
    assert "../../feeds/tags/open-source.xml" in feeds
    # on topic pages, each paper's tags link to the tag pages
    topic = pages["topics/state-space-models/index.html"]
    item = next(li for li in topic.select("li.paper-item")
                if li.a["href"] == f"../../papers/{MAMBA}/")
    assert [a["href"] for a in item.select("a.label--tag")] == [
        "../../tags/foundational/", "../../tags/open-source/"]


def test_tag_feeds(site):
    feed = feedparser.parse((site / "feeds" / "tags" / "open-source.xml").read_bytes())
    assert feed.bozo == 0
    assert [e.link.rsplit("/", 2)[-2] for e in feed.entries] == [MAMBA]
    data = json.loads((site / "feeds" / "tags" / "technical-report.json").read_text("utf-8"))
    assert [i["url"].rsplit("/", 2)[-2] for i in data["items"]] == [AGENT]


def test_search_index_and_export_carry_tags(site):
    meta = json.loads(gzip.decompress((site / "search-index" / "meta.json.gz").read_bytes()))
    assert meta["tags"] == ["foundational", "open-source", "technical-report"]
    facets = json.loads(gzip.decompress((site / "search-index" / "facets.json.gz").read_bytes()))
    assert [len(members) for members in facets["tag"]] == [1, 1, 1]
    papers = json.loads((site / "api" / "papers.json").read_text("utf-8"))["papers"]
    tags = {p["id"]: p["tags"] for p in papers if p["tags"]}
    assert tags == {MAMBA: ["foundational", "open-source"], AGENT: ["technical-report"]}


def test_suggest_links_open_the_paper_s_file(pages):
    tagged = pages[f"papers/{MAMBA}/index.html"].select_one(".paper__suggest a")
    assert tagged.get_text() == "Suggest tags"
    assert tagged["href"] == f"{REPO_URL}/edit/main/curation/tags/{MAMBA}.yml"
    untagged_id = "efficient-transformers-a-survey"
    link = pages[f"papers/{untagged_id}/index.html"].select_one(".paper__suggest a")["href"]
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == \
        f"{REPO_URL}/new/main/curation/tags"
    query = parse_qs(parts.query)
    assert query["filename"] == [f"{untagged_id}.yml"]
    prefilled = query["value"][0]
    assert prefilled.startswith("# Curated tags for: Efficient Transformers: A Survey\n")
    assert yaml.safe_load(prefilled) == {"tags": [None]}


def _paper(title: str) -> Paper:
    return Paper("some-id", title, "", None, (), (), (), "d", "d")


def test_suggest_url_without_repository_is_empty():
    assert suggest_url("", "main", _paper("T"), None) == ""
    edit = suggest_url("https://github.com/o/r/", "dev", _paper("T"),
                       CuratedFile("curation/tags/2401.05252.yml", None))
    assert edit == "https://github.com/o/r/edit/dev/curation/tags/2401.05252.yml"
    # a title cannot break out of the prefilled comment or the query
    hostile = suggest_url("https://github.com/o/r", "main", _paper("a\n&x=1#tags: [evil]"),
                          None)
    value = parse_qs(urlsplit(hostile).query)["value"][0]
    assert yaml.safe_load(value) == {"tags": [None]}
    assert parse_qs(urlsplit(hostile).query).keys() == {"filename", "value"}


def test_repository_comes_from_mkdocs_yml(tmp_path, monkeypatch):
    monkeypatch.delenv("REPO_URL", raising=False)
    repo_url, branch = repository(REPO / "mkdocs.yml")
    assert repo_url.startswith("https://github.com/") and branch == "main"
    monkeypatch.setenv("REPO_URL", REPO_URL)
    assert repository(REPO / "mkdocs.yml") == (REPO_URL, "main")
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: x\n", encoding="utf-8")
    assert repository(config) == ("", "")


def test_contributing_lists_the_vocabulary():
    """docs/contributing.md shows the vocabulary; it must say what curation/tags.yml says."""
    vocabulary = yaml.safe_load((REPO / "curation" / "tags.yml").read_text("utf-8"))
    text = (REPO / "docs" / "contributing.md").read_text("utf-8")
    rows = dict(re.findall(r"^\| `([a-z0-9-]+)` \| (.+?) \|$", text, re.M))
    assert rows == vocabulary, "update the table in docs/contributing.md"


def test_repository_curation_passes_check():
    result = run_cli("check", "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr
