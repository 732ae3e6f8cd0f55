"""The page cache and the writer's shortcuts: a daily update built with the cache is
byte-identical to a clean build, and a cache that cannot be proven valid is thrown away.

Each test builds in a copy of the project (mkdocs.yml, overrides, docs), so the cache is
the one the build finds by itself beside that mkdocs.yml.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path

import markdown
import pytest

from conftest import REPO, run_cli, tree_digest

DAYS = sorted(p for p in (REPO / "dumps").iterdir() if p.suffix == ".txt")


def _project(root: Path) -> Path:
    root.mkdir(parents=True)
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "overrides", root / "overrides")
    shutil.copytree(REPO / "docs", root / "docs")
    return root / "mkdocs.yml"


def _build(config: Path, dumps: Path, site: Path, env: dict | None = None) -> str:
    done = run_cli("build", "--dumps", str(dumps), "--config", str(config),
                   "--site", str(site), env=env)
    assert done.returncode == 0, done.stderr
    return done.stderr


def _reused(log: str) -> tuple[int, int]:
    found = re.search(r"(\d+) of (\d+) pages from the page cache", log)
    assert found, log
    return int(found.group(1)), int(found.group(2))


@pytest.fixture(scope="module")
def updated(tmp_path_factory):
    """Four seed dumps built, then the fifth added: built with the cache the first build
    left, and built clean from the same inputs (the same ledger) in another project."""
    tmp = tmp_path_factory.mktemp("cache")
    assert len(DAYS) == 5
    dumps = tmp / "dumps"
    dumps.mkdir()
    for day in DAYS[:4]:
        shutil.copy2(day, dumps / day.name)
    config = _project(tmp / "project")
    first = _build(config, dumps, tmp / "site-first")
    shutil.copy2(DAYS[4], dumps / DAYS[4].name)
    shutil.copytree(dumps, tmp / "dumps-clean")  # the ledger the first build recorded
    update = _build(config, dumps, tmp / "site-update")
    clean = _build(_project(tmp / "clean"), tmp / "dumps-clean", tmp / "site-clean")
    return {"tmp": tmp, "config": config, "dumps": dumps, "logs": (first, update, clean)}


def test_a_daily_update_is_byte_identical_to_a_clean_build(updated):
    tmp = updated["tmp"]
    first, update, clean = updated["logs"]
    assert _reused(first)[0] == 0
    reused, pages = _reused(update)
    # the cache was used, and the pages the new day changes were built again
    assert 0 < reused < pages, update
    assert _reused(clean) == (0, pages)
    site_update, site_clean = tree_digest(tmp / "site-update"), tree_digest(tmp / "site-clean")
    assert len(site_update) > 400
    assert site_update == site_clean
    # the new day's papers exist only in the update: they were not in the cache
    assert site_update != tree_digest(tmp / "site-first")


def test_the_cache_lives_beside_mkdocs_yml_and_holds_this_build(updated):
    folder = updated["config"].parent / ".build-cache"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    stored = {p.name.removesuffix(".html") for p in (folder / "pages").iterdir()}
    _, pages = _reused(updated["logs"][1])
    # exactly the pages of the last build: entries no build uses any more are gone
    assert stored == set(manifest["pages"])
    assert len(stored) == pages
    assert (REPO / ".gitignore").read_text(encoding="utf-8").count(".build-cache/") == 1


def _memo_line(log: str, stage: str) -> int:
    found = re.search(rf"^{stage}: .*; (?:parsed|classified|paper pages rendered) before: "
                      r"(\d+)[ ,]", log, re.M)
    assert found, log
    return int(found.group(1))


def test_the_update_reads_classifies_and_renders_only_what_is_new(updated):
    """The four dumps of the first build are not parsed again, nor their papers
    classified, nor the pages of papers the new day leaves as they were rendered; the
    clean build computed everything (and the sites are identical)."""
    first, update, clean = updated["logs"]
    for stage in ("read", "classify", "render"):
        assert _memo_line(first, stage) == 0 and _memo_line(clean, stage) == 0
    assert _memo_line(update, "read") == 4
    papers = int(re.search(r"^deduplicate: (\d+) papers", update, re.M).group(1))
    assert 0 < _memo_line(update, "classify") < papers
    assert 0 < _memo_line(update, "render") < papers
    items = [int(re.search(r"^render: .*, list items: (\d+) of \d+ \(", log, re.M).group(1))
             for log in (first, update, clean)]
    assert items[0] == items[2] == 0 < items[1]
    stages = updated["config"].parent / ".build-cache" / "stages"
    assert sorted(p.name for p in stages.iterdir()) == [
        "cite.pickle", "classify.pickle", "items.pickle", "mentions.pickle", "pages.pickle",
        "read.pickle", "related.pickle", "render.pickle", "search.pickle"]


@pytest.mark.parametrize("damage", ["payload", "header", "truncated", "not a table"])
def test_a_damaged_stage_memo_is_computed_again(updated, damage):
    """A memo file that is not exactly what this generator wrote is never read: the
    stage computes everything, the site is the clean build's, the file is replaced."""
    import pickle

    stages = updated["config"].parent / ".build-cache" / "stages"
    _rebuild(updated, "site-warm")
    for name in ("read.pickle", "classify.pickle", "render.pickle", "items.pickle"):
        path = stages / name
        data = path.read_bytes()
        head, _, payload = data.partition(b"\n")
        if damage == "payload":  # a flipped byte deep inside
            k = len(payload) // 2
            data = head + b"\n" + payload[:k] + bytes([payload[k] ^ 1]) + payload[k + 1:]
        elif damage == "header":  # another generator's key
            data = head.replace(head.split(b" ")[4], b"0" * 64) + b"\n" + payload
        elif damage == "truncated":
            data = data[: len(data) // 3]
        else:  # hashed right, but a list where a table belongs
            import hashlib
            payload = pickle.dumps([1, 2])
            fields = head.split(b" ")
            fields[-1] = hashlib.sha256(payload).hexdigest().encode()
            data = b" ".join(fields) + b"\n" + payload
        path.write_bytes(data)
    log, site = _rebuild(updated, f"site-memo-{damage}")
    assert [_memo_line(log, stage) for stage in ("read", "classify", "render")] == [0, 0, 0]
    assert site == tree_digest(updated["tmp"] / "site-clean")
    log, _ = _rebuild(updated, f"site-memo-{damage}")  # written again, whole
    papers = int(re.search(r"^deduplicate: (\d+) papers", log, re.M).group(1))
    assert _memo_line(log, "read") == 5, log
    assert _memo_line(log, "classify") == _memo_line(log, "render") == papers > 300, log


def _rebuild(updated, name: str, env: dict | None = None) -> tuple[str, dict]:
    site = updated["tmp"] / name
    log = _build(updated["config"], updated["dumps"], site, env)
    return log, tree_digest(site)


def test_a_corrupt_entry_throws_the_cache_away(updated):
    folder = updated["config"].parent / ".build-cache"
    entry = sorted((folder / "pages").iterdir())[7]
    entry.write_bytes(entry.read_bytes().replace(b"</h1>", b"</h1><script>x()</script>", 1))
    log, site = _rebuild(updated, "site-corrupt")
    assert "cache cleared: entry" in log and "does not match its hash" in log, log
    assert _reused(log)[0] == 0
    assert site == tree_digest(updated["tmp"] / "site-clean")
    assert b"<script>x()</script>" not in entry.read_bytes()


def test_a_manifest_that_does_not_parse_throws_the_cache_away(updated):
    folder = updated["config"].parent / ".build-cache"
    _rebuild(updated, "site-warm")  # a full cache again
    (folder / "manifest.json").write_text("{not json", encoding="utf-8")
    log, site = _rebuild(updated, "site-garbled")
    assert "cache cleared" in log and _reused(log)[0] == 0, log
    assert site == tree_digest(updated["tmp"] / "site-clean")


@pytest.mark.parametrize("change", ["overrides", "site_url", "config"])
def test_another_build_key_throws_the_cache_away(updated, change):
    """The theme overrides, a setting read from the environment, mkdocs.yml: each is part
    of every page, so a change of any rebuilds every page."""
    config = updated["config"]
    _rebuild(updated, "site-warm")  # a full cache (an earlier case may have cleared it)
    log, _ = _rebuild(updated, "site-warm")
    assert _reused(log)[0] == _reused(log)[1]  # nothing changed: every page reused
    env = None
    if change == "overrides":
        main = config.parent / "overrides" / "main.html"
        main.write_text(main.read_text(encoding="utf-8") + "\n{#- changed -#}\n",
                        encoding="utf-8")
    elif change == "site_url":
        env = {"SITE_URL": "https://elsewhere.example.net/index/"}
    else:
        config.write_text(config.read_text(encoding="utf-8") + "\n# changed\n",
                          encoding="utf-8")
    try:
        log, _ = _rebuild(updated, f"site-{change}", env)
        assert "cache cleared: another build key" in log, log
        assert _reused(log)[0] == 0
        # the stage memo proves its own validity: throwing the pages away leaves it
        assert _memo_line(log, "read") == 5 and _memo_line(log, "classify") > 300, log
    finally:
        shutil.rmtree(config.parent)
        _project(config.parent)


def test_a_nav_title_taken_from_a_page_turns_the_cache_off(tmp_path):
    """A title the nav takes from a page's text could change without the pages that show
    it being rebuilt: then nothing is reused."""
    config = _project(tmp_path / "project")
    text = config.read_text(encoding="utf-8")
    assert "  - Search: search.md\n" in text
    config.write_text(text.replace("  - Search: search.md\n", "  - search.md\n"),
                      encoding="utf-8")
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    for day in DAYS:
        shutil.copy2(day, dumps / day.name)
    _build(config, dumps, tmp_path / "one")
    log = _build(config, dumps, tmp_path / "two")
    assert _reused(log)[0] == 0, log
    assert tree_digest(tmp_path / "one") == tree_digest(tmp_path / "two")


def test_generated_bodies_are_what_markdown_would_output():
    """The writer hands each generated page's body to the theme without Markdown: exact
    only because Markdown (with this site's extensions) passes every body through
    unchanged. Checked on the seed site and on the hostile fixtures."""
    import yaml

    from generator.safe import read_front_matter

    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8")
                            .replace("!ENV", ""))
    extensions = config["markdown_extensions"]
    names = [e if isinstance(e, str) else next(iter(e)) for e in extensions]
    configs = {next(iter(e)): next(iter(e.values())) for e in extensions
               if isinstance(e, dict)}
    checked = 0
    hostile = REPO / "tests" / "fixtures" / "hostile" / "dumps"
    fixtures = REPO / "tests" / "fixtures"
    for model in (_seed_model(), _seed_model(hostile, fixtures / "no-curation"),
                  _seed_model(fixtures / "golden" / "dumps",
                              fixtures / "redteam" / "curated-markdown" / "curation")):
        for uri, text in model.docs:
            _meta, body = read_front_matter(text)
            converted = markdown.Markdown(extensions=names,
                                          extension_configs=configs).convert(body)
            assert converted == body.strip(), uri
            checked += 1
    assert checked > 400


