"""What a red-team review found, one class of problem per case, run through the real command
line (`check` and `build`): the exit status, the exact messages, never a traceback.

Each folder of `tests/fixtures/redteam/` is a case (see its README): `dumps/` (else the
golden corpus' dumps), `curation/` (else none) and `expected.txt`, the problem lines
`check` prints, exactly. A case with an error line fails `check` and `build` with exit
status 1 and writes nothing; a case without one builds. Names a repository cannot hold
(undecodable bytes, line breaks, links, pipes) are made by the tests below.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import markdown
import pytest
from bs4 import BeautifulSoup

from generator import dedupe
from generator.model import Entry
from generator.safe import read_front_matter

from conftest import REPO, run_cli

CASES_DIR = Path(__file__).parent / "fixtures" / "redteam"
CASES = sorted(p for p in CASES_DIR.iterdir() if p.is_dir())
GOLDEN_DUMPS = Path(__file__).parent / "fixtures" / "golden" / "dumps"
CONFIG = REPO / "mkdocs.yml"
PROBLEM_LINE = re.compile(r"\S.*:\d+: (error|warning): .*")
LINK = "[read the paper](javascript:alert(1))"

pytestmark = pytest.mark.slow


def _work(case: Path, root: Path) -> Path:
    """A working copy of the case: `dumps/` and `curation/` in a fresh folder."""
    work = root / case.name
    work.mkdir()
    shutil.copytree(case / "dumps" if (case / "dumps").is_dir() else GOLDEN_DUMPS,
                    work / "dumps")
    (work / "curation").mkdir()
    if (case / "curation").is_dir():
        shutil.copytree(case / "curation", work / "curation", dirs_exist_ok=True)
    return work


def _cli(work: Path, *args: str, env: dict[str, str] | None = None, quiet: bool = True):
    extra = ("--config", str(CONFIG)) if args[0] == "build" else ()
    return run_cli(*args, *extra, *(("--quiet",) if quiet else ()), cwd=work, env=env)


def _problems(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if PROBLEM_LINE.fullmatch(line)]


def _clean(result) -> None:
    assert "Traceback" not in result.stderr + result.stdout, result.stderr


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_through_check_and_build(case, tmp_path):
    assert {p.name for p in case.iterdir()} <= {"dumps", "curation", "expected.txt"}
    expected = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    failing = any(": error: " in line for line in expected)
    work = _work(case, tmp_path)
    check = _cli(work, "check")
    _clean(check)
    assert _problems(check.stderr) == expected
    assert check.returncode == (1 if failing else 0), check.stderr
    ledger_before = (work / "dumps" / "permalinks.tsv").read_bytes() \
        if (work / "dumps" / "permalinks.tsv").exists() else None
    build = _cli(work, "build")
    _clean(build)
    assert _problems(build.stderr) == expected
    assert build.returncode == (1 if failing else 0), build.stderr
    if failing:
        assert not (work / "site").exists()
        ledger_now = (work / "dumps" / "permalinks.tsv").read_bytes() \
            if (work / "dumps" / "permalinks.tsv").exists() else None
        assert ledger_now == ledger_before  # nothing written
    else:
        assert (work / "site" / "index.html").is_file()
        assert (work / "dumps" / "permalinks.tsv").is_file()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The cases that build, each built once: name -> its working copy."""
    root = tmp_path_factory.mktemp("redteam")
    out = {}
    for case in CASES:
        if ": error: " in (case / "expected.txt").read_text(encoding="utf-8"):
            continue
        work = _work(case, root)
        result = _cli(work, "build")
        assert result.returncode == 0, result.stderr
        out[case.name] = work
    return out


def _papers(work: Path) -> list[dict]:
    return json.loads((work / "site" / "api" / "papers.json").read_text(encoding="utf-8"))[
        "papers"]


