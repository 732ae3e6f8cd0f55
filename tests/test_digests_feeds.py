"""What's new: digest pages, the archive, feeds, trend charts, idempotent rebuilds."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup

from generator.digests import build_digests, dump_slug

from conftest import DUMPS, REPO, run_cli, tree_digest

GOLDEN = Path(__file__).parent / "fixtures" / "golden"

# new / seen before per seed dump, counted independently from the raw title lines
SEED_DIGESTS = [
    ("000_a6daf8e0419ec6f3.txt", 119, 0),
    ("001_610fac291a8fe53f.txt", 59, 14),
    ("002_884800d94571ae27.txt", 31, 26),
    ("003_efd9a09d0d54f16e.txt", 33, 24),
    ("004_ffdd1db657f08ffa.txt", 107, 12),
]


def _raw_counts() -> list[tuple[str, int, int]]:
    seen: set[str] = set()
    out = []
    for path in sorted(DUMPS.glob("*.txt")):
        lines = [line.strip() for line in path.read_text(encoding="utf-8").split("\n")
                 if line.strip()]
        if lines[0] == "new":
            start = next(i for i, line in enumerate(lines)
                         if re.fullmatch(r"[A-Z][a-z]{2} \d{1,2}", line)) + 1
            body = lines[start:]
        else:
            body = lines[2:]
            body[0] = body[0].removeprefix("Subscribe")
        titles = body[0::2]
        new = [t for t in titles if t not in seen]
        out.append((path.name, len(new), len(titles) - len(new)))
        seen.update(titles)
    return out


def test_seed_digest_counts(seed_catalog):
    assert _raw_counts() == SEED_DIGESTS
    digests = seed_catalog.digests
    assert digests == build_digests(seed_catalog.dumps, seed_catalog.papers)
    assert [(d.dump.name, len(d.new), len(d.seen_before)) for d in digests] == SEED_DIGESTS
    papers = {p.id: p for p in seed_catalog.papers}
    for d in digests:
        for pid, first in d.seen_before:
            assert papers[pid].first_seen == first != d.dump.name


def test_dump_slugs():
    assert dump_slug("2025-03-17_daily.json") == "2025-03-17-daily"
    assert dump_slug("000_a6daf8e0419ec6f3.txt") == "000-a6daf8e0419ec6f3"
    # the archive's own pages: digests/index.md and digests/months/
    assert dump_slug("index.txt") == "index-dump"
    assert dump_slug("months.json") == "months-dump"


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory):
    site = tmp_path_factory.mktemp("digests") / "site"
    result = run_cli("build", "--site", str(site), "--quiet")
    assert result.returncode == 0, result.stderr
    return site


def _page(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"),
                         "html.parser")


@pytest.mark.slow
def test_digest_pages_on_seeds(seed_site):
    for name, new, seen in SEED_DIGESTS:
        page = _page(seed_site, f"digests/{dump_slug(name)}/")
        assert int(page.select_one(".digest__new-count").get_text()) == new
        assert int(page.select_one(".digest__seen-count").get_text()) == seen
        items = page.select(".digest__list > li")
        # grouped by topic, each paper once (with its other topics as chips)
        ids = [a["href"].split("/")[-2] for li in items
               for a in li.select("a.paper-item__title")]
        assert len(ids) == len(set(ids)) == new + seen
        # only the papers seen before are marked, with where
        assert page.select(".label--new") == []
        marks = page.select(".paper-item__seen a")
        assert len(marks) == seen
        for label in marks:
            assert label["href"].startswith("../../digests/")
        jumps = [a["href"] for a in page.select(".digest__jump a")]
        assert jumps == [f"#{h['id']}" for h in page.select(".digest h2")]
    # the seeds have no year: the archive leads with them, newest first, labelled by the
    # date they show or their place
    archive = _page(seed_site, "digests/")
    rows = archive.select("article table tbody tr")
    assert [r.select_one("a")["href"] for r in rows] == [
        f"../digests/{dump_slug(n)}/" for n, _, _ in reversed(SEED_DIGESTS)]
    assert [r.select_one("a").get_text() for r in rows] == [
        "saved digest 5, undated", "Jul 31", "Jul 29", "Mar 17", "saved digest 1, undated"]
    home = _page(seed_site, "")
    latest = home.select_one("#latest-digest a")
    assert latest["href"] == "digests/004-ffdd1db657f08ffa/"


@pytest.mark.slow
def test_feeds_validate_and_link(seed_site):
    feed = feedparser.parse((seed_site / "feeds" / "all.xml").read_bytes())
    assert feed.bozo == 0, feed.bozo_exception
    assert len(feed.entries) == 50
    first = feed.entries[0]
    assert first.id == first.link
    assert first.link.startswith("https://paper-index.example.org/papers/")
    # the seed dumps carry no year: their items are undated rather than dated by the build
    assert all("published" not in e for e in feed.entries)
    doc = json.loads((seed_site / "feeds" / "all.json").read_text(encoding="utf-8"))
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert [i["id"] for i in doc["items"]] == [e.id for e in feed.entries]
    topic_feeds = sorted((seed_site / "feeds" / "topics").glob("*.xml"))
    assert len(topic_feeds) >= 12
    for path in topic_feeds:
        parsed = feedparser.parse(path.read_bytes())
        assert parsed.bozo == 0, (path.name, parsed.bozo_exception)
    for url in ("", "digests/", f"topics/{topic_feeds[0].stem}/"):
        links = _page(seed_site, url).select('link[rel~="alternate"]')
        assert {"application/rss+xml", "application/feed+json"} <= {
            link["type"] for link in links}, url


def test_feed_items_are_dated_by_their_dump(tmp_path):
    from dataclasses import replace

    from generator.catalog import build_catalog
    from generator.feeds import Feed, feed_items, rss
    from generator.readers import list_dumps, read_all
    from generator.topics import classify, load_taxonomy

    catalog = build_catalog(read_all(list_dumps(GOLDEN / "dumps")))
    taxonomy, _ = load_taxonomy(GOLDEN)
    catalog = replace(catalog, papers=classify(catalog.papers, taxonomy))
    digests = catalog.digests
    papers = {p.id: p for p in catalog.papers}
    items = feed_items(digests, papers)
    text = rss(Feed("all", "t", "d", ""), items, "https://example.org/", {
        t.id: t.title for t in taxonomy.topics})
    feed = feedparser.parse(text.encode())
    assert feed.bozo == 0
    dates = {e.link.rsplit("/", 2)[-2]: e.published for e in feed.entries}
    assert dates == {
        "adaptive-token-sampling-for-efficient-vision-transformers":
            "Sun, 17 Mar 2024 00:00:00 +0000",
        "transformers-in-reinforcement-learning-a-survey": "Sun, 17 Mar 2024 00:00:00 +0000",
        "vision-transformers-need-registers": "Sun, 17 Mar 2024 00:00:00 +0000",
        "a-survey-on-transformers-in-reinforcement-learning":
            "Mon, 18 Mar 2024 00:00:00 +0000",
        "pixart-delta-fast-and-controllable-image-generation-with-latent-consistency":
            "Mon, 18 Mar 2024 00:00:00 +0000",
    }
    # a paper seen again later is not announced again
    assert len(feed.entries) == len(catalog.papers)
    generation = feed_items(digests, papers, topic="generation")
    assert [i.paper.id for i in generation] == [
        "pixart-delta-fast-and-controllable-image-generation-with-latent-consistency"]


@pytest.mark.slow
def test_trend_charts(seed_site):
    page = _page(seed_site, "trends/")
    plot = page.select_one(".chart__plot")
    assert plot.get("role") == "img"
    described = page.select_one(f"#{plot['aria-labelledby']}").get_text()
    assert described.startswith("5 digests brought 349 papers new to the index")
    svg = plot.select_one("svg.chart__svg")
    assert svg.get("aria-hidden") == "true"
    # five digests: five columns of new papers, four with papers seen before
    assert svg.select_one(".chart__bar--new")["d"].count("M") == 5
    assert svg.select_one(".chart__bar--seen")["d"].count("M") == 4
    assert [t.get_text() for t in page.select(".chart__tick")] == [
        "save 1", "Mar 17", "Jul 29", "Jul 31", "save 5"]
    assert len(page.select(".chart__legend .chart__swatch")) == 2
    tables = page.select(".chart__data table")
    assert len(tables) == 2
    rows = [[c.get_text() for c in tr.select("th, td")] for tr in tables[0].select("tbody tr")]
    assert rows[1] == ["Mar 17", "59", "14"]
    topics = _page(seed_site, "trends/topics/")
    table = topics.select_one("table.heat__table")
    assert len(table.select("thead th")) == 1 + 5 + 1  # topic, five digests, all
    assert all(td.get("class", [""])[0].startswith("heat--")
               for td in table.select("tbody td")[:5])
    assert topics.select(".heat__legend .heat__swatch")


@pytest.mark.slow
def test_readding_a_dump_changes_nothing(seed_site, tmp_path):
    dumps = tmp_path / "dumps"
    shutil.copytree(DUMPS, dumps)
    shutil.copy(DUMPS / "002_884800d94571ae27.txt", dumps / "005_again.txt")
    site = tmp_path / "site"
    result = run_cli("build", "--dumps", str(dumps), "--site", str(site), "--quiet",
                     "--curation", str(REPO / "curation"))
    assert result.returncode == 0, result.stderr
    assert "005_again.txt:1: warning: same bytes as 002_884800d94571ae27.txt; skipped" \
        in result.stderr
    before, after = tree_digest(seed_site), tree_digest(site)
    # only the parse report says that the copy was skipped
    assert {k for k in before.keys() | after.keys()
            if before.get(k) != after.get(k)} == {"api/report.json"}
