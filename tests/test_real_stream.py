"""The real Daily Papers stream: real API days and the shapes made from real records.

Fixtures: `tests/fixtures/real/` (its README says where each file comes from). The last
tests read all 142 real days of 2024 when the archive is beside the repository
(`../shared/real/api-2024/`), and skip otherwise.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import re
import shutil
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.catalog import build_catalog
from generator.links import link
from generator.model import ERROR, WARNING, Catalog
from generator.readers import list_dumps, read_all, read_dump
from generator.readers.dates import records_period
from generator.render import SiteInput, build_site_model
from generator.topics import classify, load_taxonomy

from conftest import REPO, run_cli

REAL = REPO / "tests" / "fixtures" / "real"
CORPUS = REPO.parent / "shared" / "real" / "api-2024"
NO_CORPUS = f"the archive of real days is not beside the repository ({CORPUS.name} in " \
            "../shared/real/)"

# each real day copied here, and the days its records were on Daily Papers (the
# record's own `publishedAt`), counted from the raw JSON
DAYS = {
    "2024-07-05": {"2024-07-05": 3},
    "2024-09-03": {"2024-09-03": 2},
    "2024-11-07": {"2024-11-07": 5},
    "2024-11-29": {"2024-11-28": 1, "2024-11-29": 4},
    "2024-12-09": {"2024-12-08": 9, "2024-12-09": 4},
}
DERIVED = ["saved_page.html", "time_only.html", "papers_list.json", "paper.json",
           "scraped_links.json", "scraped_details.json", "weekly_answer.json",
           "monthly_answer.json"]


def raw(name: str) -> bytes:
    return (REAL / name).read_bytes()


def records(name: str) -> list | dict:
    return json.loads(raw(name))


def read(name: str, as_name: str | None = None):
    return read_dump(as_name or name, raw(name))


def listed_days(answer: list[dict]) -> Counter:
    """The days records were on Daily Papers, straight from the JSON."""
    return Counter(r["publishedAt"][:10] for r in answer)


def facts(entries) -> list[tuple]:
    return [(e.arxiv_id, e.title, e.abstract, e.authors, e.upvotes, e.published)
            for e in entries]


def api_entries(day: str) -> dict:
    """The entries of a real day's answer, by arXiv id."""
    return {e.arxiv_id: e for e in read(f"{day}_api.json").entries}


def dump_fields(result) -> tuple:
    d = result.dump
    return (d.format, d.layout, d.date, d.date_label, d.date_source, d.period, d.entry_count)


# --- the fixtures are what they say they are ------------------------------------------------


def test_fixture_folder_holds_the_files_its_readme_lists():
    names = sorted(p.name for p in REAL.iterdir())
    assert names == sorted([*(f"{d}_api.json" for d in DAYS), *DERIVED, "README.md",
                            "derive.py"])
    readme = (REAL / "README.md").read_text(encoding="utf-8")
    for name in (n for n in names if n != "README.md"):
        assert f"`{name}`" in readme, name


@pytest.mark.skipif(not CORPUS.is_dir(), reason=NO_CORPUS)
def test_real_days_are_copied_byte_for_byte_and_shapes_derive_again():
    for day in DAYS:
        assert raw(f"{day}_api.json") == (CORPUS / f"{day}_api.json").read_bytes(), day
    spec = importlib.util.spec_from_file_location("derive", REAL / "derive.py")
    derive = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(derive)
    made = derive.derive(CORPUS)
    assert sorted(made) == sorted(DERIVED)
    for name, text in made.items():
        assert raw(name) == text.encode("utf-8"), name


# --- 1. dates from content ------------------------------------------------------------------


@pytest.mark.parametrize("day", sorted(DAYS))
def test_a_real_day_is_dated_by_its_records(day):
    answer = records(f"{day}_api.json")
    assert listed_days(answer) == DAYS[day]  # the days the answer's records were listed on
    expected_ids = [r["paper"]["id"] for r in answer]
    for name in ("daily_papers.json", "answer.txt"):
        result = read(f"{day}_api.json", name)
        assert dump_fields(result) == ("json", "api", day, day, "content", day, len(answer))
        assert result.problems == ()
        assert [e.arxiv_id for e in result.entries] == expected_ids
    named = read(f"{day}_api.json")
    assert dump_fields(named) == ("json", "api", day, day, "file name", day, len(answer))
    assert named.problems == ()


def test_the_most_common_day_is_not_always_the_answers_day():
    """Monday 2024-12-09: most of its records were submitted on Sunday evening."""
    days = listed_days(records("2024-12-09_api.json"))
    assert days.most_common(1) == [("2024-12-08", 9)]
    assert read("2024-12-09_api.json", "daily_papers.json").dump.date == "2024-12-09"