def _html(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


# ------------------------------------------- 1. front matter, curated text, Markdown


def _front_matter_as_markdown(page: str) -> BeautifulSoup:
    """What Python-Markdown, with mkdocs.yml's extensions, makes of a page's front matter
    block if mkdocs ever took it for Markdown."""
    from mkdocs.config import load_config

    config = load_config(str(CONFIG))
    block = page[: page.index("\n---\n", 3) + 5]
    html = markdown.markdown(block, extensions=config.markdown_extensions,
                             extension_configs=config.mdx_configs)
    return BeautifulSoup(html, "html.parser")


def _generated_pages(work: Path, tmp_path: Path) -> dict[str, str]:
    """The generated Markdown pages of a working copy's build, from the site model."""
    from generator import pipeline
    from generator.progress import Progress
    from generator.render import SiteInput, build_site_model

    progress = Progress(quiet=True)
    inputs = pipeline.read_inputs(work / "dumps", work / "curation", progress,
                                  tmp_path / "ledger.tsv")
    catalog, _ = pipeline.make_catalog(inputs, progress)
    model = build_site_model(SiteInput(catalog, inputs.taxonomy,
                                       pipeline.make_links(catalog, progress),
                                       "https://example.org/", inputs.curated.vocabulary))
    return dict(model.docs)


def test_curated_markdown_stays_text_everywhere(built):
    work = built["curated-markdown"]
    site = work / "site"
    pages = {p.relative_to(site).as_posix(): _html(p) for p in site.rglob("*.html")}
    live = [f"{rel}: {a}" for rel, doc in pages.items() for a in doc.find_all(href=True)
            if a["href"].replace(" ", "").lower().startswith("javascript")]
    assert not live, live
    assert not [rel for rel, doc in pages.items() if doc.find("img")]
    topic = pages["topics/vision/index.html"]
    assert topic.select_one("section.topic h1").get_text() == f"Vision {LINK}"
    assert topic.title.get_text().startswith(f"Vision {LINK}")
    assert topic.select_one(".topic__description").get_text().startswith(
        f"Vision papers. {LINK} <img src=x onerror=alert(2)>")
    paper = pages["papers/vision-transformers-need-registers/index.html"]
    assert f"Curators' note: Registers. {LINK}" in paper.get_text()
    assert f"Later work builds on it. {LINK}" in paper.select_one(".paper__tags").get_text()
    ld = json.loads(paper.find("script", type="application/ld+json").string)
    assert ld["about"] == [f"Vision {LINK}"]


def test_front_matter_rendered_as_markdown_would_be_inert(built, tmp_path):
    """Layer (c): even if mkdocs took a page's front matter for Markdown, nothing in it
    becomes a link, an image or any element but paragraphs, rules and headings."""
    pages = _generated_pages(built["curated-markdown"], tmp_path)
    hostile = REPO / "tests" / "fixtures" / "hostile"
    work = tmp_path / "hostile"
    shutil.copytree(hostile / "dumps", work / "dumps")
    (work / "curation").mkdir()
    pages |= {f"hostile/{k}": v for k, v in _generated_pages(work, tmp_path).items()}
    checked = 0
    for rel, text in pages.items():
        assert read_front_matter(text) is not None, rel
        doc = _front_matter_as_markdown(text)
        tags = {el.name for el in doc.find_all(True)}
        assert tags <= {"p", "hr", "h1", "h2"}, (rel, tags)
        checked += 1
    assert checked > 20


def test_a_front_matter_mkdocs_cannot_read_fails_the_build(tmp_path):
    """Layer (b): a generated page's front matter reaches the theme exactly as the
    generator wrote it (mkdocs' YAML never reads it: a value YAML would choke on is
    printed as text); a hand-written page whose front matter mkdocs would drop stops the
    build, and the old site stays as it was."""
    from generator.packed import Texts
    from generator.render import SiteModel
    from generator.writer import BuildFailed, build_site

    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: t\nuse_directory_urls: true\n", encoding="utf-8")
    docs = tmp_path / "docs"
    docs.mkdir()
    site = tmp_path / "site"
    site.mkdir()
    (site / "old.html").write_text("old", encoding="utf-8")
    title = "Vision\x80 " + LINK
    odd = '---\ntitle: ' + json.dumps(title) + '\n---\n<p>body</p>\n'
    good = SiteModel(Texts.from_texts((("index.md", '---\ntitle: "fine"\n---\n<p>ok</p>\n'),
                                       ("odd.md", odd))), Texts())
    build_site(good, config, docs, site, cache_dir=None)
    page = _html(site / "odd" / "index.html")
    assert page.title.string.startswith(title)
    assert not page.select('a[href^="javascript"]')
    before = (site / "index.html").read_bytes()
    (docs / "hand.md").write_text("---\ntitle: [unclosed\n---\nbody\n", encoding="utf-8")
    with pytest.raises(BuildFailed, match=r"hand\.md: mkdocs could not read this page's "
                                          "front matter"):
        build_site(good, config, docs, site, cache_dir=None)
    assert (site / "index.html").read_bytes() == before
    (docs / "hand.md").unlink()
    bad = SiteModel(Texts.from_texts((("index.md", "<p>no front matter</p>\n"),)), Texts())
    with pytest.raises(BuildFailed, match=r"index\.md: the generator wrote a page without "
                                          "its front matter"):
        build_site(bad, config, docs, site, cache_dir=None)
    assert (site / "index.html").read_bytes() == before


@pytest.mark.browser
def test_no_link_of_an_affected_page_opens_a_dialog(built):
    """Chromium clicks every link of the pages that show curated Markdown: no dialog."""
    from benchmarks.bench_pages import serve

    from conftest import CHROMIUM, unavailable

    try:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed")
    if not CHROMIUM.is_file():
        unavailable(f"no Chromium at {CHROMIUM}")
    site = built["curated-markdown"] / "site"
    dialogs: list[str] = []
    clicked = 0
    with serve(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=["--no-sandbox"])
        context = browser.new_context()
        # other origins (arXiv, GitHub) answer an empty page here; nothing leaves loopback
        context.route(lambda url: not url.startswith(base),
                      lambda route: route.fulfill(status=200, body="",
                                                  content_type="text/html"))
        for path in ("topics/vision/", "papers/vision-transformers-need-registers/",
                     "tags/foundational/"):
            page = context.new_page()
            page.goto(base + path)
            markup = page.locator("a[href]").evaluate_all("els => els.map(e => e.outerHTML)")
            page.close(run_before_unload=True)
            assert len(markup) > 10, path
            # links with the same markup behave the same: click each kind once
            for k in sorted({m: k for k, m in reversed(list(enumerate(markup)))}.values()):
                page = context.new_page()  # a fresh page per click: no navigation races
                page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
                page.goto(base + path)
                link = page.locator("a[href]").nth(k)
                try:  # as a reader would; a link shown only on focus (the skip link) or
                    # under the header gets the click event itself
                    if not link.is_visible():
                        raise PlaywrightTimeout("hidden")
                    link.click(no_wait_after=True, timeout=2000)
                except PlaywrightTimeout:
                    link.dispatch_event("click")
                page.wait_for_timeout(50)
                page.close(run_before_unload=True)
                clicked += 1
        browser.close()
    assert clicked > 30
    assert dialogs == []


# ------------------------------------------------------------- 2. permalink takeover

ORIGINAL = ("We study attention sinks in vision transformers and show that a handful of "
            "background tokens absorb most of the attention mass in every layer; registers "
            "remove the artefacts and improve dense prediction.")
IMPOSTOR = ("This back-dated entry reuses the title with another abstract: it claims that "
            "registers are a marketing term and that nothing needs them at all, ever.")
OTHER = ("Diffusion models generate images by reversing a noising process; a small adapter "
         "trained on a few hundred pairs controls layout at a fraction of the cost.")
TITLE = "Vision Transformers Need Registers"
SLUG = "vision-transformers-need-registers"


def _text_dump(day: str, *pairs: tuple[str, str]) -> str:
    body = "".join(f"{t}\n\n{a}\n\n" for t, a in pairs)
    return f"new\n\nDaily Papers\n\n{day}\n\n{body}"


def _ledger_lines(work: Path) -> list[str]:
    return (work / "dumps" / "permalinks.tsv").read_text(encoding="utf-8").splitlines()


def _shown_abstract(work: Path, pid: str) -> str:
    page = _html(work / "site" / "papers" / pid / "index.html")
    return page.select_one("p.paper__abstract").get_text()


def test_a_back_dated_dump_cannot_take_a_published_permalink(tmp_path):
    work = tmp_path / "work"
    (work / "dumps").mkdir(parents=True)
    (work / "curation").mkdir()
    (work / "dumps" / "2024-06-02_daily.txt").write_text(
        _text_dump("Jun 2", (TITLE, ORIGINAL), ("Layout Adapters for Diffusion", OTHER)),
        encoding="utf-8")
    first = _cli(work, "build", quiet=False)
    assert first.returncode == 0, first.stderr
    # two papers, the day's digest and the dump's own digest address (a redirect to it)
    assert "recorded 4 new permalinks in dumps/permalinks.tsv" in first.stderr
    published = _ledger_lines(work)
    assert any(line.startswith(f"papers/{SLUG}/\tpaper\tentry:") for line in published)
    assert _shown_abstract(work, SLUG) == ORIGINAL

    (work / "dumps" / "2024-06-01_backdated.txt").write_text(
        _text_dump("Jun 1", (TITLE, IMPOSTOR)), encoding="utf-8")
    check = _cli(work, "check")
    assert check.returncode == 0, check.stderr
    assert _ledger_lines(work) == published  # check writes nothing
    second = _cli(work, "build", quiet=False)
    assert second.returncode == 0, second.stderr
    # the newcomer's id, the original's own hashed slug (an alias, now that two papers
    # claim the slug), and the new day's digest with its dump's address
    assert "recorded 4 new permalinks in dumps/permalinks.tsv" in second.stderr
    # the old URL still leads to the original paper; the newcomer has a new id
    assert _shown_abstract(work, SLUG) == ORIGINAL
    papers = {p["abstract"]: p for p in _papers(work)}
    newcomer = papers[IMPOSTOR]["id"]
    assert re.fullmatch(rf"{SLUG}-[0-9a-f]{{6}}", newcomer)
    assert _shown_abstract(work, newcomer) == IMPOSTOR
    # append-only: every line published before is still there, unchanged
    now = _ledger_lines(work)
    assert set(published) <= set(now) and len(now) == len(published) + 4
    assert any(line.startswith(f"papers/{newcomer}/\tpaper\tentry:") for line in now)
    records = [line for line in now if not line.startswith("#")]
    assert records == sorted(records, key=lambda line: line.split("\t")[0])  # by id

    # without the ledger the back-dated dump would take the id (what the ledger prevents)
    (work / "dumps" / "permalinks.tsv").unlink()
    forgetful = _cli(work, "build")
    assert forgetful.returncode == 0, forgetful.stderr
    assert _shown_abstract(work, SLUG) == IMPOSTOR


def test_a_paper_no_dump_has_keeps_its_address(tmp_path):
    work = tmp_path / "work"
    (work / "dumps").mkdir(parents=True)
    (work / "curation").mkdir()
    dump = work / "dumps" / "2024-06-02_daily.txt"
    dump.write_text(_text_dump("Jun 2", (TITLE, ORIGINAL),
                               ("Layout Adapters for Diffusion", OTHER)), encoding="utf-8")
    assert _cli(work, "build").returncode == 0
    dump.write_text(_text_dump("Jun 2", ("Layout Adapters for Diffusion", OTHER)),
                    encoding="utf-8")
    result = _cli(work, "build")
    assert result.returncode == 0, result.stderr
    gone = _html(work / "site" / "papers" / SLUG / "index.html")
    assert gone.select_one("h1.paper__title").get_text() == TITLE
    assert "no longer in the index" in gone.get_text()
    # and a new paper with that title still cannot take it
    (work / "dumps" / "2024-06-03_daily.txt").write_text(
        _text_dump("Jun 3", (TITLE, IMPOSTOR)), encoding="utf-8")
    assert _cli(work, "build").returncode == 0
    assert "no longer in the index" in (work / "site" / "papers" / SLUG / "index.html"
                                        ).read_text(encoding="utf-8")


def test_ledger_command_records_without_building(tmp_path):
    work = tmp_path / "work"
    shutil.copytree(GOLDEN_DUMPS, work / "dumps")
    (work / "curation").mkdir()
    result = _cli(work, "ledger", quiet=False)
    assert result.returncode == 0, result.stderr
    assert "recorded 13 new permalinks in dumps/permalinks.tsv" in result.stderr
    assert not (work / "site").exists()
    again = _cli(work, "ledger", quiet=False)
    assert again.returncode == 0 and "recorded" not in again.stderr
    build = _cli(work, "build", quiet=False)
    assert build.returncode == 0 and "recorded" not in build.stderr


def test_the_repository_ledger_holds_every_published_id(tmp_path):
    """The committed ledger is complete for the committed dumps: building them records
    nothing new (the check workflow fails a pull request otherwise)."""
    result = run_cli("ledger", "--ledger", str(tmp_path / "copy.tsv"), "--quiet")
    assert result.returncode == 0, result.stderr
    committed = (REPO / "dumps" / "permalinks.tsv").read_text(encoding="utf-8")
    shutil.copy(REPO / "dumps" / "permalinks.tsv", tmp_path / "copy.tsv")
    again = run_cli("ledger", "--ledger", str(tmp_path / "copy.tsv"))
    assert again.returncode == 0 and "recorded" not in again.stderr, again.stderr
    assert (tmp_path / "copy.tsv").read_text(encoding="utf-8") == committed


# --------------------------------------------------------- 3. bounded work per entry


def test_same_title_entries_cost_bounded_work(monkeypatch):
    """However many entries share a title and however long their abstracts, each is
    compared with a bounded number of others, on bounded keys."""
    calls: list[tuple[int, int]] = []
    real = dedupe.abstract_score

    def counting(a_key, a_trunc, b_key, b_trunc, cutoff=0.0):
        calls.append((len(a_key), len(b_key)))
        return real(a_key, a_trunc, b_key, b_trunc, cutoff)

    monkeypatch.setattr(dedupe, "abstract_score", counting)
    n = 60
    words = [f"w{k}" for k in range(5000)]
    entries = [Entry("flood.txt", k, "The Same Title",
                     " ".join(random.Random(k).choices(words, k=10_000))) for k in range(n)]
    clusters = dedupe.deduplicate(entries)
    assert len(clusters) == n  # the abstracts differ: sixty papers
    per_entry = dedupe.SAME_TITLE_COMPARISONS + 5 * dedupe.BLOCK_WINDOW + dedupe.NEIGHBOURS
    assert len(calls) <= n * per_entry
    assert max(max(c) for c in calls) <= dedupe.ABSTRACT_KEY_CHARS


# ------------------------------------------------------------------ 4. names, paths


def test_a_paper_titled_index_and_a_dump_named_index_build(built):
    work = built["index-names"]
    site = work / "site"
    ids = [p["id"] for p in _papers(work)]
    assert len(ids) == 2 and "index" not in ids
    assert all(re.fullmatch(r"index-[0-9a-f]{6}", i) for i in ids)
    assert not (site / "papers" / "index.html").exists()
    for pid in ids:
        assert _html(site / "papers" / pid / "index.html").select_one(
            "h1.paper__title").get_text() == "Index"
    archive = _html(site / "digests" / "index.html")
    assert archive.select_one("h1").get_text().strip() == "Digests"
    assert (site / "digests" / "index-dump" / "index.html").is_file()
    # the archive links the saves without a year, and their page links the dump's digest
    assert archive.find("a", href=re.compile(r"months/undated/$"))
    undated = _html(site / "digests" / "months" / "undated" / "index.html")
    assert undated.find("a", href=re.compile(r"(^|/)index-dump/$"))


def test_topic_ids_match_whole_strings():
    from pydantic import ValidationError

    from generator.topics import TopicRule

    rule = {"title": "t", "description": "d", "include": {"x": "3"}}
    assert TopicRule.model_validate({**rule, "id": "vision"}).id == "vision"
    for bad in ("vision\n", "vision\n\n", "a b", "Vision"):
        with pytest.raises(ValidationError):
            TopicRule.model_validate({**rule, "id": bad})


def test_trailing_newline_in_a_topic_id_is_cleaned_like_text(tmp_path):
    work = _work(CASES_DIR / "topic-id-newline", tmp_path)
    text = (work / "curation" / "topics.yml").read_text(encoding="utf-8")
    (work / "curation" / "topics.yml").write_text(text.split("  - id: \"efficient")[0],
                                                 encoding="utf-8")
    result = _cli(work, "build")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (work / "site" / "topics").iterdir()) == [
        "index.html", "unsorted", "vision"]