def _seed_model(dumps: Path = REPO / "dumps", curation: Path = REPO / "curation"):
    """The site model, built by the CLI's stages in order."""
    from generator.pipeline import make_catalog, make_links, read_inputs
    from generator.progress import Progress
    from generator.render import SiteInput, build_site_model
    from generator.tags import curated_files
    from generator.writer import settings

    progress = Progress(quiet=True)
    inputs = read_inputs(dumps, curation, progress)
    catalog, _ = make_catalog(inputs, progress)
    found = settings(REPO / "mkdocs.yml")
    return build_site_model(SiteInput(
        catalog, inputs.taxonomy, make_links(catalog, progress), found.site_url,
        inputs.curated.vocabulary, curated_files(catalog.papers, inputs.curated),
        found.repo_url, found.edit_branch))


def test_the_reused_navigation_is_what_each_page_would_render(tmp_path, monkeypatch):
    """The tabs and the site navigation rendered once per folder and reused: the same
    bytes as every page rendering its own."""
    from generator import writer

    model = _seed_model()
    config = _project(tmp_path / "project")
    docs = config.parent / "docs"
    writer.build_site(model, config, docs, tmp_path / "reused", cache_dir=None)
    monkeypatch.setattr(writer, "REUSE_FRAGMENTS", False)
    writer.build_site(model, config, docs, tmp_path / "own", cache_dir=None)
    reused, own = tree_digest(tmp_path / "reused"), tree_digest(tmp_path / "own")
    assert len(reused) > 400
    assert reused == own


