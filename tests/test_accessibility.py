"""Every kind of page for every reader: axe-core (WCAG 2.1 AA) in both palettes at desktop
and phone widths, and what axe cannot see: the skip link, the current section, the keyboard
on the search page, layout shift, text size of the charts, formulas, digests.

The site: the seed dumps and five real days of the Daily Papers API (dated digests in four
months, authors, arXiv ids), built once for the module and served on loopback; Debian's
Chromium drives it (see test_browser.py). axe-core is the npm package pinned in
`.ci/package.json` (`make test` runs `npm ci --prefix .ci`); without it, or without
Chromium, these tests skip, except under CI, where they fail.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from benchmarks.bench_pages import AXE, AXE_TAGS, CLIPPED_BY_A_BOX, WIDTHS

from conftest import DUMPS, REPO, run_cli, unavailable

pytestmark = pytest.mark.browser

REAL_DAYS = REPO / "tests" / "fixtures" / "real"
DAYS = ("2024-07-05", "2024-09-03", "2024-11-07", "2024-11-29", "2024-12-09")
# the pi paper: its title has a formula ("Just Add $π$! ...")
MATH_PAPER = "just-add-pi-pose-induced-video-transformers-for-understanding-activities-of"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("a11y")
    dumps = work / "dumps"
    shutil.copytree(DUMPS, dumps)
    for day in DAYS:
        shutil.copy(REAL_DAYS / f"{day}_api.json", dumps / f"{day}_api.json")
    site = work / "site"
    result = run_cli("build", "--dumps", str(dumps), "--site", str(site), "--quiet",
                     env={"TZ": "UTC"})
    assert result.returncode == 0, result.stderr
    return site


@pytest.fixture(scope="module")
def pages(site) -> dict[str, str]:
    """One page of each kind, site-relative: the biggest topic, tag, digest and month."""
    catalog = json.loads((site / "api" / "papers.json").read_text(encoding="utf-8"))
    topics: dict[str, int] = {}
    tags: dict[str, int] = {}
    for p in catalog["papers"]:
        for t in p["topics"]:
            topics[t] = topics.get(t, 0) + 1
        for t in p["tags"]:
            tags[t] = tags.get(t, 0) + 1
    tagged = max((p for p in catalog["papers"] if p["tags"]),
                 key=lambda p: (len(p["tags"]), p["id"]))
    return {
        "home": "",
        "topics index": "topics/",
        "topic": f"topics/{max(topics, key=lambda t: (topics[t], t))}/",
        "paper": tagged["url"],
        "paper with a formula": f"papers/{MATH_PAPER}/",
        "digests index": "digests/",
        "digests month": "digests/months/2024-11/",
        "digest": "digests/000-a6daf8e0419ec6f3/",
        "trends": "trends/",
        "topics over time": "trends/topics/",
        "search": "search/?q=transformer",
        "tags index": "tags/",
        "tag": f"tags/{max(tags, key=lambda t: (tags[t], t))}/",
    }


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        unavailable(f"no axe-core at {AXE} (run npm ci --prefix .ci)")
    return AXE.read_text(encoding="utf-8")


def _open(session, url: str, **options):
    s = session(**options)
    page = s.new_page()
    page.goto(url, wait_until="load")
    if "/search/" in url:
        page.wait_for_selector("#paper-search[data-search-done]", timeout=15_000)
    return s, page


_AXE_RUN = """tags => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                        resultTypes: ['violations']})
  .then(r => r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ') + ' ('
      + ((n.any[0] || n.all[0] || n.none[0] || {}).message || '') + ')').join('; ')))"""

KINDS = ("home", "topics index", "topic", "paper", "paper with a formula", "digests index",
         "digests month", "digest", "trends", "topics over time", "search", "tags index", "tag")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", KINDS)
def test_axe_finds_no_serious_violation(session, base_url, pages, axe_source, kind, scheme,
                                        width):
    s, page = _open(session, base_url + pages[kind], color_scheme=scheme, **WIDTHS[width])
    # the page is what it should be, in the palette asked for
    assert page.locator("article h1").count() == 1, kind
    expected = "slate" if scheme == "dark" else "default"
    assert page.get_attribute("body", "data-md-color-scheme") == expected
    if kind == "search":
        assert page.locator("#search-results li").count() > 0
    page.add_script_tag(content=axe_source)
    found = page.evaluate(_AXE_RUN, AXE_TAGS)
    assert found == [], f"{kind} ({scheme}, {width} px):\n" + "\n".join(found)
    s.assert_clean()


# --- navigation -----------------------------------------------------------------------------

def test_skip_link_is_the_first_stop_and_lands_on_the_content(session, base_url, pages):
    for kind in ("topic", "paper", "digest", "search"):
        s, page = _open(session, base_url + pages[kind], **WIDTHS["1280"])
        page.keyboard.press("Tab")
        focused = page.evaluate("[document.activeElement.textContent.trim(), "
                                "document.activeElement.getAttribute('href')]")
        assert focused == ["Skip to content", "#main-content"], kind
        assert page.locator("#main-content").count() == 1
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main-content", kind
        s.assert_clean()


@pytest.mark.parametrize(("kind", "tab", "crumbs"), [
    ("topic", "Topics", ["Topics"]),
    ("paper", "Topics", ["Topics"]),
    ("tag", "Tags", ["Tags"]),
    ("digest", "Digests", ["Digests", "Saves without a year"]),
    ("digests month", "Digests", ["Digests"]),
    ("topics over time", "Trends", None),
])
def test_the_current_section_is_marked(session, base_url, pages, kind, tab, crumbs):
    s, page = _open(session, base_url + pages[kind], **WIDTHS["1280"])
    active = page.locator(".md-tabs__item--active .md-tabs__link")
    assert active.count() == 1
    assert active.inner_text().strip() == tab
    assert active.get_attribute("aria-current") in ("page", "true")
    # not told by colour alone: the current tab is bold and underlined
    style = page.evaluate("""() => { const a = document.querySelector(
        '.md-tabs__item--active .md-tabs__link'); const s = getComputedStyle(a);
        return [s.fontWeight, s.textDecorationLine]; }""")
    assert int(style[0]) >= 700 and "underline" in style[1]
    if crumbs is not None:
        trail = page.locator("nav.crumbs li")
        texts = [t.strip() for t in trail.all_inner_texts()]
        assert texts[:len(crumbs)] == crumbs
        assert page.locator("nav.crumbs [aria-current=page]").count() == 1
    s.assert_clean()


def test_the_left_column_lists_the_topics_and_the_right_one_goes_to_the_content(
        session, base_url, pages):
    s, page = _open(session, base_url + pages["topic"], **WIDTHS["1280"])
    topics = page.locator(".page-nav a")
    assert topics.count() >= 20  # every topic of the taxonomy, and Unsorted
    current = page.locator(".page-nav a[aria-current=page]")
    assert current.count() == 1
    assert current.get_attribute("href").rstrip("/").endswith(pages["topic"].rstrip("/"))
    assert current.is_visible()
    assert page.locator(".md-sidebar--secondary").count() == 0
    content = page.locator("article.md-content__inner").bounding_box()
    assert content["x"] + content["width"] > 1000  # the right column is the content's
    # on a phone the list is not shown (the page has its own links)
    s.assert_clean()


# --- search ---------------------------------------------------------------------------------

def test_search_keyboard(session, base_url, pages):
    s, page = _open(session, base_url + pages["search"], **WIDTHS["1280"])
    links = page.locator("#search-results a.paper-item__title")
    assert links.count() >= 3
    page.locator("#search-q").focus()
    page.keyboard.press("Tab")  # one press from the box to the first result
    assert page.evaluate("document.activeElement === "
                         "document.querySelector('#search-results a')")
    page.locator("#search-q").focus()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.href") == links.nth(0).evaluate("a => a.href")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.href") == links.nth(1).evaluate("a => a.href")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == "search-q"
    first = links.nth(0).evaluate("a => a.href")
    page.keyboard.press("Enter")  # Enter in the box opens the first result
    page.wait_for_url(first, wait_until="load")
    assert page.locator("article.paper").count() == 1
    s.assert_clean()


@pytest.mark.parametrize("width", WIDTHS)
def test_search_filters_all_reachable_results_first(session, base_url, pages, site, width):
    s, page = _open(session, base_url + pages["search"], **WIDTHS[width])
    catalog = json.loads((site / "api" / "papers.json").read_text(encoding="utf-8"))
    topics = {t for p in catalog["papers"] for t in p["topics"]}
    tags = {t for p in catalog["papers"] for t in p["tags"]}
    groups = page.locator("#search-filters details")
    assert groups.count() == 2
    for k in range(groups.count()):  # a fieldset with its legend in each group
        assert groups.nth(k).locator("fieldset > legend").count() == 1
        if not groups.nth(k).evaluate("d => d.open"):
            groups.nth(k).locator("summary").click()
    boxes = page.locator("#search-filters input[type=checkbox]")
    assert boxes.count() == len(topics) + len(tags)
    # a filter is out of reach when it has no size or a scrolling box inside the page clips it
    clipped = boxes.evaluate_all(
        "els => els.filter(el => { const r = el.getBoundingClientRect(); "
        f"return !r.width || !r.height || ({CLIPPED_BY_A_BOX})(el); }}).length")
    assert clipped == 0
    assert page.locator(".search__facet-count").count() == boxes.count()  # with counts
    first = page.locator("#search-results li").first.bounding_box()
    filters = page.locator("#search-filters").bounding_box()
    assert first["y"] < WIDTHS[width]["viewport"]["height"] / 2  # results first...
    if width == "390":
        assert first["y"] < filters["y"]  # ...above the filters on a phone
    s.assert_clean()


_CLS = """(() => { window.__cls = 0; new PerformanceObserver(list => {
  for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
}).observe({type: 'layout-shift', buffered: true}); })();"""


@pytest.mark.parametrize("width", WIDTHS)
def test_search_layout_does_not_shift(session, base_url, pages, width):
    s = session(**WIDTHS[width])
    s.context.add_init_script(_CLS)
    page = s.new_page()
    page.goto(base_url + pages["search"], wait_until="load")
    page.wait_for_selector("#paper-search[data-search-done]", timeout=15_000)
    page.wait_for_timeout(500)
    assert page.locator("#search-results li").count() > 0
    assert page.evaluate("window.__cls") < 0.05
    s.assert_clean()


# --- pages ----------------------------------------------------------------------------------

def test_digest_lists_each_paper_once_with_jump_links(session, base_url, pages):
    s, page = _open(session, base_url + pages["digest"], **WIDTHS["390"])
    items = page.locator(".digest__list > li")
    hrefs = items.locator("a.paper-item__title").evaluate_all("as => as.map(a => a.href)")
    new = int(page.locator(".digest__new-count").inner_text())
    seen = int(page.locator(".digest__seen-count").inner_text())
    assert len(hrefs) == len(set(hrefs)) == new + seen  # each paper once
    assert page.locator(".label--new").count() == 0  # no marker on what most items are
    assert page.locator(".paper-item__seen").count() == seen
    jumps = page.locator(".digest__jump a")
    assert jumps.count() == page.locator(".digest h2").count() > 1
    last = jumps.nth(jumps.count() - 1)
    target = last.get_attribute("href")
    last.click()
    page.wait_for_function("id => location.hash === id", arg=target)
    top = page.locator(target).bounding_box()["y"]
    height = WIDTHS["390"]["viewport"]["height"]
    # the group's heading is in view: near the top, or lower when the page has ended
    at_end = page.evaluate("scrollY + innerHeight >= document.documentElement.scrollHeight - 2")
    assert 0 <= top < height / 2 or (at_end and 0 <= top < height - 60), (top, at_end)
    s.assert_clean()


def test_formula_is_drawn(session, base_url, pages):
    s, page = _open(session, base_url + pages["paper with a formula"], **WIDTHS["1280"])
    title = page.locator("h1.paper__title")
    assert "$" not in title.inner_text()
    formula = title.locator("math")
    assert formula.count() == 1
    assert formula.text_content().strip() == "π"
    box = formula.bounding_box()
    assert box["width"] > 4 and box["height"] > 8  # laid out as MathML, not hidden
    assert page.title().startswith("Just Add π!")
    s.assert_clean()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_charts_readable_on_a_phone(session, base_url, pages, scheme):
    for kind in ("trends", "topics over time"):
        s, page = _open(session, base_url + pages[kind], color_scheme=scheme,
                        **WIDTHS["390"])
        sizes = page.evaluate("""() => [...document.querySelectorAll(
            '.chart__value, .chart__tick, .chart-sizes, .heat__table, .heat__legend')]
            .filter(el => el.getClientRects().length)
            .map(el => parseFloat(getComputedStyle(el).fontSize))""")
        assert sizes and min(sizes) >= 11, (kind, sizes)
        captions = " ".join(page.locator("figcaption, caption, .heat__legend, p")
                            .all_inner_texts()).lower()
        assert not re.search(r"\b(dark|darker|light|lighter)\b", captions), kind
        scroll_width, inner_width = page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll_width <= inner_width, f"{kind} scrolls sideways on a phone"
        s.assert_clean()
    legend = page.locator(".heat__legend .heat__swatch")
    assert legend.count() >= 3  # none, then the steps that occur


def test_index_tables_use_the_themes_style_on_a_phone(session, base_url, pages):
    for kind in ("topics index", "tags index", "digests month"):
        s, page = _open(session, base_url + pages[kind], **WIDTHS["390"])
        table = page.locator("article table").first
        assert table.get_attribute("class") is None  # so the theme styles it
        cell = page.evaluate("""() => { const td = document.querySelector('article td');
            const s = getComputedStyle(td);
            return [parseFloat(s.paddingLeft), s.overflowWrap, s.wordBreak]; }""")
        assert cell[0] >= 8 and cell[1] != "anywhere" and cell[2] == "normal", (kind, cell)
        s.assert_clean()