ENTRY = _text_dump("Mar 20", (TITLE, ORIGINAL))


@pytest.mark.parametrize(("name", "shown", "why"), [
    (b"2024-03-20_bad-\xff.txt", "2024-03-20_bad-\\xff.txt",
     "the file name is not valid UTF-8; rename the file"),
    ("2024-03-20_" + "x" * 130 + ".txt", "2024-03-20_" + "x" * 130 + ".txt",
     "the file name is longer than 120 bytes (145); rename the file"),
    ("2024-03-20_a\nb.txt", "2024-03-20_a\\x0ab.txt",
     "the file name holds a control character U+000A; rename the file"),
    ("2024-03-20_a\rb.txt", "2024-03-20_a\\x0db.txt",
     "the file name holds a control character U+000D; rename the file"),
    ("2024-03-20_a\tb.txt", "2024-03-20_a\\x09b.txt",
     "the file name holds a control character U+0009; rename the file"),
    ("2024-03-20_a\x85b.txt", "2024-03-20_a\\x85b.txt",
     "the file name holds a control character U+0085; rename the file"),
    ("2024-03-20_a\x0bb.txt", "2024-03-20_a\\x0bb.txt",
     "the file name holds a control character U+000B; rename the file"),
    ("2024-03-20_a\x80b.txt", "2024-03-20_a\\x80b.txt",
     "the file name holds a control character U+0080; rename the file"),
    ("2024-03-20_a\u2028b.txt", "2024-03-20_a\\u2028b.txt",
     "the file name holds a line separator U+2028; rename the file"),
    ("2024-03-20_a\ufffeb.txt", "2024-03-20_a\\ufffeb.txt",
     "the file name holds a non-character U+FFFE; rename the file"),
])
def test_a_dump_name_the_site_cannot_use_is_an_error(tmp_path, name, shown, why):
    work = tmp_path / "work"
    dumps = work / "dumps"
    dumps.mkdir(parents=True)
    (work / "curation").mkdir()
    (dumps / "2024-03-19_fine.txt").write_text(ENTRY, encoding="utf-8")
    raw = name if isinstance(name, bytes) else name.encode("utf-8")
    with open(os.path.join(os.fsencode(dumps), raw), "w", encoding="utf-8") as f:
        f.write(ENTRY.replace("Mar 20", "Mar 21"))
    line = f"dumps/{shown}:1: error: {why}"
    for command in ("check", "build"):
        result = _cli(work, command, env={"GITHUB_ACTIONS": "true"})
        _clean(result)
        assert result.returncode == 1, result.stderr
        assert _problems(result.stderr) == [line]
        # under Actions: one annotation per problem, and no other line a runner could read
        # as a workflow command
        assert result.stdout.splitlines() == [
            f"::error file=dumps/{shown.replace(':', '%3A').replace(',', '%2C')},line=1::{why}"]
        for out in (result.stdout, result.stderr):
            assert not [s for s in out.splitlines()
                        if s.startswith("##[") or (s.startswith("::") and s not in
                                                    result.stdout.splitlines())]
    assert not (work / "site").exists()


