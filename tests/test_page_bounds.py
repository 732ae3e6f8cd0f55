"""Pages that do not grow with the number of digests: two years of digests (five real days
replayed over every weekday, `benchmarks/real_years.py`) and a taxonomy of 40 topics still
give pages of bounded size: the trends charts sum digests by week or month, the digests
are listed by month, a digest lists each paper once.

The generated content of a page (what the theme wraps) is held to CONTENT_ELEMENTS and
CONTENT_BYTES; `test_accessibility.py` holds the theme's part of a page to
CHROME_ELEMENTS in the browser, so a whole page stays within 1,500 elements and 300 KB.
The sizes of the real two-year site are measured by `benchmarks/bench_pages.py`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from benchmarks.real_years import make_years
from generator import charts
from generator.catalog import build_catalog
from generator.links import Links
from generator.readers import list_dumps, read_all
from generator.render import SiteInput, build_site_model
from generator.topics import Taxonomy, classify, load_taxonomy

from conftest import REPO

CONTENT_ELEMENTS = 1_100
CONTENT_BYTES = 200_000
CHROME_ELEMENTS = 400  # the theme's header, tabs, navigation and footer (measured ~300)
REAL_DAYS = REPO / "tests" / "fixtures" / "real"

pytestmark = pytest.mark.slow


def _forty_topics(taxonomy: Taxonomy) -> Taxonomy:
    """The taxonomy and copies of its topics, to 40: the heat table's rows."""
    more = []
    k = 0
    while len(taxonomy.topics) + len(more) < 40:
        t = taxonomy.topics[k % len(taxonomy.topics)]
        more.append(replace(t, id=f"{t.id}-{k}", title=f"{t.title} ({k})"))
        k += 1
    return replace(taxonomy, topics=(*taxonomy.topics, *more))


@pytest.fixture(scope="module")
def two_years(tmp_path_factory) -> dict[str, str]:
    work = tmp_path_factory.mktemp("years")
    real = work / "real"
    real.mkdir()
    for path in sorted(REAL_DAYS.glob("2024-*_api.json")):
        (real / path.name).write_bytes(path.read_bytes())
    dumps = make_years(work, years=2, start=dt.date(2025, 1, 1), real=real)
    catalog = build_catalog(read_all(list_dumps(dumps)))
    taxonomy, problems = load_taxonomy(REPO / "curation")
    assert problems == []
    taxonomy = _forty_topics(taxonomy)
    catalog = replace(catalog, papers=classify(catalog.papers, taxonomy))
    assert len(catalog.digests) == 522  # every weekday of 2025 and 2026
    links = Links({p.id: () for p in catalog.papers}, {}, {})  # not what is measured here
    model = build_site_model(SiteInput(catalog, taxonomy, links, "https://example.org/"))
    return dict(model.docs)


def _content(page: str) -> str:
    return page.split("\n---\n", 1)[1]


def _elements(html: str) -> int:
    return len(BeautifulSoup(html, "html.parser").find_all(True))


def test_every_page_is_bounded(two_years):
    assert len([p for p in two_years if p.startswith("digests/months/")]) == 24
    worst = {}
    for path, page in two_years.items():
        body = _content(page)
        size = len(body.encode("utf-8"))
        kind = re.sub(r"/[^/]+\.md$", "/*", path) if path.count("/") > 1 or \
            path.startswith("papers/") else path
        if size > worst.get(kind, (0, ""))[0]:
            worst[kind] = (size, path)
    for size, path in worst.values():
        elements = _elements(_content(two_years[path]))
        assert size <= CONTENT_BYTES, (path, size)
        assert elements <= CONTENT_ELEMENTS, (path, elements)
    # the pages that used to grow with every digest
    for path in ("trends.md", "trends/topics.md", "digests/index.md"):
        assert _elements(_content(two_years[path])) <= CONTENT_ELEMENTS, path


def test_trends_are_summed_by_month_over_two_years(two_years):
    trends = BeautifulSoup(_content(two_years["trends.md"]), "html.parser")
    rows = trends.select(".chart__data table")[0].select("tbody tr")
    assert [r.th.get_text() for r in rows[:2]] == ["January 2025", "February 2025"]
    assert len(rows) == 24
    topics = BeautifulSoup(_content(two_years["trends/topics.md"]), "html.parser")
    table = topics.select_one("table.heat__table")
    assert len(table.select("tbody tr")) == 40
    columns = len(table.select("thead th")) - 2
    assert 40 * columns <= charts.HEAT_CELLS  # months would be 24 columns: 960 cells
    assert [th.get_text() for th in table.select("thead th")[1:3]] == ["Q1 ’25", "Q2 ’25"]


def test_periods_choose_the_finest_unit_that_fits():
    from generator.digests import Digest
    from generator.model import Dump

    def digest(day: dt.date) -> Digest:
        iso = day.isoformat()
        dump = Dump(f"{iso}_api.json", "json", "api", iso, iso, "file name", iso, 1, iso)
        return Digest(f"period:{iso}", iso, (dump,), ("x",), ())

    days = [dt.date(2024, 1, 1) + dt.timedelta(days=k) for k in range(0, 700, 1)
            if (dt.date(2024, 1, 1) + dt.timedelta(days=k)).weekday() < 5]
    assert charts.periods([digest(d) for d in days[:20]], 53).unit == "digest"
    assert charts.periods([digest(d) for d in days[:150]], 53).unit == "week"
    by_month = charts.periods([digest(d) for d in days], 53)
    months = {(d.year, d.month) for d in days}
    assert by_month.unit == "month" and len(by_month.items) == len(months) == 23
    assert sum(len(p.digests) for p in by_month.items) == len(days)
    assert charts.periods([digest(d) for d in days], 12).unit == "quarter"
    assert charts.periods([digest(d) for d in days], 2).unit == "year"


def test_the_replayed_corpus_keeps_every_paper(tmp_path):
    """The benchmark corpus: fresh arXiv ids of the new month, new titles from the second
    pass on, so the deduplicator keeps every replayed paper apart."""
    real = tmp_path / "real"
    real.mkdir()
    for path in sorted(REAL_DAYS.glob("2024-*_api.json")):
        (real / path.name).write_bytes(path.read_bytes())
    dumps = make_years(tmp_path, years=1, start=dt.date(2025, 1, 6), real=real)
    names = sorted(p.name for p in Path(dumps).iterdir())
    assert len(names) == 261 and names[0] == "2025-01-06_api.json"
    catalog = build_catalog(read_all(list_dumps(dumps)))
    assert sum(d.entry_count for d in catalog.dumps) == len(catalog.papers)
    assert {d.date for d in catalog.dumps} == {n[:10] for n in names}
    # ids of the month each paper was replayed in
    assert all(p.arxiv_id[:4] == p.first_seen[2:4] + p.first_seen[5:7] for p in catalog.papers)
    titles = [p.title for p in catalog.papers]
    assert len(set(titles)) == len(titles)
