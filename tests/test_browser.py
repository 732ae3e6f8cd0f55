"""The built site in a real browser: headless Chromium, driven by Playwright, against the
seed site served from loopback. Navigation, the copy-permalink button, phones and the dark
palette, and the redirects of old paper ids.

The browser is Debian's Chromium at /usr/bin/chromium (Playwright's own browser downloads
are not used). Without it these tests skip, except under CI (the CI variable set), where
they fail: CI installs it (see .ci/run).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urljoin

import markdown
import pytest

from conftest import DESKTOP, DUMPS, PHONE, run_cli

MIN_SCREENSHOT_BYTES = 20_000

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The seeds plus one API dump whose records carry arXiv ids (so papers get
    `papers/<arxiv id>/` redirects), one of them a seed paper."""
    work = tmp_path_factory.mktemp("browser")
    dumps = work / "dumps"
    shutil.copytree(DUMPS, dumps)
    records = json.loads((Path(__file__).parent / "fixtures" / "golden" / "dumps"
                          / "2024-03-19_api.json").read_text(encoding="utf-8"))
    seed = (DUMPS / "002_884800d94571ae27.txt").read_text(encoding="utf-8").split("\n")
    assert seed[12].startswith("PIXART-δ")
    records[0]["paper"]["summary"] = seed[14]  # the seed's own abstract: the same paper
    (dumps / "2024-03-19_api.json").write_text(json.dumps(records), encoding="utf-8")
    site = work / "site"
    result = run_cli("build", "--dumps", str(dumps), "--site", str(site), "--quiet",
                     env={"TZ": "UTC"})
    assert result.returncode == 0, result.stderr
    return site


@pytest.fixture(scope="module")
def papers(site) -> list[dict]:
    return json.loads((site / "api" / "papers.json").read_text(encoding="utf-8"))["papers"]


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    """Where screenshots go: a temporary folder, or BROWSER_SCREENSHOTS if set (to look at)."""
    wanted = os.environ.get("BROWSER_SCREENSHOTS")
    if wanted:
        folder = Path(wanted)
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path_factory.mktemp("screenshots")


# --- helpers -------------------------------------------------------------------------------

def _follow(page, link) -> str:
    """Click `link` and wait for the page it points to; returns that page's URL."""
    target = urljoin(page.url, link.get_attribute("href"))
    link.click()
    page.wait_for_url(target, wait_until="load")
    return target


def _rgba(css: str) -> tuple[float, float, float, float]:
    match = re.fullmatch(r"rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)", css)
    assert match, f"not an rgb() colour: {css!r}"
    r, g, b, a = match.groups()
    return float(r), float(g), float(b), float(a) if a is not None else 1.0


def _over(top: tuple[float, float, float, float], below: tuple[float, float, float, float]
          ) -> tuple[float, float, float, float]:
    """`top` composited over the opaque colour `below`."""
    alpha = top[3]
    return (*(t * alpha + b * (1 - alpha) for t, b in zip(top[:3], below[:3], strict=True)), 1.0)


def _luminance(rgba: tuple[float, float, float, float]) -> float:
    """WCAG relative luminance of an opaque colour, 0 (black) to 1 (white)."""
    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in rgba[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: tuple[float, float, float, float], b: tuple[float, float, float, float]
              ) -> float:
    """WCAG contrast ratio of two opaque colours, 1 to 21."""
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _style(page, selector: str, prop: str) -> str:
    return page.eval_on_selector(
        selector, "(el, prop) => getComputedStyle(el).getPropertyValue(prop)", prop)


def _px(value: str) -> float:
    assert value.endswith("px"), value
    return float(value[:-2])


def _screenshot(page, path: Path) -> Path:
    page.screenshot(path=str(path))
    size = path.stat().st_size
    assert size > MIN_SCREENSHOT_BYTES, f"{path.name} is only {size} bytes: a blank page?"
    return path


def _longest_title(papers: list[dict]) -> dict:
    return max(papers, key=lambda p: (len(p["title"]), p["id"]))


# --- tests ---------------------------------------------------------------------------------