# ---------------------------------------------------------------------- 5. readers


def test_the_top_level_daily_papers_list_is_read(built):
    work = built["decoy-daily-papers"]
    papers = _papers(work)
    assert [p["title"] for p in papers] == ["Vision Transformers need registers"]
    assert [p["sources"][0]["line"] for p in papers] == [5]
    site = work / "site"
    assert "Decoy" not in (site / "api" / "papers.json").read_text(encoding="utf-8")
    dumps = json.loads((site / "api" / "papers.json").read_text(encoding="utf-8"))["dumps"]
    assert [d["date"] for d in dumps] == ["2024-03-22"]


def _two_dumps(work: Path) -> Path:
    dumps = work / "dumps"
    dumps.mkdir(parents=True)
    (work / "curation").mkdir()
    (dumps / "2024-03-19_fine.txt").write_text(ENTRY, encoding="utf-8")
    return dumps


def test_a_symbolic_link_is_refused_and_its_target_never_read(tmp_path):
    work = tmp_path / "work"
    dumps = _two_dumps(work)
    secret = tmp_path / "outside.txt"
    secret.write_text(_text_dump("Mar 21", ("SECRET-TITLE of a file outside", ORIGINAL)),
                      encoding="utf-8")
    (dumps / "2024-03-21_link.txt").symlink_to(secret)
    (work / "curation" / "tags").mkdir()
    (work / "curation" / "tags" / f"{SLUG}.yml").symlink_to(secret)
    (work / "curation" / "topics.yml").symlink_to(tmp_path / "missing.yml")
    expected = [
        f"curation/tags/{SLUG}.yml:1: error: a symbolic link; inputs must be regular files "
        "(copy the file here instead)",
        "curation/topics.yml:1: error: a symbolic link; inputs must be regular files (copy "
        "the file here instead)",
        "dumps/2024-03-21_link.txt:1: error: a symbolic link; inputs must be regular files "
        "(copy the file here instead)",
    ]
    for command in ("check", "build"):
        result = _cli(work, command)
        _clean(result)
        assert result.returncode == 1, result.stderr
        assert sorted(_problems(result.stderr)) == expected
        assert "SECRET" not in result.stderr + result.stdout