def test_a_file_name_that_disagrees_with_the_content_wins_and_is_said():
    result = read("2024-11-29_api.json", "2024-11-28_api.json")
    assert dump_fields(result)[2:6] == ("2024-11-28", "2024-11-29", "file name", "2024-11-28")
    assert [p.format() for p in result.problems] == [
        "2024-11-28_api.json:1: warning: file name says 2024-11-28 but the content says "
        "2024-11-29; using the file name (got '2024-11-29')"]


DATE_PROP = "&quot;date&quot;:&quot;2024-11-29T00:00:00.000Z&quot;"
SECTION = '<section class="container pt-6">\n'


def test_saved_page_is_dated_by_the_date_in_its_data():
    text = raw("saved_page.html").decode("utf-8")
    assert text.count(DATE_PROP) == 1
    assert "dateString" not in text and "<time" not in text
    result = read("saved_page.html")
    assert dump_fields(result) == ("html", "data-props", "2024-11-29", "2024-11-29", "content",
                                   "2024-11-29", 5)
    assert result.problems == ()
    api = read("2024-11-29_api.json")
    assert facts(result.entries) == facts(api.entries)
    assert len(set(facts(result.entries))) == 5
    # the data-props are one line: every record is on the line of the attribute
    line = text.split("\n")[result.entries[0].line - 1]
    assert line.startswith('<div class="SVELTE_HYDRATER contents" data-target="DailyPapers" '
                           'data-props="')
    assert {e.line for e in result.entries} == {result.entries[0].line}


@pytest.mark.parametrize(("date_prop", "time", "expected"), [
    # the date the page's data states, over the one it shows and its records' days
    ("&quot;date&quot;:&quot;2024-11-30T00:00:00.000Z&quot;", "2024-11-27", "2024-11-30"),
    # without it, the date heading the page shows, over its records' days
    (None, "2024-11-27", "2024-11-27"),
    # with neither, its records' days
    (None, None, "2024-11-29"),
])
def test_which_date_a_saved_page_is_given(date_prop, time, expected):
    text = raw("saved_page.html").decode("utf-8")
    assert text.count("," + DATE_PROP) == 1 and text.count(SECTION) == 1
    text = text.replace("," + DATE_PROP, "," + date_prop if date_prop else "")
    if time:
        text = text.replace(SECTION, f'{SECTION}<time datetime="{time}">Nov 27</time>\n')
    assert (DATE_PROP in text, "<time" in text) == (False, bool(time))
    result = read_dump("saved_page.html", text.encode("utf-8"))
    assert (result.dump.date, result.dump.date_source) == (expected, "content")
    assert len(result.entries) == 5 and result.problems == ()


def test_page_with_only_a_time_heading():
    text = raw("time_only.html").decode("utf-8")
    assert "data-props" not in text
    assert re.findall(r'<time datetime="([^"]*)"', text) == ["2024-07-05"]
    result = read("time_only.html")
    assert dump_fields(result) == ("html", "cards", "2024-07-05", "2024-07-05", "content",
                                   "2024-07-05", 3)
    lines = text.split("\n")
    assert [lines[e.line - 1][:8] for e in result.entries] == ["<article"] * 3
    assert [p.format() for p in result.problems] == [
        f"time_only.html:{result.entries[0].line}: warning: no data-props; read 3 visible "
        "paper cards, which have no abstracts"]
    api = read("2024-07-05_api.json").entries
    assert [(e.arxiv_id, e.title, e.abstract) for e in result.entries] == [
        (e.arxiv_id, e.title, "") for e in api]


def test_one_card_is_said_in_the_singular():
    text = raw("time_only.html").decode("utf-8")
    first, rest = text.split("</article>\n", 1)
    assert rest.count("<article") == 2
    one = first + "</article>\n" + rest[rest.index("</div>\n</section>"):]
    result = read_dump("time_only.html", one.encode("utf-8"))
    assert len(result.entries) == 1
    assert [p.message for p in result.problems] == [
        "no data-props; read 1 visible paper card, which has no abstract"]


# --- 4. JSON shapes seen in the wild --------------------------------------------------------


def test_a_list_of_bare_paper_objects():
    data = records("papers_list.json")
    assert [sorted(p) for p in data] == [sorted(r["paper"]) for r in
                                         records("2024-09-03_api.json")]
    assert all({"id", "title", "summary", "authors", "upvotes", "publishedAt"} <= set(p)
               and "paper" not in p for p in data)
    result = read("papers_list.json")
    assert dump_fields(result) == ("json", "papers", None, None, "none", None, 2)
    assert result.problems == ()
    assert facts(result.entries) == facts(read("2024-09-03_api.json").entries)
    # a paper object does not say when it was on Daily Papers: the name can
    named = read("papers_list.json", "2024-09-03_papers.json")
    assert dump_fields(named)[2:6] == ("2024-09-03", "2024-09-03", "file name", "2024-09-03")