def test_navigation_home_topic_paper_related(session, base_url, screenshots):
    s = session(**DESKTOP)
    page = s.new_page()
    page.goto(base_url, wait_until="load")

    card = page.locator(".topic-grid a").first
    card_text = card.inner_text().strip()
    _follow(page, card)
    assert page.url.startswith(base_url + "topics/")
    assert page.locator("h1").first.inner_text().strip().startswith(card_text)
    assert page.locator(".paper-list li").count() > 0

    title_link = page.locator(".paper-list li a.paper-item__title").first
    link_text = title_link.inner_text().strip()
    _follow(page, title_link)
    assert page.locator("article.paper").count() == 1
    assert page.locator("h1.paper__title").inner_text().strip() == link_text
    paper_id = page.locator("article.paper").get_attribute("data-paper-id")
    assert page.url == f"{base_url}papers/{paper_id}/"
    _screenshot(page, screenshots / "desktop-paper.png")

    related = page.locator(".paper__related a").first
    related_text = related.inner_text().strip()
    _follow(page, related)
    related_id = page.locator("article.paper").get_attribute("data-paper-id")
    assert related_id != paper_id
    assert page.url == f"{base_url}papers/{related_id}/"
    assert page.locator("h1.paper__title").inner_text().strip() == related_text
    s.assert_clean()


def test_latest_digest_from_home(session, base_url, screenshots):
    s = session(**DESKTOP)
    page = s.new_page()
    page.goto(base_url, wait_until="load")
    link = page.locator("#latest-digest a")
    label = link.inner_text().strip()
    _follow(page, link)
    # the API dump dated 2024-03-19 is the newest by its file name: the day's digest
    assert page.url == f"{base_url}digests/2024-03-19/"
    assert page.locator("h1").first.inner_text().strip() == f"Digest of {label}"
    assert label == "Mar 19, 2024"
    assert page.locator(".digest__list li").count() >= 1
    assert page.locator(".digest__new-count").inner_text() == "1"
    assert page.locator(".paper-item__seen a").count() == 1  # PIXART-δ, first seen in a seed
    _screenshot(page, screenshots / "desktop-digest.png")
    # the address earlier builds gave the dump's own digest still leads there
    page.goto(f"{base_url}digests/2024-03-19-api/", wait_until="load")
    page.wait_for_url(f"{base_url}digests/2024-03-19/")
    s.assert_clean()


@pytest.mark.parametrize("which", ["plain", "markdown-special"])
def test_copy_permalink(session, base_url, papers, which):
    if which == "plain":
        paper = next(p for p in papers if not re.search(r"[\\\[\]*_`<>&$]", p["title"]))
    else:  # a title whose characters mean something in Markdown
        special = [p for p in papers if re.search(r"[\\\[\]]", p["title"])]
        if not special:
            pytest.skip("no seed paper has a backslash or bracket in its title")
        paper = special[0]
    origin = base_url.rstrip("/")
    s = session(**DESKTOP)
    s.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    page = s.new_page()
    page.goto(base_url + paper["url"], wait_until="load")
    url = f"{base_url}papers/{paper['id']}/"

    page.click(".paper__copy")
    status = page.locator(".paper__copied")
    status.filter(has_text=url).wait_for(timeout=5_000)
    assert status.inner_text().strip() == f"Copied {url}"
    assert page.evaluate("() => navigator.clipboard.readText()") == url

    markdown_link = page.input_value(".paper__markdown input")
    if which == "plain":
        assert markdown_link == f"[{paper['title']}]({url})"
    # Whatever the title, the link renders back to it, pointing at the permalink.
    html = markdown.markdown(markdown_link)
    page.set_content(html)
    anchor = page.locator("a")
    assert anchor.count() == 1
    assert anchor.get_attribute("href") == url
    assert anchor.inner_text() == paper["title"]
    s.assert_clean()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_phone(session, base_url, papers, screenshots, scheme):
    s = session(**PHONE, color_scheme=scheme)
    page = s.new_page()
    long_paper = _longest_title(papers)
    topic = next(p["topics"][0] for p in papers if p["topics"])
    pages = {
        "paper": base_url + long_paper["url"],
        "home": base_url,
        "topic": f"{base_url}topics/{topic}/",
    }
    for name, url in pages.items():
        page.goto(url, wait_until="load")
        scroll_width, inner_width = page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll_width <= inner_width, f"{name}: scrolls sideways on a phone"
        # Material sets body itself to 10px (.5rem) and sizes every piece of text it holds;
        # the page's running text is .md-typeset.
        assert _px(_style(page, "article.md-typeset", "font-size")) >= 14, name
        text = ".paper__abstract" if name == "paper" else ".paper-item__teaser"
        assert _px(_style(page, text, "font-size")) >= 12, name
        _screenshot(page, screenshots / f"phone-{scheme}-{name}.png")

        # Material's text colours are translucent: the colour itself says light or dark, and
        # the contrast is that of what is shown, the colour over the body's background.
        background = _rgba(_style(page, "body", "background-color"))
        assert background[3] == 1.0, f"{name}: body background is not opaque: {background}"
        colour = _rgba(_style(page, text, "color"))
        contrast = _contrast(_over(colour, background), background)
        if scheme == "dark":
            assert page.get_attribute("body", "data-md-color-scheme") == "slate"
            assert _luminance(background) < 0.3, name
            assert _luminance(colour) > 0.6, name
        else:
            assert page.get_attribute("body", "data-md-color-scheme") == "default"
            assert _luminance(background) > 0.7, name
            assert _luminance(colour) < 0.3, name
        # WCAG: 7:1 for the abstract, the page's main text (AAA); 4.5:1 for the rest (AA).
        assert contrast >= (7 if name == "paper" else 4.5), f"{name}: contrast {contrast:.2f}"
    page.goto(pages["paper"], wait_until="load")
    title_box = page.locator("h1.paper__title").bounding_box()
    assert title_box is not None
    assert title_box["x"] >= 0
    assert title_box["x"] + title_box["width"] <= PHONE["viewport"]["width"]
    s.assert_clean()


