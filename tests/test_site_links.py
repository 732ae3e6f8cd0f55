"""Every internal link of the site built from the seed dumps leads somewhere.

The seeds (`dumps/`, the repository's curation) are built once. Every `<a href>`,
`<link href>`, `<script src>` and `<img src>` of every page that points inside the site
(relative, root-relative, or under the configured `site_url`) must name a file of the
built site, and its `#fragment` an element of that page. Paper pages are not in the
navigation, so they must be reachable from topic pages, and topic pages from the home
page or the topics index.
"""

from __future__ import annotations

import json
from collections import deque
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from generator.writer import site_url

from conftest import REPO, parse_pages, run_cli

pytestmark = pytest.mark.slow

SITE_URL = site_url(REPO / "mkdocs.yml")  # the configured base, ending in '/', or ''
BASE_PATH = urlsplit(SITE_URL).path or "/"  # where root-relative links start


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    site = tmp_path_factory.mktemp("links") / "site"
    result = run_cli("build", "--site", str(site), env={"TZ": "UTC", "PYTHONHASHSEED": "1"})
    assert result.returncode == 0, result.stderr
    return site, result


@pytest.fixture(scope="module")
def site(build):
    return build[0]


@pytest.fixture(scope="module")
def pages(site):
    """Every built HTML file: its path relative to the site -> parsed document."""
    found = parse_pages(site)
    assert "index.html" in found
    return found


def page_url(rel: str) -> str:
    """Where a file is served: `x/index.html` at `x/`, other files at their path."""
    if rel == "index.html":
        return ""
    return rel[: -len("index.html")] if rel.endswith("/index.html") else rel


class Outside(Exception):
    """A relative link that climbs above the site root (works only at a domain root)."""


def resolve(base: str, href: str) -> tuple[str, str] | None:
    """(site-relative path, fragment) of an internal link from the page served at
    `base`; None for a link to another site or a non-HTTP scheme."""
    parts = urlsplit(href)
    if SITE_URL and href.startswith(SITE_URL):
        path = urlsplit(href[len(SITE_URL):]).path
        segments: list[str] = []
    elif parts.scheme or parts.netloc:
        return None
    elif parts.path.startswith("/"):
        if not parts.path.startswith(BASE_PATH):
            raise Outside(href)
        path = parts.path[len(BASE_PATH):]
        segments = []
    elif parts.path == "":
        return base, parts.fragment  # the page itself (`#x`, `?q`)
    else:
        path = parts.path
        segments = base.split("/")[:-1]  # the page's directory
    for piece in path.split("/"):
        if piece == "..":
            if not segments:
                raise Outside(href)
            segments.pop()
        elif piece != ".":
            segments.append(piece)
    resolved = "/".join(segments)
    if path.rsplit("/", 1)[-1] in ("", ".", "..") and resolved and not resolved.endswith("/"):
        resolved += "/"  # a directory
    return unquote(resolved), parts.fragment


def target_file(site: Path, resolved: str) -> str | None:
    """The file a site-relative URL is served from: a directory URL means its
    index.html; None when there is no such file."""
    if resolved in ("", "/"):
        candidate = "index.html"
    elif resolved.endswith("/"):
        candidate = resolved + "index.html"
    elif (site / resolved).is_dir():
        candidate = resolved + "/index.html"
    else:
        candidate = resolved
    return candidate if (site / candidate).is_file() else None


def _links(doc: BeautifulSoup):
    for el in doc.find_all(["a", "link", "script", "img"]):
        attr = "href" if el.name in ("a", "link") else "src"
        value = el.get(attr)
        if isinstance(value, str):
            yield value