def test_a_single_paper_object():
    data = records("paper.json")
    assert isinstance(data, dict)
    assert (data["id"], data["upvotes"], len(data["authors"])) == ("2411.03590", 1, 7)
    result = read("paper.json")
    assert dump_fields(result) == ("json", "papers", None, None, "none", None, 1)
    assert result.problems == ()
    assert [e.line for e in result.entries] == [1]
    assert facts(result.entries) == facts([api_entries("2024-11-07")["2411.03590"]])
    assert result.entries[0].authors[0] == "Harsha Nori"
    assert result.entries[0].published == "2024-11-06T01:09:17.000Z"


def test_scraped_links_keep_ids_authors_dates_and_warn_for_each_missing_abstract():
    data = records("scraped_links.json")
    assert [sorted(r) for r in data] == [
        ["arxiv_id", "authors", "link", "published", "title", "upvotes"]] * 3
    text = raw("scraped_links.json").decode("utf-8")
    starts = [k + 1 for k, line in enumerate(text.split("\n")) if line == "    {"]
    assert len(starts) == 3
    result = read("scraped_links.json")
    assert dump_fields(result) == ("json", "scraped", None, None, "none", None, 3)
    api = read("2024-07-05_api.json").entries
    assert [(e.arxiv_id, e.authors, e.upvotes, e.published) for e in result.entries] == [
        (e.arxiv_id, e.authors, e.upvotes, e.published) for e in api]
    assert [e.abstract for e in result.entries] == ["", "", ""]
    assert [e.line for e in result.entries] == starts
    assert [(p.path, p.line, p.severity, p.message, p.value, p.lost_entry)
            for p in result.problems] == [
        ("scraped_links.json", line, WARNING, "record has no abstract; kept with its title only",
         r["title"], False) for line, r in zip(starts, data, strict=True)]
    assert result.problems[0].format().startswith(
        f"scraped_links.json:{starts[0]}: warning: record has no abstract; kept with its title "
        "only (got 'Let the Expert Stick to His Last")


def test_scraped_details_keep_the_abstract_authors_and_date_from_details():
    data = records("scraped_details.json")
    assert [(sorted(r), sorted(r["details"])) for r in data] == [
        (["details", "paper_url", "title"], ["abstract", "authors", "published"])] * 5
    result = read("scraped_details.json")
    assert dump_fields(result) == ("json", "scraped", None, None, "none", None, 5)
    assert result.problems == ()
    api = read("2024-11-07_api.json").entries
    assert [(e.arxiv_id, e.title, e.abstract, e.authors, e.published)
            for e in result.entries] == [
        (e.arxiv_id, e.title, e.abstract, e.authors, e.published) for e in api]
    assert all(e.abstract and e.authors and e.published for e in result.entries)


def test_a_weekly_answer_is_dated_by_its_iso_week():
    answer = records("weekly_answer.json")
    assert answer[:13] == records("2024-12-09_api.json") and len(answer) == 25
    days = listed_days(answer)
    assert days == {"2024-12-08": 9, "2024-12-09": 4, "2024-12-10": 12}
    # Sunday the 8th is in ISO week 49: the records submitted the evening before
    assert dt.date(2024, 12, 8).isocalendar()[:2] == (2024, 49)
    result = read("weekly_answer.json")
    assert dump_fields(result) == ("json", "api", "2024-12-09", "2024-W50", "content",
                                   "2024-W50", 25)
    assert result.problems == ()
    assert [e.arxiv_id for e in result.entries] == [r["paper"]["id"] for r in answer]
    named = read("weekly_answer.json", "2024-W50_api.json")
    assert (named.dump.date_source, named.dump.period, named.problems) == (
        "file name", "2024-W50", ())
    misnamed = read("weekly_answer.json", "2024-W49_api.json")
    assert [p.format() for p in misnamed.problems] == [
        "2024-W49_api.json:1: warning: file name says 2024-W49 but the content says "
        "2024-W50; using the file name (got '2024-W50')"]