def test_the_theme_parts_rendered_once_per_folder_are_the_themes_own(tmp_path):
    """The overrides that render the header around the page title, the configuration
    script and the footer once per folder give the bytes the theme's own templates give:
    the site built again without them is the same."""
    from generator import writer

    model = _seed_model()
    config = _project(tmp_path / "project")
    docs = config.parent / "docs"
    writer.build_site(model, config, docs, tmp_path / "ours", cache_dir=None)
    overrides = config.parent / "overrides"
    for name in ("header.html", "header-start.html", "header-end.html"):
        (overrides / "partials" / name).unlink()
    main = overrides / "main.html"
    text, removed = re.subn(r"\{% block (config|footer) %\}.*?\{% endblock %\}\n", "",
                            main.read_text(encoding="utf-8"), flags=re.S)
    assert removed == 2
    main.write_text(text, encoding="utf-8")
    writer.build_site(model, config, docs, tmp_path / "theme", cache_dir=None)
    ours, theme = tree_digest(tmp_path / "ours"), tree_digest(tmp_path / "theme")
    assert len(ours) > 400
    assert ours == theme


def test_pages_built_by_several_processes_are_the_same_bytes(tmp_path, monkeypatch):
    """The pages to build dealt to forked processes (one per core): the site is the same
    bytes as one process building them all, and the work was really shared."""
    from generator import writer

    model = _seed_model()
    config = _project(tmp_path / "project")
    docs = config.parent / "docs"
    monkeypatch.setattr(writer, "SHARE", 10**9)
    writer.build_site(model, config, docs, tmp_path / "one", cache_dir=None)
    dealt = []
    shares = writer._shares

    def spy(*args):
        dealt.append(shares(*args))
        return dealt[-1]

    monkeypatch.setattr(writer, "SHARE", 50)
    monkeypatch.setattr(writer, "cores", lambda: 3)
    monkeypatch.setattr(writer, "_shares", spy)
    writer.build_site(model, config, docs, tmp_path / "three", cache_dir=None)
    assert [len(s) > 100 for s in dealt[0]] == [True, True, True]
    one, three = tree_digest(tmp_path / "one"), tree_digest(tmp_path / "three")
    assert len(one) > 400
    assert one == three


