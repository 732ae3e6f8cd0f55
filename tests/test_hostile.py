"""A hostile corpus: every title, abstract and author comes from an attacker.

`tests/fixtures/hostile/dumps/` holds a layout-B text dump and an API JSON dump whose
papers carry raw HTML, script and event-handler injections, `javascript:`/`data:` links
in many spellings, attribute lists, snippet includes, template expressions, front-matter
breakers, markdown structure, bidi and zero-width characters, emoji and a ~200 KB
abstract. The corpus is built once (empty curation, the repository's mkdocs.yml) and
every built page is scanned: nothing from the input may become markup, script, an event
handler or a dangerous URL, and every paper must still show its text literally.
The last test feeds the reader alone: a paper's text must not change how a dump is read.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup, Tag

from generator.mathtext import plain
from generator.model import ERROR
from generator.readers import list_dumps, read_all
from generator.safe import teaser
from generator.search import lead

from conftest import REPO, parse_pages, run_cli

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"
HOSTILE_DUMPS = HOSTILE / "dumps"
TEMPLATES = REPO / "generator" / "templates"
SITE_NAME = re.search(r"^site_name:\s*(.+?)\s*$",
                      (REPO / "mkdocs.yml").read_text(encoding="utf-8"), re.M).group(1)

pytestmark = pytest.mark.slow

# What each attack looks like in the dumps; the corpus must keep covering all of them.
REQUIRED_PAYLOADS = [
    "<b>bold</b>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>",
    "<iframe src=javascript:alert(1)>", "<script>alert(1)</script>",
    "</script><script>alert(2)</script>", "</title><script>alert(3)</script>",
    'onclick="alert(1)"', "onmouseover=", "[click me](javascript:alert(1))",
    '<a href="JaVaScRiPt:alert(1)">', "&#106;avascript:", "java script:",
    "data:text/html;base64,", "<javascript:alert(1)>", '{: onclick="alert(1)" }',
    "{ #pwn .evil onmouseover=alert(1) }", '--8<-- "mkdocs.yml"', "{{ config }}",
    "{% include 'base.html' %}", "{{ 7*7 }}", "--- title: pwned ---", "title: x",
    "# Heading", "* list", "1. numbered", "> quoted", "| table |", "![img](x)", "`code`",
    "***", "\u202e", "\u200b", "\u2066", "\U0001f680", "vbscript:", "formaction=",
    'http-equiv="refresh"', "<object", "<embed", "<math", "<noscript>", "<style>",
    "&lt;script&gt;", "\\ud83d", "\uffff", "onerror=alert(9)",
]

# Elements that must never appear anywhere in the built site (the theme uses none).
FORBIDDEN_ELEMENTS = {
    "iframe", "frame", "frameset", "object", "embed", "applet", "base", "xmp",
    "noscript", "textarea", "img", "b", "i", "u", "marquee", "template",
    "audio", "video", "source", "portal", "maction", "semantics", "annotation-xml",
    "mglyph", "malignmark", "circle", "select", "option",
}
# The MathML that `generator.mathtext` writes for a formula (`$x^2$`) and the attribute
# values it can give: the only markup ever made from dump text.
MATH_TAGS = {"math", "mi", "mn", "mo", "mtext", "mrow", "msup", "msub", "msubsup", "mfrac",
             "msqrt", "mroot", "mover", "mspace"}
MATH_ATTRIBUTES = {"alttext": re.compile(r".*", re.S), "mathvariant": re.compile("normal"),
                   "accent": re.compile("true"), "width": re.compile(r"\d+(\.\d+)?em")}
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data", "poster",
                  "background", "cite", "longdesc", "ping", "srcset", "data-permalink",
                  "data-root")
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")
# what browsers ignore inside or around a URL scheme
_URL_NOISE = re.compile(r"[\x00-\x20\x7f-\x9f\u00a0\u1680\u2000-\u200f\u2028-\u202f"
                        r"\u205f-\u206f\u3000\ufeff]+")
_CONFIG_KEYS = {"base", "features", "search", "translations", "annotate", "tags", "version"}


def _template_tags(*names: str) -> set[str]:
    tags: set[str] = set()
    for name in names:
        text = (TEMPLATES / name).read_text(encoding="utf-8")
        tags |= {m.lower() for m in re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", text)}
    return tags


# every element the generator's page templates can emit inside the content area
CONTENT_TAGS = _template_tags(*(p.name for p in TEMPLATES.glob("*.j2")
                                if p.name != "redirect.html.j2")) | MATH_TAGS
REDIRECT_TAGS = _template_tags("redirect.html.j2")


def _theme_inline_scripts() -> list[re.Pattern[str]]:
    """The inline scripts of mkdocs-material's `partials/javascripts/`, as patterns in
    which each Jinja expression (a relative base URL) may be any run of '.' and '/'."""
    import material

    folder = Path(material.__file__).parent / "templates" / "partials" / "javascripts"
    patterns = []
    for path in sorted(folder.glob("*.html")):
        for body in re.findall(r"<script>(.*?)</script>", path.read_text(encoding="utf-8"),
                               re.S):
            pieces = re.split(r"\{\{.*?\}\}", body)
            patterns.append(re.compile("[./]*".join(re.escape(p) for p in pieces)))
    assert patterns, "mkdocs-material's inline scripts not found"
    return patterns


THEME_INLINE_SCRIPTS = _theme_inline_scripts()


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def entries():
    results = read_all(list_dumps(HOSTILE_DUMPS))
    errors = [p.format() for r in results for p in r.problems if p.severity == ERROR]
    assert not errors, errors
    lost = [p.format() for r in results for p in r.problems if p.lost_entry]
    assert not lost, lost
    return [e for r in results for e in r.entries]


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    curation = root / "curation"
    curation.mkdir()
    site = root / "site"
    result = run_cli("build", "--dumps", str(HOSTILE_DUMPS), "--curation", str(curation),
                     "--site", str(site), "--ledger", str(root / "permalinks.tsv"),
                     env={"TZ": "UTC", "PYTHONHASHSEED": "1"})
    assert result.returncode == 0, result.stderr
    return site, result


@pytest.fixture(scope="module")
def site(build):
    return build[0]


@pytest.fixture(scope="module")
def pages(site):
    """Every built HTML file: relative path -> parsed document."""
    found = parse_pages(site)
    assert found
    return found


@pytest.fixture(scope="module")
def catalog(site):
    return json.loads((site / "api" / "papers.json").read_text(encoding="utf-8"))["papers"]


def _paper_page(pages, paper) -> BeautifulSoup:
    return pages[f"papers/{paper['id']}/index.html"]


def _is_redirect(doc: BeautifulSoup) -> bool:
    return doc.find("meta", attrs={"http-equiv": "refresh"}) is not None


def _generated(rel: str) -> bool:
    """Pages the generator writes from dump text (as opposed to docs/ and the theme)."""
    return rel == "index.html" or rel.startswith(("papers/", "topics/"))


def _where(rel: str, el: Tag) -> str:
    return f"{rel}: {str(el)[:160]!r}"


# ------------------------------------------------------------------ the corpus itself


def test_corpus_covers_every_attack(entries):
    text = "\n".join(f"{e.title}\n{e.abstract}\n" + "\n".join(e.authors) for e in entries)
    raw = "\n".join(p.read_text(encoding="utf-8") for p in list_dumps(HOSTILE_DUMPS))
    missing = [s for s in REQUIRED_PAYLOADS if s not in text and s not in raw]
    assert not missing, missing
    assert any("\t" in line for line in raw.splitlines()), "java<TAB>script: is gone"
    assert max(len(e.abstract) for e in entries) >= 200_000
    assert all(len(e.abstract) >= 300 for e in entries)
    assert any(e.authors for e in entries)
    assert {e.dump for e in entries} == {"2024-05-01_hostile.txt", "2024-05-02_hostile.json"}


def test_every_entry_is_in_the_catalog_with_a_page(entries, catalog, site):
    # the only merge the corpus asks for: one arXiv id given twice (a title variant)
    groups = {e.arxiv_id or (e.dump, e.line) for e in entries}
    assert len(catalog) == len(groups) == len(entries) - 1
    assert sum(len(p["sources"]) for p in catalog) == len(entries)
    owner = {t: p for p in catalog for t in (p["title"], *p["title_variants"])}
    assert sorted(owner) == sorted({e.title for e in entries})
    for e in entries:
        paper = owner[e.title]
        if len(paper["sources"]) == 1:
            assert paper["title"] == e.title
            assert paper["abstract"] == e.abstract
            assert paper["authors"] == list(e.authors)
        assert (site / "papers" / paper["id"] / "index.html").is_file(), paper["id"]
    assert any(p["title_variants"] for p in catalog)
    # ids are slugs: no path traversal, no markup, whatever the title or `paper.id` said
    for paper in catalog:
        assert re.fullmatch(r"[a-z0-9]+(?:[-.][a-z0-9]+)*", paper["id"]), paper["id"]
        assert paper["arxiv_id"] is None or re.fullmatch(r"\d{4}\.\d{4,5}", paper["arxiv_id"])
    for path in site.rglob("*"):
        rel = path.relative_to(site).as_posix()
        assert re.fullmatch(r"[A-Za-z0-9._/-]+", rel), rel
        assert path.resolve().is_relative_to(site.resolve()), rel


def test_build_output_is_clean(build):
    _, result = build
    assert "Traceback" not in result.stderr
    assert [line for line in result.stderr.splitlines() if "WARNING" in line] == []


# ----------------------------------------------------------------- markup and script


def test_no_event_handler_attributes(pages):
    bad = [f"{_where(rel, el)} has {name}"
           for rel, doc in pages.items() for el in doc.find_all(True)
           for name in el.attrs if name.lower().startswith("on")]
    assert not bad, "\n".join(bad)


def _script_problem(rel: str, script: Tag, site: Path) -> str | None:
    attrs = dict(script.attrs)
    body = script.string or ""
    if "src" in attrs:
        if set(attrs) - {"src", "defer", "async"} or body.strip():
            return "script with src has other attributes or a body"
        src = attrs["src"]
        if urlsplit(src).scheme or urlsplit(src).netloc:
            return "script from another origin"
        if src.startswith("/"):
            resolved = posixpath.normpath(src.lstrip("/"))
        else:
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(rel), src))
        if not resolved.startswith("assets/javascripts/") or not (site / resolved).is_file():
            return f"script src {src!r} is not a file of the site's assets/javascripts/"
        return None
    if attrs == {"type": "application/ld+json"}:
        try:
            document = json.loads(body)
        except ValueError as exc:
            return f"JSON-LD does not parse: {exc}"
        if not isinstance(document, dict) or document.get("@context") != "https://schema.org":
            return "JSON-LD is not a schema.org object"
        return None
    if attrs == {"id": "__config", "type": "application/json"}:
        try:
            config = json.loads(body)
        except ValueError as exc:
            return f"theme config does not parse: {exc}"
        if not isinstance(config, dict) or not set(config) <= _CONFIG_KEYS:
            return "theme config has unexpected keys"
        return None
    if not attrs and any(p.fullmatch(body) for p in THEME_INLINE_SCRIPTS):
        return None
    return "inline script that is not one of the theme's"


def test_every_script_is_the_themes_or_ours(pages, site):
    bad = []
    for rel, doc in pages.items():
        for script in doc.find_all("script"):
            problem = _script_problem(rel, script, site)
            if problem:
                bad.append(f"{_where(rel, script)}: {problem}")
    assert not bad, "\n".join(bad)
    # and ours is there: the copy-permalink script on paper pages
    paper_pages = [doc for rel, doc in pages.items()
                   if rel.startswith("papers/") and not _is_redirect(doc)]
    assert paper_pages
    for doc in paper_pages:
        assert any(s.get("src", "").endswith("assets/javascripts/index.js")
                   for s in doc.find_all("script"))
        assert len(doc.find_all("script", type="application/ld+json")) == 1


def _dangerous(url: str) -> bool:
    """After entity decoding (bs4 did it once; once more, to be strict) and dropping the
    whitespace and control characters browsers ignore, is the scheme executable?"""
    cleaned = _URL_NOISE.sub("", html.unescape(url)).lower()
    return cleaned.startswith(BAD_SCHEMES)


def _urls(el: Tag) -> list[tuple[str, str]]:
    out = [(name, el[name]) for name in URL_ATTRIBUTES if isinstance(el.get(name), str)]
    if el.name == "meta" and isinstance(el.get("content"), str):
        content = el["content"]
        kind = (el.get("property") or el.get("name") or el.get("itemprop") or "").lower()
        if (el.get("http-equiv") or "").lower() == "refresh":
            target = re.search(r"url\s*=\s*['\"]?(.*)", content, re.I | re.S)
            out.append(("content", target.group(1) if target else content))
        elif kind.endswith(("url", "image", "video", "audio")):
            out.append(("content", content))
    return out


def test_no_executable_urls(pages):
    bad = [f"{_where(rel, el)}: {name}={value!r}"
           for rel, doc in pages.items() for el in doc.find_all(True)
           for name, value in _urls(el) if _dangerous(value)]
    assert not bad, "\n".join(bad)


def test_no_active_elements_anywhere(pages):
    bad = []
    for rel, doc in pages.items():
        for el in doc.find_all(True):
            if el.name in FORBIDDEN_ELEMENTS:
                bad.append(f"{_where(rel, el)}: <{el.name}>")
            elif el.name == "style" and el.find_parent("head") is None:
                bad.append(f"{_where(rel, el)}: <style> outside <head>")
            elif el.name == "form" and el.get("name") != "search" and \
                    el.get("data-md-component") != "palette":
                bad.append(f"{_where(rel, el)}: a form that is not the theme's")
            elif el.name == "meta" and el.get("http-equiv") and not _is_redirect(doc):
                bad.append(f"{_where(rel, el)}: http-equiv outside a redirect page")
    assert not bad, "\n".join(bad)


def test_content_holds_only_template_elements(pages):
    bad = []
    for rel, doc in pages.items():
        if not _generated(rel):
            continue
        if _is_redirect(doc):
            extra = {el.name for el in doc.find_all(True)} - REDIRECT_TAGS
            if extra:
                bad.append(f"{rel}: {sorted(extra)}")
            continue
        article = doc.select_one("article.md-content__inner")
        if article is None:
            bad.append(f"{rel}: no content area")
            continue
        extra = {el.name for el in article.find_all(True)} - CONTENT_TAGS
        if extra:
            bad.append(f"{rel}: elements no template emits: {sorted(extra)}")
    assert not bad, "\n".join(bad)


def test_redirect_pages_point_at_papers(pages, catalog):
    ids = {p["id"] for p in catalog}
    aliases = {f"papers/{a.removeprefix('papers/').strip('/')}/index.html"
               for p in catalog for a in p["aliases"]}
    redirects = [rel for rel, doc in pages.items() if _is_redirect(doc)]
    # the corpus gives arXiv ids and title variants: there are paper redirects to check
    assert aliases and aliases <= set(redirects)
    # the dated dumps' own digest addresses redirect to their days
    assert {rel for rel in redirects if rel.startswith("digests/")} == {
        "digests/2024-05-01-hostile/index.html", "digests/2024-05-02-hostile/index.html"}
    for rel, doc in pages.items():
        if not _is_redirect(doc) or rel.startswith("digests/"):
            continue
        assert rel in aliases, rel
        target = doc.find("meta", attrs={"http-equiv": "refresh"})["content"]
        m = re.fullmatch(r"0; url=\.\./([^/]+)/", target)
        assert m and m.group(1) in ids, (rel, target)


# ---------------------------------------------------------------- text stays text


def _text_carriers(doc: BeautifulSoup) -> list[Tag]:
    """Elements whose whole content is dump text: they must hold no element."""
    return doc.select("h1.paper__title, p.paper__authors, p.paper__abstract, "
                      ".paper__variants li, .paper__related li > a, .paper__mentions li > a, "
                      ".paper__mentioned-by li > a, a.paper-item__title, "
                      "span.paper-item__teaser")


def _math_problem(el: Tag) -> str | None:
    """None when `el` is a formula as `mathtext` writes it: MathML elements only, with
    their few attributes, and no element of any other kind inside."""
    if el.name != "math" or el.find_parent("math") is not None:
        return f"<{el.name}> where only <math> may be"
    for node in [el, *el.find_all(True)]:
        if node.name not in MATH_TAGS:
            return f"<{node.name}> inside a formula"
        for name, value in node.attrs.items():
            allowed = MATH_ATTRIBUTES.get(name)
            if allowed is None or not allowed.fullmatch(str(value)):
                return f"attribute {name}={value!r} on <{node.name}>"
    return None


def _shown(el: Tag) -> str:
    """The text an element shows, each formula read as its plain text (`alttext`)."""
    copy = BeautifulSoup(str(el), "html.parser")
    for formula in copy.find_all("math"):
        formula.replace_with(formula.get("alttext", ""))
    return copy.get_text()


def test_dump_text_never_becomes_elements(pages):
    bad = []
    formulas = 0
    for rel, doc in pages.items():
        if not _generated(rel):
            continue
        for el in _text_carriers(doc):
            for child in el.find_all(True, recursive=False):
                problem = _math_problem(child)
                formulas += problem is None
                if problem:
                    bad.append(f"{_where(rel, el)}: {problem}")
    assert not bad, "\n".join(bad)
    assert formulas  # the corpus has formulas: they are drawn, and only as MathML


def test_paper_pages_show_their_text_literally(pages, catalog):
    failures = []
    for paper in catalog:
        doc = _paper_page(pages, paper)
        title, abstract = paper["title"], paper["abstract"]
        description = teaser(abstract) if abstract else title

        def check(what: str, got: object, want: object, paper=paper) -> None:
            if got != want:
                failures.append(f"{paper['id']}: {what}: got {str(got)[:200]!r}, "
                                f"want {str(want)[:200]!r}")

        # formulas are drawn (MathML in the page, plain text in titles and meta tags)
        shown_title, description = plain(title), plain(description)
        h1 = doc.select("h1.paper__title")
        check("h1 count", len(h1), 1)
        check("h1", _shown(h1[0]) if h1 else None, shown_title)
        check("<title>", doc.title.get_text() if doc.title else None,
              f"{shown_title} - {SITE_NAME}")
        for key, want in (("og:title", shown_title), ("og:description", description)):
            meta = doc.find("meta", property=key)
            check(key, meta and meta.get("content"), want)
        for key, want in (("twitter:title", shown_title), ("twitter:description", description),
                          ("description", description)):
            meta = doc.find("meta", attrs={"name": key})
            check(key, meta and meta.get("content"), want)
        topic = doc.select_one("[data-md-component=header-topic] .md-ellipsis")
        check("header", topic and topic.get_text().strip(), shown_title)
        shown = doc.select_one("p.paper__abstract")
        check("abstract", shown and _shown(shown), plain(abstract))
        authors = doc.select_one("p.paper__authors")
        check("authors", authors.get_text() if authors else "", ", ".join(paper["authors"]))
        variants = [li.get_text() for li in doc.select(".paper__variants li")]
        check("title variants", variants, paper["title_variants"])
        sources = doc.select(".paper__sources li")
        check("sources", len(sources), len(paper["sources"]))
        for li, source in zip(sources, paper["sources"], strict=False):
            if source["title"] != title:
                check("source title", li.get_text().endswith(f"as “{source['title']}”"), True)
        field = doc.select_one(".paper__markdown input")
        check("data-markdown-title", field and field.get("data-markdown-title"), title)
        scripts = doc.find_all("script", type="application/ld+json")
        try:
            ld = json.loads(scripts[0].string)
        except (IndexError, TypeError, ValueError) as exc:
            failures.append(f"{paper['id']}: JSON-LD: {exc!r}")
            continue
        check("JSON-LD name", ld.get("name"), title)
        check("JSON-LD headline", ld.get("headline"), title[:110])
        # the abstract or its first sentence, whichever the page carries, as written
        if "abstract" in ld:
            check("JSON-LD abstract", ld["abstract"], abstract)
        if "description" in ld:
            check("JSON-LD description", ld["description"], teaser(abstract))
        check("JSON-LD authors", [a.get("name") for a in ld.get("author", [])],
              paper["authors"])
    assert not failures, "\n".join(failures)


def test_lists_show_titles_and_teasers_literally(pages, catalog):
    by_id = {p["id"]: p for p in catalog}
    seen: set[str] = set()
    failures = []
    for rel, doc in pages.items():
        if not (rel == "index.html" or rel.startswith("topics/")):
            continue
        for item in doc.select("li.paper-item"):
            link = item.select_one("a.paper-item__title")
            paper_id = link["href"].rstrip("/").rsplit("/", 1)[-1]
            paper = by_id[paper_id]
            seen.add(paper_id)
            if _shown(link) != plain(paper["title"]):
                failures.append(f"{rel}: {_shown(link)!r} != {paper['title']!r}")
            shown = item.select_one(".paper-item__teaser")
            if shown is not None and _shown(shown) != plain(teaser(paper["abstract"])):
                failures.append(f"{rel}: teaser {shown.get_text()[:80]!r}")
    assert not failures, "\n".join(failures)
    assert seen == set(by_id), "papers missing from every list page"


def test_export_round_trips_titles(entries, site):
    text = (site / "api" / "papers.json").read_text(encoding="utf-8")
    assert "<" not in text and ">" not in text  # safe to inline, as documented
    papers = json.loads(text)["papers"]
    exported = sorted(t for p in papers for t in (p["title"], *p["title_variants"]))
    assert exported == sorted(e.title for e in entries)
    assert sorted(s["title"] for p in papers for s in p["sources"]) == sorted(
        e.title for e in entries)
    assert {a for p in papers for a in p["authors"]} <= {a for e in entries for a in e.authors}


def _index_rows(site: Path) -> list[list]:
    """The search index's paper rows: [id, title, topics, tags, abstract's lead]."""
    import gzip

    rows = []
    for path in sorted((site / "search-index" / "papers").glob("*.json.gz")):
        rows.extend(json.loads(gzip.decompress(path.read_bytes())))
    return rows


def test_search_index_keeps_hostile_text_as_text(site, catalog):
    rows = _index_rows(site)
    assert len(rows) == len(catalog)
    by_id = {row[0]: row for row in rows}
    for paper in catalog:
        # title and abstract come back exactly, as text (formulas as plain text): the page
        # shows them as text nodes (the abstract as far as results show it)
        assert by_id[paper["id"]][1] == plain(paper["title"])
        assert by_id[paper["id"]][4] == lead(plain(paper["abstract"]))


def test_search_page_never_writes_html():
    script = (REPO / "docs" / "assets" / "javascripts" / "search.js").read_text(
        encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                 "new Function"):
        assert sink not in script, sink


# --------------------------------------------------- includes and template expressions


def test_no_snippet_include_or_template_expansion(pages, catalog, site):
    config_text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    # its top-level settings, as they would read if the file were included
    config_lines = [line.rstrip() for line in config_text.splitlines()
                    if re.match(r"[a-z_]+: \S", line) and len(line.rstrip()) > 12]
    markers = ["site_name:", "markdown_extensions", "not_in_nav", "custom_dir:",
               *config_lines]
    bad = []
    for rel, doc in pages.items():
        if not _generated(rel):
            continue
        raw = str(doc)
        text = doc.get_text()
        bad += [f"{rel}: {m!r}" for m in markers if m in raw or m in text]
        if "'site_name'" in text or "MkDocsConfig" in text or "<Config" in text:
            bad.append(f"{rel}: a rendered configuration object")
    assert not bad, "\n".join(bad)

    # the expressions are shown as written, never evaluated
    expressions = ("{{ 7*7 }}", "{{ config }}", "{% include 'base.html' %}")
    for paper in catalog:
        written = [x for x in expressions if x in paper["title"] + paper["abstract"]]
        if not written:
            continue
        doc = _paper_page(pages, paper)
        body = doc.select_one("article.paper").get_text()
        for x in written:
            assert x in body, (paper["id"], x)
        if "{{ 7*7 }}" in paper["title"]:
            assert "49" not in doc.select_one("h1.paper__title").get_text()
            assert "49" not in doc.title.get_text()
    snippet = [p for p in catalog if p["abstract"].startswith('--8<-- "mkdocs.yml"')]
    assert snippet, "the corpus lost its abstract that starts with a snippet include"
    for paper in snippet:
        shown = _paper_page(pages, paper).select_one("p.paper__abstract").get_text()
        assert shown.startswith('--8<-- "mkdocs.yml"')


# ------------------------------------------------------------- reading the dumps


def test_abstract_text_cannot_change_how_a_dump_is_read():
    """The format of a dump is the file's, not something a paper's text can switch: an
    abstract that mentions the marker of saved HTML pages is still a text entry."""
    from generator.readers import read_dump

    path = HOSTILE_DUMPS / "2024-05-01_hostile.txt"
    text = path.read_text(encoding="utf-8")
    extra = ("Hydration Markers in Saved Pages\n\nSaved pages carry a SVELTE_HYDRATER "
             "marker next to their data, and readers that look for it anywhere in a file "
             "take any text that merely mentions SVELTE_HYDRATER for a saved page. We "
             "measure how often this happens across many digests and propose reading the "
             "format from the start of a file only.\n")
    plain = read_dump(path.name, text.encode("utf-8"))
    header, rest = text.split("\nMay 1\n\n", 1)  # the paper goes first, after the header
    result = read_dump(path.name, f"{header}\nMay 1\n\n{extra}\n{rest}".encode())
    assert [p.format() for p in result.problems if p.severity == ERROR] == []
    assert (result.dump.format, result.dump.layout) == (plain.dump.format, plain.dump.layout)
    assert len(result.entries) == len(plain.entries) + 1


# ------------------------------------------- control characters in curated files and names

# every kind YAML would accept written as an escape in a double-quoted string
CONTROL_ESCAPES = ["\\x00", "\\x0b", "\\x0c", "\\x1b", "\\x7f", "\\x80", "\\x85", "\\x9f",
                   "\\ufdd0", "\\ufffe", "\\uffff", "\\U0001fffe", "\\U0010ffff", "\\ud800"]
TOPICS = '''topics:
  - id: "vision"
    title: "{title}"
    description: "{description}"
    include:
      "{include}": "3"
    exclude:
      "{exclude}": "1"
'''
# (file, its text with one field holding the character, the line of that field)
CURATED_FIELDS = {
    "topic title": ("topics.yml", TOPICS, "title", 3),
    "topic description": ("topics.yml", TOPICS, "description", 4),
    "include term": ("topics.yml", TOPICS, "include", 6),
    "exclude term": ("topics.yml", TOPICS, "exclude", 8),
    "tag description": ("tags.yml", 'benchmark: "{value}"\n', "value", 1),
    "tag name": ("tags.yml", '"bench{value}mark": "Introduces a benchmark."\n', "value", 1),
    "tags entry": ("tags/some-paper.yml", 'tags:\n  - "{value}"\n', "value", 2),
    "topic added": ("tags/some-paper.yml",
                    'tags: [benchmark]\nadd_topics:\n  - "{value}"\nnote: x\n', "value", 3),
    "curators' note": ("tags/some-paper.yml", 'tags: [benchmark]\nnote: "{value}"\n',
                       "value", 2),
    "duplicate title": ("duplicates.yml", 'same:\n  - titles: ["a", "{value}"]\n'
                        "    note: x\n", "value", 2),
    "duplicate note": ("duplicates.yml", 'same:\n  - titles: ["a", "b"]\n'
                       '    note: "{value}"\n', "value", 3),
}


def _curation_problems(folder: Path) -> list:
    from generator.curation import load_curation
    from generator.pipeline import read_tag_files
    from generator.tags import load_curated
    from generator.topics import load_taxonomy

    return [*load_curation(folder)[1], *load_taxonomy(folder)[1],
            *load_curated(*read_tag_files(folder))[1]]


@pytest.mark.parametrize("field", sorted(CURATED_FIELDS))
@pytest.mark.parametrize("escape", CONTROL_ESCAPES)
def test_control_characters_in_every_curated_field_are_refused(tmp_path, field, escape):
    from generator.textnorm import describe_character

    name, template, slot, line = CURATED_FIELDS[field]
    values = {"title": "Vision", "description": "Vision papers.", "include": "vision",
              "exclude": "robot", "value": "fine"}
    values[slot] = f"Vision{escape} [read the paper](javascript:alert(1))" \
        if slot != "value" or field not in ("tag name",) else escape
    (tmp_path / "tags").mkdir()
    (tmp_path / name).write_text(template.format(**values), encoding="utf-8")
    char = escape.encode().decode("unicode_escape", "surrogatepass")
    want = f"curation/{name}:{line}: error: {describe_character(char)} is not allowed; " \
           "remove it (written as an escape)"
    assert [p.format() for p in _curation_problems(tmp_path)] == [want]


@pytest.mark.parametrize("char", ["\x00", "\x01", "\t", "\n", "\r", "\x0b", "\x1b", "\x7f",
                                  "\x80", "\x85", "\x9f", "\u2028", "\u2029", "\ufdd0",
                                  "\ufffe", "\uffff", "\U0001fffe"])
def test_control_characters_in_dump_names_are_errors(tmp_path, char):
    from generator.textnorm import describe_character, printable

    if char == "\x00":  # no file system allows it: the name check itself must refuse it
        from generator.files import bad_name

        assert bad_name(f"2024-05-03_a{char}b.txt") is not None
        return
    name = f"2024-05-03_a{char}b.txt"
    path = tmp_path / name
    path.write_bytes((HOSTILE_DUMPS / "2024-05-01_hostile.txt").read_bytes())
    [result] = read_all([path])
    assert result.entries == ()
    [problem] = result.problems
    assert problem.severity == ERROR
    assert problem.message == (f"the file name holds a {describe_character(char)}; "
                               "rename the file")
    shown = problem.format()
    assert shown.isprintable() and printable(name) in shown