def test_alias_redirects_to_permalink(session, base_url, papers):
    aliased = [p for p in papers if p.get("aliases")]
    assert {a for p in aliased for a in p["aliases"]} >= {"papers/2401.05252/"}
    s = session(**DESKTOP)
    page = s.new_page()
    for paper in aliased[:3]:
        canonical = f"{base_url}papers/{paper['id']}/"
        for alias in paper["aliases"][:2]:
            page.goto(base_url + alias)
            page.wait_for_url(canonical, wait_until="load")
            assert page.locator("h1.paper__title").inner_text().strip() == paper["title"]
    s.assert_clean()



# --- search -------------------------------------------------------------------------------

def _search(page, base_url: str, query: str = "", **params: str) -> None:
    """Open the search page (optionally deep-linked) and wait for its index."""
    from urllib.parse import urlencode

    pairs = ([("q", query)] if query else []) + list(params.items())
    page.goto(f"{base_url}search/" + (f"?{urlencode(pairs)}" if pairs else ""),
              wait_until="load")
    page.wait_for_selector("#paper-search[data-search-ready]", timeout=15_000)
    if query or params:
        page.wait_for_selector("#paper-search[data-search-done]", timeout=15_000)


def _results(page) -> list[str]:
    titles = page.locator("#search-results a.paper-item__title").all_inner_texts()
    return [t.strip() for t in titles]


def _type(page, text: str) -> None:
    box = page.locator("#search-q")
    box.fill("")
    box.press_sequentially(text, delay=20)
    page.wait_for_function(
        "text => document.getElementById('paper-search').dataset.searchQuery === text",
        arg=text, timeout=15_000)


def test_search_typing_finds_and_opens_a_paper(session, base_url):
    s = session(**DESKTOP)
    page = s.new_page()
    _search(page, base_url)
    _type(page, "mamba survey")
    results = _results(page)
    assert results[0] == "A Survey of Mamba"
    assert page.locator("#search-results mark").count() > 0  # the match is highlighted
    assert "q=mamba+survey" in page.url  # the query is in the address
    first = page.locator("#search-results a.paper-item__title").first
    _follow(page, first)
    assert page.url == f"{base_url}papers/a-survey-of-mamba/"
    assert page.locator("h1.paper__title").inner_text().strip() == "A Survey of Mamba"
    s.assert_clean()


def test_search_relevant_papers_without_every_word(session, base_url):
    s = session(**DESKTOP)
    page = s.new_page()
    _search(page, base_url, "vision transformer token pruning")
    results = _results(page)
    assert len(results) >= 5
    assert any("Token" in r and "Vision Transformer" in r for r in results[:5])
    assert "all words but one" in page.locator("#search-status").inner_text()
    s.assert_clean()