@pytest.fixture(scope="module")
def link_graph(site, pages):
    """Every internal link: (page, href, target file or None, fragment, problem)."""
    anchors: dict[str, set[str]] = {}

    def anchors_of(rel: str) -> set[str]:
        if rel not in anchors:
            doc = pages[rel]
            anchors[rel] = ({el["id"] for el in doc.find_all(id=True)}
                            | {el["name"] for el in doc.find_all(attrs={"name": True})})
        return anchors[rel]

    out = []
    for rel, doc in pages.items():
        base = page_url(rel)
        for href in _links(doc):
            try:
                found = resolve(base, href)
            except Outside:
                out.append((rel, href, None, "", "climbs above the site root"))
                continue
            if found is None:
                continue
            resolved, fragment = found
            target = rel if resolved == base else target_file(site, resolved)
            if target is None:
                out.append((rel, href, None, fragment, f"no file for {resolved!r}"))
            elif fragment and target.endswith(".html") and \
                    unquote(fragment) not in anchors_of(target):
                out.append((rel, href, target, fragment, f"no #{fragment} in {target}"))
            else:
                out.append((rel, href, target, fragment, None))
    return out


def test_internal_links_resolve(link_graph):
    assert len(link_graph) > 1000  # the scan did find the site's links
    broken = sorted({f"{page}: {href} -> {problem}"
                     for page, href, _, _, problem in link_graph if problem})
    assert not broken, f"{len(broken)} broken link(s):\n" + "\n".join(broken)


def test_site_url_links_are_checked_too(link_graph):
    if not SITE_URL:
        pytest.skip("no site_url configured")
    absolute = [(page, href, target) for page, href, target, _, _ in link_graph
                if href.startswith(SITE_URL)]
    assert absolute, "no link under the configured site_url was found (canonical links?)"


def _targets_from(link_graph, pages_from) -> set[str]:
    return {target for page, _, target, _, problem in link_graph
            if page in pages_from and target and not problem}


def test_every_paper_page_is_reachable_from_a_topic_page(site, pages, link_graph):
    papers = json.loads((site / "api" / "papers.json").read_text(encoding="utf-8"))["papers"]
    canonical = {f"papers/{p['id']}/index.html" for p in papers}
    aliases = {f"{a.rstrip('/')}/index.html": p["id"] for p in papers for a in p["aliases"]}
    topic_pages = {rel for rel in pages
                   if rel.startswith("topics/") and rel != "topics/index.html"}
    assert "topics/unsorted/index.html" in topic_pages or not any(
        not p["topics"] for p in papers)
    linked = _targets_from(link_graph, topic_pages)
    unreachable = sorted(canonical - linked)
    assert not unreachable, (f"{len(unreachable)} paper page(s) no topic page links to:\n"
                             + "\n".join(unreachable))
    strays = sorted(rel for rel in pages if rel.startswith("papers/")
                    and rel not in canonical and rel not in aliases)
    assert not strays, f"pages under papers/ that are neither papers nor aliases: {strays}"
    for rel, paper_id in aliases.items():
        assert rel in pages, rel
        # an alias page sends its visitor to the paper (checked as a link above)
        assert any(page == rel and target == f"papers/{paper_id}/index.html"
                   for page, _, target, _, _ in link_graph), rel


def test_every_topic_page_is_reachable_from_home_or_the_topics_index(pages, link_graph):
    topic_pages = {rel for rel in pages
                   if rel.startswith("topics/") and rel != "topics/index.html"}
    first_pages = {rel for rel in topic_pages if rel.count("/") == 2}
    entry = {"index.html", "topics/index.html"}
    direct = _targets_from(link_graph, entry)
    missing = sorted(first_pages - direct)
    assert not missing, f"topic pages not linked from home or the topics index: {missing}"
    # later pages of a long topic: through the topic's own pager, from its first page
    edges: dict[str, set[str]] = {}
    for page, _, target, _, problem in link_graph:
        if page in topic_pages and target in topic_pages and not problem:
            edges.setdefault(page, set()).add(target)
    seen = set(first_pages)
    queue = deque(first_pages)
    while queue:
        for nxt in edges.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    assert not sorted(topic_pages - seen)


def test_build_logs_no_warnings(build):
    _, result = build
    warnings = [line for line in result.stderr.splitlines() if "WARNING" in line]
    assert not warnings, "\n".join(warnings)