def test_an_entry_is_linked_into_a_site_and_never_overwrites_in_place(tmp_path):
    """Into the staging site a plain hard link; where a file is already, the careful way
    (a temporary name, then a rename), so the file that was there is never written to."""
    import os

    from generator.cache import link_or_copy

    entry = tmp_path / "entry.html"
    entry.write_bytes(b"<p>cached</p>")
    fresh = tmp_path / "site" / "a.html"
    fresh.parent.mkdir()
    link_or_copy(entry, fresh, fresh=True)
    assert fresh.read_bytes() == b"<p>cached</p>"
    assert os.path.samefile(entry, fresh)
    there = tmp_path / "site" / "b.html"
    there.write_bytes(b"<p>old</p>")
    old = tmp_path / "old.html"
    os.link(there, old)  # another name of the file that was there
    link_or_copy(entry, there, fresh=True)
    assert there.read_bytes() == b"<p>cached</p>" and old.read_bytes() == b"<p>old</p>"
    assert sorted(p.name for p in there.parent.iterdir()) == ["a.html", "b.html"]


def _four_days(root: Path) -> tuple[Path, Path]:
    """A project and a folder of the first four seed dumps."""
    dumps = root / "dumps"
    dumps.mkdir()
    for day in DAYS[:4]:
        shutil.copy2(day, dumps / day.name)
    return _project(root / "project"), dumps