def test_a_monthly_answer_is_dated_by_its_month():
    answer = records("monthly_answer.json")
    days = listed_days(answer)
    assert (len(answer), min(days), max(days)) == (21, "2024-11-01", "2024-11-28")
    assert {dt.date.fromisoformat(d).isocalendar()[1] for d in days} == {44, 45, 46, 47, 48}
    result = read("monthly_answer.json")
    assert dump_fields(result) == ("json", "api", "2024-11-01", "2024-11", "content",
                                   "2024-11", 21)
    assert result.problems == ()


def test_records_dated_at_the_end_of_9999_leave_the_answer_undated():
    """The week and month of 9999-12-31 run past the last date Python has: no crash."""
    answer = records("2024-11-29_api.json")[:3]
    stamps = ["9999-12-29T23:00:00.000Z", "9999-12-30T09:00:00.000Z", "9999-12-31T09:00:00.000Z"]
    dated = [{**r, "publishedAt": stamp} for r, stamp in zip(answer, stamps, strict=True)]
    assert listed_days(dated) == {"9999-12-29": 1, "9999-12-30": 1, "9999-12-31": 1}
    result = read_dump("answer.json", json.dumps(dated).encode())
    assert (result.dump.date, result.dump.period, len(result.entries)) == (None, None, 3)
    named = read_dump("9999-W52_api.json", json.dumps(dated).encode())
    assert (named.dump.date, named.dump.period) == (None, None)


def _fixture_dumps(tmp_path: Path, names: list[str] | None = None,
                   renamed: dict[str, str] | None = None) -> Path:
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    for name in names or [*(f"{d}_api.json" for d in DAYS), *DERIVED]:
        shutil.copyfile(REAL / name, dumps / (renamed or {}).get(name, name))
    return dumps


def _curation(tmp_path: Path) -> Path:
    """The repository's taxonomy and tag vocabulary, without the curated files that name
    the seed dumps' papers."""
    folder = tmp_path / "curation"
    folder.mkdir()
    for name in ("topics.yml", "tags.yml"):
        shutil.copyfile(REPO / "curation" / name, folder / name)
    return folder


def _all_ids() -> set[str]:
    """Every arXiv id the fixtures hold, from their JSON (the HTML pages and scraped
    lists were made from days whose answers are here)."""
    ids = {r["paper"]["id"] for d in DAYS for r in records(f"{d}_api.json")}
    ids |= {r["paper"]["id"] for n in ("weekly_answer.json", "monthly_answer.json")
            for r in records(n)}
    return ids | {p["id"] for p in records("papers_list.json")} | {records("paper.json")["id"]}


def test_every_shape_in_one_catalog(tmp_path):
    results = read_all(list_dumps(_fixture_dumps(tmp_path)))
    catalog = build_catalog(results)
    lists = [records(n) for n in [*(f"{d}_api.json" for d in DAYS), "papers_list.json",
                                  "scraped_links.json", "scraped_details.json",
                                  "weekly_answer.json", "monthly_answer.json"]]
    pages = [raw(n).decode("utf-8").count("<article") for n in ("saved_page.html",
                                                               "time_only.html")]
    assert (sum(map(len, lists)), pages) == (84, [5, 3])  # and paper.json: one more
    entries = sum(len(r.entries) for r in results)
    assert entries == sum(r.dump.entry_count for r in results) == catalog.entry_count == 93
    assert not any(p.lost_entry or p.severity == ERROR for p in catalog.problems)

    def said(problems) -> list[tuple]:
        return sorted((p.path.rsplit("/", 1)[-1], p.line, p.severity, p.message, p.value)
                      for p in problems)

    assert said(catalog.problems) == said([*read("scraped_links.json").problems,
                                           *read("time_only.html").problems])
    assert len(catalog.problems) == 4
    ids = _all_ids()
    assert len(ids) == 59
    # one paper per arXiv id, and none without one
    assert sorted(p.arxiv_id for p in catalog.papers) == sorted(ids)
    medprompt = next(p for p in catalog.papers if p.arxiv_id == "2411.03590")
    assert sorted(s.dump for s in medprompt.sources) == [
        "2024-11-07_api.json", "paper.json", "scraped_details.json"]
    assert (medprompt.authors, medprompt.upvotes, medprompt.published) == (
        api_entries("2024-11-07")["2411.03590"].authors, 1, "2024-11-06T01:09:17.000Z")


# --- 2. one digest per day ------------------------------------------------------------------