def test_search_topic_filter_narrows(session, base_url):
    s = session(**DESKTOP)
    page = s.new_page()
    _search(page, base_url, "transformer")
    everything = int(page.locator("#search-status").inner_text().split()[0])
    topic = "State-space models and recurrent alternatives"
    done = page.get_attribute("#paper-search", "data-search-done")
    page.locator(f'#search-filters input[name="topic"][value="{topic}"]').check()
    page.wait_for_function(
        "previous => document.getElementById('paper-search').dataset.searchDone !== previous",
        arg=done, timeout=15_000)
    narrowed = int(page.locator("#search-status").inner_text().split()[0])
    assert 0 < narrowed < everything
    topics = page.locator("#search-results .search__topics").all_inner_texts()
    assert topics and all(topic in t for t in topics)
    assert "topic=State-space" in page.url
    s.assert_clean()


def test_search_deep_link_restores_the_query(session, base_url):
    s = session(**DESKTOP)
    page = s.new_page()
    _search(page, base_url, "mamba survey")
    assert page.input_value("#search-q") == "mamba survey"
    assert _results(page)[0] == "A Survey of Mamba"
    s.assert_clean()


@pytest.mark.parametrize("query", [
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(2)>',
    "</script><script>alert(3)</script>",
    "javascript:alert(4)",
])
def test_hostile_queries_are_inert(session, base_url, query):
    s = session(**DESKTOP)
    page = s.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _search(page, base_url, query)
    assert page.input_value("#search-q") == query
    area = page.locator("#paper-search")
    assert area.locator("img, svg, script, iframe").count() == 0
    empty = page.locator(".search__empty")
    if empty.count():
        assert query in empty.inner_text()  # shown as text
    page.wait_for_timeout(300)
    assert dialogs == []
    s.assert_clean()


def test_slash_key_focuses_search(session, base_url):
    s = session(**DESKTOP)
    page = s.new_page()
    page.goto(base_url, wait_until="load")
    page.keyboard.press("/")
    page.wait_for_url(f"{base_url}search/", wait_until="load")
    page.wait_for_selector("#paper-search[data-search-ready]", timeout=15_000)
    page.locator("h1").first.click()
    assert page.evaluate("document.activeElement.id") != "search-q"
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "search-q"
    s.assert_clean()


def test_search_splits_words_like_the_index(session, base_url, papers):
    """The page must cut a query into the same terms as the index builder, or the right
    words would never meet: compare both on every title and abstract, and tricky text."""
    from generator.search import stem, words

    s = session(**DESKTOP)
    page = s.new_page()
    _search(page, base_url)
    texts = [p["title"] for p in papers] + [p["abstract"] for p in papers] + [
        "ΣΟΦΙΑΣ σοφίας", "İstanbul ıi", "Straße STRASSE", "ﬁne-tuning x² ½ ①",
        "Ｆｕｌｌｗｉｄｔｈ ＧＰＴ－４", "日本語の論文 中文", "emoji 🚀 rocket𝐁𝐨𝐥𝐝",
        "e\u0301te\u0301 café", "under_score don't", "٣٤ Arabic digits ۵", "tab\tnew\nline",
    ]
    found = page.evaluate(
        "texts => texts.map(t => document.getElementById('paper-search').searchWords(t))",
        texts)
    expected = [[stem(w) for w in words(t)] for t in texts]
    mismatches = [(t, f, e) for t, f, e in zip(texts, found, expected, strict=True) if f != e]
    assert mismatches == []
    s.assert_clean()


@pytest.mark.parametrize(("query", "expected"), [
    ("darcet", "vision transformers need registers"),  # an author
    ("Timothee Darcet", "vision transformers need registers"),  # accents folded
    ("junsong", "pixart-δ"),  # an author of a paper the seeds also have
    ("mamb", "mamba"),  # a word still being typed matches the words it begins
])
def test_search_finds_authors_and_word_starts(session, base_url, query, expected):
    s = session(**DESKTOP)
    page = s.new_page()
    _search(page, base_url)
    _type(page, query)
    results = _results(page)
    assert results and expected in results[0].lower()
    s.assert_clean()