def test_folders_and_pipes_in_the_dumps_folder_are_errors(tmp_path):
    work = tmp_path / "work"
    dumps = _two_dumps(work)
    (dumps / "2024-03-21_folder").mkdir()
    os.mkfifo(dumps / "2024-03-22_pipe.txt")
    result = subprocess.run([sys.executable, "-m", "generator", "check", "--quiet"],
                            cwd=work, env={**os.environ, "PYTHONPATH": str(REPO)},
                            capture_output=True, text=True, timeout=60)  # a pipe never blocks
    _clean(result)
    assert result.returncode == 1
    assert _problems(result.stderr) == [
        "dumps/2024-03-21_folder:1: error: a folder, not a regular file",
        "dumps/2024-03-22_pipe.txt:1: error: a named pipe, not a regular file",
    ]


# ------------------------------------------------------------- 6. feeds, annotations


def test_feeds_are_valid_xml_whatever_the_text():
    import datetime as dt
    import xml.etree.ElementTree as ET

    from generator.feeds import Feed, Item, rss
    from generator.model import Paper, Source

    nasty = "".join(chr(c) for c in range(0x20)) + "\x7f\x80\x85\x9f\ufffe\uffff\ud800 ok"
    paper = Paper("p", f"Title {nasty}", f"Abstract {nasty}. More.", None, (), (),
                  (Source("d", 1, "t", "first"),), "d", "d", topics=("t",))
    text = rss(Feed("all", f"Feed {nasty}", "d", ""), [Item(paper, dt.datetime(
        2024, 1, 1, tzinfo=dt.UTC))], "https://example.org/", {"t": f"Topic {nasty}"})
    root = ET.fromstring(text)
    assert root.find("channel/item/title").text.endswith(" ok")
    assert root.find("channel/item/category").text.startswith("Topic \t\n")