def test_a_build_with_nothing_new_computes_nothing_again(tmp_path):
    """Built again from the same inputs after an update (whose dumps came partly from the
    memo and partly from parsing): every dump, classification, paper page, citation and
    page of the site is taken from what the update kept. A memo key that depends on how
    equal values happen to share objects in memory would miss here."""
    config, dumps = _four_days(tmp_path)
    _build(config, dumps, tmp_path / "site-first")
    shutil.copy2(DAYS[4], dumps / DAYS[4].name)
    _build(config, dumps, tmp_path / "site-update")
    stages = config.parent / ".build-cache" / "stages"
    written = {p.name: p.stat().st_ino for p in stages.iterdir()}
    again = _build(config, dumps, tmp_path / "site-again")
    papers = int(re.search(r"^deduplicate: (\d+) papers", again, re.M).group(1))
    assert papers > 300  # precondition
    # no table is written again (atomically: a new file) but the list items', which keeps
    # only the items this build used (the new day's digest page, from the memo now, used
    # some); each of those, the topic pages' rendered in another process among them,
    # came from the update
    assert len(written) == 9
    assert {p.name: p.stat().st_ino for p in stages.iterdir() if p.name != "items.pickle"} \
        == {name: ino for name, ino in written.items() if name != "items.pickle"}
    hits, used = map(int, re.search(r"^render: .*, list items: (\d+) of (\d+) \(", again,
                                    re.M).groups())
    assert hits == used > papers
    assert _memo_line(again, "read") == len(DAYS)
    assert _memo_line(again, "classify") == papers
    assert _memo_line(again, "render") == papers
    reused, pages = _reused(again)
    assert reused == pages
    assert tree_digest(tmp_path / "site-again") == tree_digest(tmp_path / "site-update")


@pytest.mark.parametrize("path", ["data/index.html", "404.html", "sitemap.xml.gz",
                                  "assets/stylesheets/index.css", "papers/{id}/index.html"])