def test_the_same_day_saved_twice_is_one_digest(tmp_path):
    dumps = _fixture_dumps(tmp_path, [*(f"{d}_api.json" for d in DAYS), *DERIVED])
    catalog = build_catalog(read_all(list_dumps(dumps)))
    digests = {d.dump.period or d.dump.name: d for d in catalog.digests}
    assert len(digests) == len(catalog.digests) == 11
    assert sorted(digests) == sorted([*DAYS, "2024-W50", "2024-11", "papers_list.json",
                                      "paper.json", "scraped_links.json",
                                      "scraped_details.json"])
    # labels for people, no two alike: dated by their day, week or month; the dumps without
    # any date by their place (they sort first, by name)
    labels = [d.label for d in catalog.digests]
    assert len(set(labels)) == len(labels)
    assert labels == [
        "saved digest 1, undated", "saved digest 2, undated", "saved digest 3, undated",
        "saved digest 4, undated", "Jul 5, 2024", "Sep 3, 2024", "November 2024",
        "Nov 7, 2024", "Nov 29, 2024", "Dec 9, 2024", "Week 50 of 2024"]
    assert [d.dump.name for d in catalog.digests[:4]] == [
        "paper.json", "papers_list.json", "scraped_details.json", "scraped_links.json"]
    day = digests["2024-11-29"]
    assert [d.name for d in day.dumps] == ["2024-11-29_api.json", "saved_page.html"]
    assert (day.slug, day.aliases, day.size) == ("2024-11-29", ("2024-11-29-api", "saved-page"),
                                                 5)
    assert [d.name for d in digests["2024-07-05"].dumps] == ["2024-07-05_api.json",
                                                            "time_only.html"]


def _site(dumps: Path):
    catalog = build_catalog(read_all(list_dumps(dumps)))
    taxonomy, problems = load_taxonomy(REPO / "curation")
    assert problems == []
    catalog = replace(catalog, papers=classify(catalog.papers, taxonomy))
    model = build_site_model(SiteInput(catalog, taxonomy, link(catalog.papers),
                                       "https://example.org/"))
    return catalog, dict(model.docs), dict(model.files)


def _html(markdown: str) -> BeautifulSoup:
    return BeautifulSoup(markdown.split("\n---\n", 1)[1], "html.parser")


def _paper(catalog: Catalog, arxiv_id: str):
    return next(p for p in catalog.papers if p.arxiv_id == arxiv_id)


@pytest.fixture(scope="module")
def day_twice(tmp_path_factory):
    """2024-11-29 saved as the API answer and as a page; 2024-12-09 as its day's answer
    and within the week's."""
    dumps = _fixture_dumps(tmp_path_factory.mktemp("twice"), [
        "2024-11-29_api.json", "saved_page.html", "2024-12-09_api.json", "weekly_answer.json"])
    return dumps, *_site(dumps)


def test_one_digest_page_lists_both_sources(day_twice):
    _, _, docs, files = day_twice
    assert sorted(p for p in docs if p.startswith("digests/")) == [
        "digests/2024-11-29.md", "digests/2024-12-09.md", "digests/2024-w50.md",
        "digests/index.md", "digests/months/2024-11.md", "digests/months/2024-12.md"]
    page = _html(docs["digests/2024-11-29.md"])
    assert page.select_one("h1").get_text() == "Digest of Nov 29, 2024"
    assert [c.get_text() for c in page.select(".digest__source")] == [
        "2024-11-29_api.json", "saved_page.html"]
    assert page.select_one(".digest__facts").get_text().startswith(
        "Nov 29, 2024: 5 papers, 5 new to the index and 0 seen in an earlier digest. Each "
        "paper is listed once, under the topic it matches best. From 2024-11-29_api.json and "
        "saved_page.html.")
    assert page.select_one(".digest__facts time")["datetime"] == "2024-11-29"
    for alias in ("2024-11-29-api", "saved-page"):
        assert 'url=../2024-11-29/"' in files[f"digests/{alias}/index.html"]
    # the archive leads with the latest month; each month has its page
    archive = _html(docs["digests/index.md"])
    assert [r.select_one("a").get_text() for r in archive.select("tbody tr")] == [
        "Week 50 of 2024", "Dec 9, 2024"]
    # years newest first, each year's months in calendar order
    assert [a["href"] for a in archive.select("nav.months a")] == [
        "../digests/months/2024-11/", "../digests/months/2024-12/"]
    november = _html(docs["digests/months/2024-11.md"])
    assert [r.select_one("a").get_text() for r in november.select("tbody tr")] == [
        "Nov 29, 2024"]
    assert november.select_one("nav.months [aria-current=page]")["href"] == \
        "../../../digests/months/2024-11/"