def test_a_generated_file_where_mkdocs_writes_one_fails_the_build(tmp_path, path):
    """The generator's files are written while mkdocs builds the pages, into the same
    folder: one at a path mkdocs writes too (a hand-written page, the theme's templates,
    the gzipped sitemap, a static file, a generated page) fails the build, whichever was
    written last, and the previous site stays."""
    from dataclasses import replace

    from generator import writer
    from generator.packed import Texts

    model = _seed_model()
    config = _project(tmp_path / "project")
    docs = config.parent / "docs"
    assert (docs / "assets" / "stylesheets" / "index.css").is_file()  # precondition
    site = tmp_path / "site"
    site.mkdir()
    (site / "old.html").write_text("the previous site", encoding="utf-8")
    paper = next(p.removeprefix("papers/").removesuffix(".md") for p, _ in model.docs
                 if p.startswith("papers/"))
    target = path.format(id=paper)
    files = Texts.from_texts([*model.files, (target, "from the generator")])
    with pytest.raises(writer.BuildFailed, match=f"generated file {re.escape(target)} would "
                                                 "overwrite a file mkdocs built"):
        writer.build_site(replace(model, files=files), config, docs, site, cache_dir=None)
    assert [p.name for p in site.iterdir()] == ["old.html"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site-build-")]


def test_the_themes_compiled_templates_are_kept_and_a_damaged_one_compiled_again(tmp_path):
    """mkdocs' Jinja templates compiled once and kept in the cache folder: the next build
    loads them (the same site), and one whose file was damaged is compiled again."""
    config, dumps = _four_days(tmp_path)
    _build(config, dumps, tmp_path / "first")
    folder = config.parent / ".build-cache" / "templates"
    kept = sorted(folder.iterdir())
    assert len(kept) >= 10  # the theme's templates and the overrides
    stamps = {p.name: p.stat().st_mtime_ns for p in kept}
    _build(config, dumps, tmp_path / "second")
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == stamps  # loaded
    whole = {p.name: p.read_bytes() for p in kept}
    for path in kept:  # its header intact, its code cut short
        path.write_bytes(whole[path.name][:len(whole[path.name]) // 2])
    _build(config, dumps, tmp_path / "third")
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == whole
    first = tree_digest(tmp_path / "first")
    assert len(first) > 50
    assert tree_digest(tmp_path / "second") == first == tree_digest(tmp_path / "third")


def test_a_hand_written_link_to_a_cached_page_and_the_sitemap_hold_in_an_update(tmp_path):
    """The pages the cache holds are left out of mkdocs' pages (nothing is built for
    them) but stay files: a hand-written page's link to one, anchor and all, resolves in
    a build from the cache as in a clean one, and the sitemap lists every page. A link to
    an anchor the page lacks fails the build: changing the hand-written page changes the
    build key, so that build is a clean one."""
    config = _project(tmp_path / "project")
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    for day in DAYS:
        shutil.copy2(day, dumps / day.name)
    _build(config, dumps, tmp_path / "plain")
    paper = sorted((tmp_path / "plain" / "papers").iterdir())[3].name
    data = config.parent / "docs" / "data.md"
    text = data.read_text(encoding="utf-8")
    data.write_text(text + f"\n[One paper's abstract](papers/{paper}.md#abstract)\n",
                    encoding="utf-8")
    first = _build(config, dumps, tmp_path / "one")
    log = _build(config, dumps, tmp_path / "two")
    reused, pages = _reused(log)
    assert reused == pages and _reused(first)[0] == 0, log
    assert tree_digest(tmp_path / "one") == tree_digest(tmp_path / "two")
    html = (tmp_path / "two" / "data" / "index.html").read_text(encoding="utf-8")
    assert f'href="../papers/{paper}/#abstract"' in html
    sitemap = (tmp_path / "two" / "sitemap.xml").read_text(encoding="utf-8")
    listed = re.findall(r"<loc>([^<]*)</loc>", sitemap)
    papers = json.loads((tmp_path / "two" / "api" / "papers.json").read_text(
        encoding="utf-8"))["papers"]
    assert len(papers) > 300 and len(listed) == len(set(listed))
    assert {f"papers/{p['id']}/" for p in papers} <= {u.split("/", 3)[3] for u in listed}
    with gzip.open(tmp_path / "two" / "sitemap.xml.gz") as packed:
        assert packed.read().decode("utf-8") == sitemap
    data.write_text(text + f"\n[Nowhere](papers/{paper}.md#no-such-part)\n", encoding="utf-8")
    done = run_cli("build", "--dumps", str(dumps), "--config", str(config),
                   "--site", str(tmp_path / "three"))
    assert done.returncode == 3 and "strict mode" in done.stderr, done.stderr


SITE_URLS = [None, "", "https://example.org", "https://example.org/", "https://example.org/a/b",
             "https://example.org/a/b/", "https://example.org/a/./b/../c/", "https://x.org//a//",
             "https://example.org/a/?q=1#f", "https://example.org/a;p/", "http://h:8000/x/y.html",
             "file:///srv/site/", "mailto:x@example.org", "weird://host/a/", "/relative/base/",
             "https://example.org/%7Euser/"]
PAGE_URLS = ["papers/2401-00001-abc/", "topics/agents/3/", "index.html", "a/b.c/d/", "./",
             "", "../up/", "a/../b/", "a//b/", "a/./b/", "%7E/", "caf\u00e9/", "x?y/", "x#y",
             "x;y/", "/root/", "http://other.org/", "~a/_b-c/", ".hidden/", "a/.b/", "-/",
             "x"]


@pytest.mark.parametrize("site", SITE_URLS)
def test_the_sitemaps_addresses_are_the_engines_own(site):
    """A left-out page's addresses in the sitemap are what the engine's own method sets,
    for every kind of site address and page address (the fast join and the engine's)."""
    from mkdocs.structure.pages import Page

    from generator.writer import _Address, _addresses

    addresses = _addresses(site)
    for url in PAGE_URLS:
        page = _Address(url)
        Page._set_canonical_url(page, site)
        assert addresses(url) == (page.canonical_url, page.abs_url), (site, url)