def test_trends_count_the_day_once(day_twice):
    _, _, docs, _ = day_twice
    page = _html(docs["trends.md"])
    rows = [[cell.get_text() for cell in tr.select("th, td")]
            for tr in page.select(".chart__data table")[0].select("tbody tr")]
    # 2024-12-09's 13 papers are new in its day and seen before in the week
    assert rows == [["Nov 29, 2024", "5", "0"], ["Dec 9, 2024", "13", "0"],
                    ["Week 50 of 2024", "12", "13"]]
    assert page.select_one("#chart-per-period-desc").get_text() == (
        "3 digests brought 30 papers new to the index; the most in one digest, 13, came with "
        "Dec 9, 2024.")


def test_a_paper_page_counts_digests_not_entries(day_twice):
    _, catalog, docs, _ = day_twice
    twice_a_day = _paper(catalog, "2411.18203")
    assert [s.dump for s in twice_a_day.sources] == ["2024-11-29_api.json", "saved_page.html"]
    page = _html(docs[f"papers/{twice_a_day.id}.md"])
    assert "digests" not in page.select_one(".paper__facts").get_text()
    assert [a["href"] for a in page.select(".paper__sources a")] == [
        "../../digests/2024-11-29/"] * 2
    day_and_week = _paper(catalog, "2412.05271")
    assert [s.dump for s in day_and_week.sources] == ["2024-12-09_api.json",
                                                       "weekly_answer.json"]
    facts_line = _html(docs[f"papers/{day_and_week.id}.md"]).select_one(".paper__facts")
    assert " · in 2 digests · 49 upvotes" in facts_line.get_text()


def test_a_week_that_lists_a_paper_twice_is_one_digest(tmp_path):
    answer = records("weekly_answer.json")
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    (dumps / "2024-W50_api.json").write_text(json.dumps([*answer, answer[0]], indent=1),
                                             encoding="utf-8")
    catalog, docs, _ = _site(dumps)
    paper = _paper(catalog, answer[0]["paper"]["id"])
    assert [s.dump for s in paper.sources] == ["2024-W50_api.json"] * 2
    assert len(catalog.digests) == 1 and catalog.digests[0].size == 25
    facts_line = _html(docs[f"papers/{paper.id}.md"]).select_one(".paper__facts").get_text()
    assert facts_line.startswith("First seen in Week 50 of 2024 · 49 upvotes")


# --- 7. counts in words ---------------------------------------------------------------------

PLURAL_AFTER_ONE = re.compile(
    r"(?<![\d.,])1(?:</strong>)? (?:(?:new|digest|transformer|visible|paper) )*"
    r"(?:paper|upvote|digest|entrie|topic|error|warning|page|file|permalink|card)s\b")


def test_one_paper_site_says_one_in_the_singular(tmp_path):
    dumps = _fixture_dumps(tmp_path, ["paper.json"], {"paper.json": "2024-11-07_paper.json"})
    catalog, docs, _ = _site(dumps)
    paper = catalog.papers[0]
    assert (len(catalog.papers), catalog.entry_count, len(catalog.digests), paper.upvotes) == (
        1, 1, 1, 1)
    home = docs["index.md"]
    assert "1 transformer paper from the Hugging Face Daily Papers" in home
    assert ("<strong>1</strong> paper · <strong>1</strong> digest entry · <strong>1</strong> "
            "digest · ") in home
    assert "<strong>1</strong> new paper and <strong>0</strong> seen before." in home
    assert " · 1 upvote" in docs[f"papers/{paper.id}.md"]
    digest = docs["digests/2024-11-07.md"]
    assert 'description: "1 paper, 1 new."' in digest
    assert "<strong>1</strong> paper, " in digest
    assert ("1 digest brought 1 paper new to the index; the most in one digest, 1, came with "
            "Nov 7, 2024.") in docs["trends.md"]
    assert "science-and-medicine" in paper.topics  # with others the rules find
    topic = "topics/science-and-medicine/index.md"
    assert "<strong>1</strong> paper, newest first" in docs[topic]
    assert 'description: "1 paper. ' in docs[topic]
    for path, text in docs.items():
        assert PLURAL_AFTER_ONE.search(text) is None, (path, PLURAL_AFTER_ONE.search(text))


def test_the_plural_pattern_finds_what_it_should():
    assert [m.group() for m in PLURAL_AFTER_ONE.finditer(
        "1 upvotes, <strong>1</strong> new papers, 1 digest entries, 11 papers, 2.1 papers, "
        "1 upvote, 1 visible paper cards")] == [
        "1 upvotes", "1</strong> new papers", "1 digest entries", "1 visible paper cards"]


def test_check_says_one_error_one_warning_one_lost_entry(tmp_path):
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    first = records("scraped_details.json")[0]
    untitled = {k: v for k, v in records("scraped_links.json")[0].items() if k != "title"}
    text = json.dumps([first, untitled], indent=1)
    starts = [k + 1 for k, line in enumerate(text.split("\n")) if line == " {"]
    assert len(starts) == 2
    (dumps / "2024-11-07_scraped.json").write_text(text, encoding="utf-8")
    (dumps / "2024-11-08_api.json").write_bytes(b"")
    result = run_cli("check", "--dumps", str(dumps), "--curation", str(_curation(tmp_path)))
    assert result.returncode == 1
    lines = [re.sub(r" \(\d+\.\d+ s\)$", "", line) for line in result.stderr.splitlines()]
    assert lines[:2] == ["read: 2 dumps, 1 entry", "deduplicate: 1 paper"]
    assert re.fullmatch(r"classify: \d+ topics, [01] papers? unsorted, 0 tagged", lines[2])
    assert len(lines) == 7
    assert lines[3].startswith(
        f"{dumps.as_posix()}/2024-11-07_scraped.json:{starts[1]}: warning: record has no "
        "title; skipped (got '{\"arxiv_id\": \"2407.01906\", \"authors\": [\"Zihan Wang\", ")
    assert lines[4:] == [
        f"{dumps.as_posix()}/2024-11-08_api.json:1: error: empty file",
        "1 error, 1 warning; 1 entry not in the catalog (see the report)",
        "errors found: nothing was written"]


@pytest.mark.slow
def test_a_one_paper_build_and_its_ledger_say_one_in_the_singular(tmp_path):
    dumps = _fixture_dumps(tmp_path, ["paper.json"], {"paper.json": "2024-11-07_paper.json"})
    site = tmp_path / "site"
    curation = _curation(tmp_path)
    result = run_cli("build", "--dumps", str(dumps), "--site", str(site), "--curation",
                     str(curation))
    assert result.returncode == 0, result.stderr
    lines = [re.sub(r" \(\d+\.\d+ s\)$", "", line) for line in result.stderr.splitlines()]
    ledger = dumps / "permalinks.tsv"
    recorded = ledger.read_text(encoding="utf-8").splitlines()
    lines_of = [k for k, line in enumerate(recorded) if not line.startswith("#")]
    paper_id = build_catalog(read_all(list_dumps(dumps))).papers[0].id
    assert paper_id.startswith("from-medprompt-to-o1")
    # the paper, its arXiv id, the digest and the address of its dump's own name
    assert [recorded[k].split("\t")[0] for k in lines_of] == [
        "digests/2024-11-07-paper/", "digests/2024-11-07/", "papers/2411.03590/",
        f"papers/{paper_id}/"]
    # (the stage memo beside the repository's mkdocs.yml may hold this dump already)
    assert re.fullmatch(r"read: 1 dump, 1 entry; parsed before: [01]", lines[0]), lines[0]
    assert lines[1] == "deduplicate: 1 paper"
    assert lines[3:5] == ["0 errors, 0 warnings; 0 entries not in the catalog (see the report)",
                          "link: 0 papers mention others"]
    assert re.fullmatch(r"render: \d+ pages, \d+ files; paper pages rendered before: [01], "
                        r"digest pages: [01], list items: \d+ of \d+", lines[5]), lines[5]
    # the page cache beside mkdocs.yml may hold pages of earlier builds, or be cleared
    assert re.fullmatch(rf"mkdocs build: -> {re.escape(str(site))}, \d+ of \d+ pages from "
                        r"the page cache( \(cache cleared: .*\))?", lines[6]), lines[6]
    assert len(lines) == 8
    assert lines[-1] == f"recorded 4 new permalinks in {ledger.as_posix()} (commit it with " \
                        "the dumps)"
    pages = {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8")
             for p in site.rglob("*.html")}
    paper_pages = [p for p in pages if p.startswith("papers/") and "2411.03590" not in p]
    assert len(paper_pages) == 1
    facts_line = BeautifulSoup(pages[paper_pages[0]], "html.parser").select_one(".paper__facts")
    assert facts_line.get_text().startswith("First seen in Nov 7, 2024 · 1 upvote")
    for path, text in pages.items():
        assert PLURAL_AFTER_ONE.search(text) is None, path
    # the ledger misses one address: recording it says so in the singular
    ledger.write_text("\n".join(line for k, line in enumerate(recorded) if k != lines_of[1])
                      + "\n", encoding="utf-8")
    again = run_cli("ledger", "--dumps", str(dumps), "--curation", str(curation))
    assert again.returncode == 0, again.stderr
    assert again.stderr.splitlines()[-1] == (f"recorded 1 new permalink in {ledger.as_posix()} "
                                             "(commit it with the dumps)")
    assert ledger.read_text(encoding="utf-8").splitlines() == recorded


# --- a real build of the same day saved twice -----------------------------------------------


@pytest.mark.slow
def test_build_of_a_day_saved_twice(day_twice, tmp_path):
    dumps = day_twice[0]
    site = tmp_path / "site"
    result = run_cli("build", "--dumps", str(dumps), "--site", str(site), "--curation",
                     str(_curation(tmp_path)), "--ledger", str(tmp_path / "ledger.tsv"),
                     "--quiet")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""

    def page(url: str) -> BeautifulSoup:
        return BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"),
                             "html.parser")

    day = page("digests/2024-11-29/")
    assert [c.get_text() for c in day.select(".digest__source")] == [
        "2024-11-29_api.json", "saved_page.html"]
    assert int(day.select_one(".digest__new-count").get_text()) == 5
    assert page("digests/saved-page/").select_one('meta[http-equiv="refresh"]')["content"] == \
        "0; url=../2024-11-29/"
    archive = page("digests/months/2024-12/")
    assert [r.select_one("a").get_text() for r in archive.select("article table tbody tr")] \
        == ["Week 50 of 2024", "Dec 9, 2024"]
    trends = page("trends/")
    assert [tr.select_one("th").get_text()
            for tr in trends.select(".chart__data table")[0].select("tbody tr")] == [
        "Nov 29, 2024", "Dec 9, 2024", "Week 50 of 2024"]
    catalog = json.loads((site / "api" / "papers.json").read_text(encoding="utf-8"))
    assert len(catalog["papers"]) == 30
    assert [(d["name"], d["date"], d["date_source"]) for d in catalog["dumps"]] == [
        ("2024-11-29_api.json", "2024-11-29", "file name"),
        ("saved_page.html", "2024-11-29", "content"),
        ("2024-12-09_api.json", "2024-12-09", "file name"),
        ("weekly_answer.json", "2024-12-09", "content")]


# --- all 142 real days ----------------------------------------------------------------------

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=NO_CORPUS)


@pytest.fixture(scope="module")
def corpus():
    paths = sorted(CORPUS.glob("*_api.json"))
    return paths, read_all(paths)


@needs_corpus
def test_all_142_real_days(corpus):
    paths, results = corpus
    assert len(paths) == len(results) == 142
    answers = {p.name: json.loads(p.read_bytes()) for p in paths}
    raw_ids = [r["paper"]["id"] for a in answers.values() for r in a]
    assert len(raw_ids) == 1984
    assert sum(1 for a in answers.values() for r in a if not r["paper"]["summary"].strip()) == 0
    assert [p for r in results for p in r.problems] == []
    entries = [e for r in results for e in r.entries]
    assert len(entries) == sum(r.dump.entry_count for r in results) == 1984
    assert len({e.arxiv_id for e in entries}) == 1984 and None not in {e.arxiv_id
                                                                       for e in entries}
    assert sorted(e.arxiv_id for e in entries) == sorted(raw_ids)
    assert sum(1 for e in entries if not e.abstract) == 0
    for path, result in zip(paths, results, strict=True):
        day = path.name[:10]
        assert (result.dump.name, result.dump.date, result.dump.date_source) == (
            path.name, day, "file name")
        # the date its records give (what an undated name would get) is the same day
        days = [r["publishedAt"][:10] for r in answers[path.name]]
        assert records_period(days).label == day, path.name
        assert read_dump("daily_papers.json", path.read_bytes()).dump.period == day
    catalog = build_catalog(results)
    assert (len(catalog.papers), catalog.entry_count, len(catalog.digests)) == (1984, 1984, 142)


@needs_corpus
def test_every_week_and_month_of_the_real_days_is_dated_by_its_period(corpus):
    paths, _ = corpus
    weeks: dict[str, list] = {}
    months: dict[str, list] = {}
    for path in paths:
        year, week, _ = dt.date.fromisoformat(path.name[:10]).isocalendar()
        answer = json.loads(path.read_bytes())
        weeks.setdefault(f"{year}-W{week:02d}", []).extend(answer)
        months.setdefault(path.name[:7], []).extend(answer)
    assert (len(weeks), len(months)) == (29, 8)
    # May holds only the last week of the month: it reads as that week
    assert {p.name[:10] for p in paths if p.name.startswith("2024-05")} == {
        "2024-05-27", "2024-05-28", "2024-05-29", "2024-05-30", "2024-05-31"}
    expected = {**{w: w for w in weeks}, **{m: m for m in months}, "2024-05": "2024-W22"}
    got = {label: read_dump("answer.json", json.dumps(answer).encode()).dump.period
           for label, answer in [*weeks.items(), *months.items()]}
    assert got == expected
