"""The last stage: write the site model, run mkdocs, swap the new site in.

Everything is built in a staging folder next to the target; only a finished build
replaces the old site (two renames), so a failure leaves the previous site intact.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from jinja2 import FileSystemBytecodeCache

from . import background
from .background import cores
from .packed import Texts, unpacked_bytes
from .render import SiteModel
from .search import INDEX_DIR

if TYPE_CHECKING:
    from .cache import PageCache

ENGINE_VARIABLE = "PAPER_INDEX_ENGINE"  # "mkdocs" (the default) or "properdocs"
REUSE_FRAGMENTS = True  # False: every page renders its own tabs and navigation (tests)


def _engine() -> None:
    """Choose the engine before any `mkdocs` module is imported. With
    PAPER_INDEX_ENGINE=properdocs, ProperDocs (the maintained fork of mkdocs 1.x) answers
    every `mkdocs.*` import of this process, the theme's included; it must be installed."""
    name = os.environ.get(ENGINE_VARIABLE, "mkdocs") or "mkdocs"
    if name == "properdocs":
        try:
            import properdocs.replacement  # noqa: F401  (redirects mkdocs.* to properdocs.*)
        except ImportError:
            raise BuildFailed(f"{ENGINE_VARIABLE}=properdocs, but ProperDocs is not "
                              "installed (pip install properdocs)") from None
    elif name != "mkdocs":
        raise BuildFailed(f"{ENGINE_VARIABLE} must be mkdocs or properdocs, not {name!r}")


class BuildFailed(Exception):
    pass


def write_text(path: Path, text: str) -> None:
    """Write a file atomically (temporary file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_tree(root: Path, files: Texts) -> None:
    """Each file's UTF-8 as it was packed (valid: `packed.pack`), a megabyte at a time."""
    for rel, blob in files.packed():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as out:
            out.writelines(unpacked_bytes(blob))


def _write_generated(root: Path, model: SiteModel) -> None:
    """The files the generator made besides the pages: exports, feeds, `.bib` files,
    redirects and the search index (written while mkdocs builds the pages)."""
    _write_tree(root, model.files)
    for rel, data in model.search:
        target = root / INDEX_DIR / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def _generated_paths(model: SiteModel) -> set[str]:
    return {rel for rel, _ in model.files.packed()} | {f"{INDEX_DIR}/{rel}"
                                                       for rel, _ in model.search}


_ANCHOR = re.compile(r'\sid="([^"]*)"')


def _generated_pages(pages: dict[str, bytes]):
    """A plugin for mkdocs' own page pipeline, for the pages the generator wrote.

    Their front matter reaches the theme exactly as the generator wrote it (read here
    with the reader that inverts `safe.front_matter`; mkdocs' YAML never sees it), and
    their body, which is HTML from end to end (Markdown would pass it through unchanged,
    `tests/test_cache.py` proves it), becomes the page's content without going through
    Markdown: Python-Markdown's HTML block parser and mkdocs' anchor scan cost more than
    half of a page's build. The ids of the body are the page's anchors, for mkdocs' check
    of links to them. A page whose front matter the generator cannot read back, or a
    hand-written page whose front matter mkdocs could not read, fails the build."""
    from mkdocs.exceptions import PluginError
    from mkdocs.plugins import BasePlugin

    from .packed import unpack
    from .safe import page_body, read_front_matter

    class GeneratedPages(BasePlugin):
        failure = ""  # the message, for BuildFailed (mkdocs only logs it)

        def __init__(self):
            self.compiled: Path | None = None  # where the theme's compiled templates are kept
            self.written: set[str] = set()  # every file this build of mkdocs writes
            self.cached: dict[str, str] = {}  # address -> its HTML from an earlier build
            self.output: dict[str, str] = {}  # address -> where its HTML is written
            self.elsewhere: set[str] = set()  # pages another process builds
            self.only: set[str] | None = None  # build only these (a worker's share)
            self.listed: set[str] = set()  # the pages of the configured nav
            self.unbuilt: set[str] = set()  # the generated pages mkdocs leaves out
            self.linking: Callable[[], None] | None = None
            self.sitemap = False  # whether this build writes the theme's sitemap (`on_config`)
            self.nav = None
            self.files = None
            self.env = None

        def on_config(self, config):
            """The theme's sitemap is written last (`on_post_build`), with the pages
            mkdocs left out; a worker's share writes none."""
            templates = config.theme.static_templates
            self.sitemap = "sitemap.xml" in templates and self.only is None
            templates.discard("sitemap.xml")
            return config

        def on_files(self, files, config):
            """The generated pages join the hand-written ones from memory (nothing is
            written for them), each with its output file.

            A page out of the nav that this process does not build (the cache holds it,
            or another process builds it) is left out of mkdocs' pages: no page object,
            nothing built, and the sitemap lists it in `on_post_build`. It stays a file,
            so a hand-written page's link to it resolves. Its anchors were checked when
            it was built, and a change of the hand-written pages changes the cache's
            build key. A nav page not built here is marked unmodified, which mkdocs'
            dirty build leaves alone. The cached pages' HTML is linked into place on a
            thread while mkdocs builds the others."""
            from mkdocs.structure.files import File, InclusionLevel

            links = []  # (cached HTML, where it goes)
            present = {f.src_uri for f in files}
            for uri in pages:
                if (uri if _PLAIN.fullmatch(uri) else PurePath(uri).as_posix()) in present:
                    self.fail(f"{uri}: a generated page would replace the hand-written "
                              f"page of the same name")
                skipped = (uri in self.elsewhere or uri in self.cached
                           or (self.only is not None and uri not in self.only))
                # a page out of the nav that this process does not build is left out of
                # mkdocs' pages (no page object, nothing built) but stays a file, so a
                # link to it from a hand-written page still resolves
                left_out = skipped and uri not in self.listed
                # no content: `on_page_read_source` gives mkdocs the page's source
                file = File.generated(config, uri, content="", inclusion=(
                    InclusionLevel.EXCLUDED if left_out else InclusionLevel.UNDEFINED))
                files.append(file)
                self.output[uri] = path = file.abs_dest_path
                if left_out:
                    self.unbuilt.add(uri)
                elif skipped:
                    file.is_modified = _unmodified
                if uri in self.cached:
                    links.append((self.cached[uri], path))
            # the cached pages' HTML put in place (by another process: no time taken from
            # this one's) while mkdocs builds the others
            self.linking = background.start(_link_all, links)
            return files

        def on_nav(self, nav, config, files):
            self.nav, self.files = nav, files
            return nav

        def fail(self, message: str) -> None:
            self.failure = message
            raise PluginError(message)

        def on_page_read_source(self, page, config):
            uri = page.file.src_uri
            wrote = pages.get(uri)
            if wrote is None:
                return None  # a page of docs/: mkdocs reads it
            read = read_front_matter(unpack(wrote))
            if read is None:
                self.fail(f"{uri}: the generator wrote a page without its front matter")
            page.meta_given, body = read
            # the body's ids are the page's anchors, for mkdocs' check of links to them
            page.generated_anchors = set(_ANCHOR.findall(body))
            return ""

        def on_page_markdown(self, markdown, page, config, files):
            uri = page.file.src_uri
            if uri in pages:
                page.meta = page.meta_given
            elif markdown.startswith("---"):
                self.fail(f"{uri}: mkdocs could not read this page's front matter and would "
                          "render it as Markdown")
            return markdown

        def on_env(self, env, config, files):
            rendered: dict[tuple, str] = {}
            # what mkdocs writes: every file (pages and static files), the theme's
            # templates and the configuration's (the sitemap also gzipped)
            self.written = {f.dest_uri for f in files} | set(config.theme.static_templates) \
                | set(config.extra_templates) | {"sitemap.xml", "sitemap.xml.gz"}
            if self.compiled is not None:  # no template compiled again while its text is the same
                env.bytecode_cache = _Compiled(self.compiled)

            def fragment(name, page, nav, caller):
                """A part of the theme's page (the tabs, the site navigation) that is the
                same for every page out of the navigation in the same folder: its links
                are relative to the page, so they depend on the page's folder; the tabs
                also mark the section whose address starts the page's. A page with a
                page of the navigation below its own address renders its own."""
                url = page.url
                if not REUSE_FRAGMENTS or any(p.url.startswith(url) for p in nav.pages):
                    return caller()
                key = (name, url.rstrip("/").rpartition("/")[0],
                       tuple(url.startswith(p.url) for p in nav.pages))
                if key not in rendered:
                    rendered[key] = caller()
                return rendered[key]

            env.globals["paper_index_fragment"] = fragment
            self.env = env
            return env

        def on_post_build(self, config):
            """The theme's sitemap (and its gzipped copy) as mkdocs writes it, listing
            every page: those mkdocs built and those it left out."""
            self.finish()
            if not self.sitemap:
                return
            from mkdocs.commands.build import _build_theme_template
            from mkdocs.utils import get_build_date

            date = get_build_date()
            addresses = _addresses(config.site_url)
            listed = _Listed(_Unbuilt(f, addresses(f.url), date) if f.src_uri in self.unbuilt
                             else f for f in self.files if f.is_documentation_page()
                             and (f.src_uri in self.unbuilt or f.inclusion.is_included()))
            _build_theme_template("sitemap.xml", self.env, listed, config, self.nav)

        def finish(self) -> None:
            """Wait for the cached pages to be in place."""
            if self.linking is not None:
                linking, self.linking = self.linking, None
                try:
                    linking()
                except OSError as exc:
                    self.fail(f"the page cache's pages could not be put in the site: {exc}")

        def on_page_content(self, html, page, config, files):
            anchors = getattr(page, "generated_anchors", None)
            if anchors is not None:
                page.present_anchor_ids = anchors
            return html

        def on_page_context(self, context, page, config, nav):
            """The body becomes the page's content only while its template renders: the
            pages' HTML is never all in memory at once."""
            wrote = pages.get(page.file.src_uri)
            if wrote is not None:
                page.content = page_body(unpack(wrote)).strip()  # as Markdown strips it
            return context

        def on_post_page(self, output, page, config):
            if page.file.src_uri in pages:
                page.content = None
            return output

    return GeneratedPages()


def _unmodified() -> bool:
    return False


def _link_all(links: list[tuple[str, str]]) -> None:
    from .cache import link_or_copy

    made: set[str] = set()
    for source, target in links:
        folder = os.path.dirname(target)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        link_or_copy(source, target, fresh=True)


class _Listed(list):
    """The pages the theme's sitemap lists, as mkdocs' template builder takes them."""

    def documentation_pages(self) -> list:
        return self


class _Unbuilt:
    """A generated page mkdocs left out, as the sitemap reads a page: its addresses
    (`_addresses`) and the build's date."""

    is_link = False

    def __init__(self, file, addresses: tuple[str | None, str | None], date: str) -> None:
        self.page = self
        self.file = file
        self.url = file.url
        self.meta: dict = {}
        self.update_date = date
        self.canonical_url, self.abs_url = addresses


class _Address:
    def __init__(self, url: str) -> None:
        self.url = url


# a relative address without dot segments, empty segments, scheme, query, fragment,
# parameters or escapes
_PLAIN = re.compile(r"[A-Za-z0-9_~-][A-Za-z0-9._~-]*(?:/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*/?")
_PROBE = "x"


def _addresses(site_url: str | None) -> Callable[[str], tuple[str | None, str | None]]:
    """A page's (canonical URL, absolute path) from its URL, exactly as the engine's own
    `Page._set_canonical_url` sets them. That joins the site's address and the page's
    (`urllib.parse.urljoin`), which costs more than the rest of a sitemap entry. Joined
    to a plain address (`_PLAIN`), the site's address resolves as it does for any plain
    one-segment probe, and the page's address follows it unchanged: so it is the engine's
    result for the probe with the page's address in place of the probe's. Any other
    address is given to the engine."""
    from mkdocs.structure.pages import Page

    def engine(url: str) -> tuple[str | None, str | None]:
        page = _Address(url)
        Page._set_canonical_url(page, site_url)
        return page.canonical_url, page.abs_url

    canonical, path = engine(_PROBE)
    if canonical is None or path is None or not (canonical.endswith(_PROBE)
                                                 and path.endswith(_PROBE)):
        return engine
    canonical, path = canonical[: -len(_PROBE)], path[: -len(_PROBE)]

    def joined(url: str) -> tuple[str | None, str | None]:
        if _PLAIN.fullmatch(url) is None:
            return engine(url)
        return canonical + url, path + url

    return joined


class _Compiled(FileSystemBytecodeCache):
    """Jinja's compiled templates in a folder, each under its template's path and checked
    against its text, Jinja's version and Python's (Jinja's own checks: a file that does
    not load is compiled again and replaced; its files are written atomically)."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        super().__init__(str(folder))


class _DirtyNotice(logging.Filter):
    """mkdocs warns that a dirty build "will likely lead to inaccurate navigation": it
    skips pages by their files' times. Here it skips exactly the pages whose HTML the
    page cache proved unchanged and those another process builds, with the navigation's
    titles all in `mkdocs.yml`, and the site folder is new (no stale file to clean), so
    the warning (fatal in strict mode) does not apply."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("A 'dirty' build is being performed")


def _titled(nav) -> bool:
    """Every entry of the configured `nav` has its title in `mkdocs.yml`."""
    if not isinstance(nav, list):
        return False
    for item in nav:
        if not isinstance(item, dict) or len(item) != 1:
            return False
        (value,) = item.values()
        if isinstance(value, list) and not _titled(value):
            return False
    return True


def mkdocs_build(config_file: Path, docs_dir: Path, site_dir: Path,
                 pages: dict[str, bytes] | None = None,
                 cached: dict[str, str] | None = None, elsewhere: set[str] = frozenset(),
                 only: set[str] | None = None, fresh: bool = False,
                 compiled: Path | None = None) -> tuple[dict[str, str], int, set[str]]:
    """`pages`: the generated pages (docs-relative path -> text, packed:
    `generator.packed`), passed to the theme without Markdown. `cached`: the HTML an
    earlier build made of some of them (the page cache's verified hits), copied as it is
    instead of building those pages again.
    `elsewhere`: pages other processes build; `only`: build only these pages. All three
    skip pages, so the caller must have proved the navigation's titles are in
    `mkdocs.yml` (`_navigation`). `fresh`: `site_dir` is a new folder that only the
    caller writes to besides mkdocs (mkdocs does not empty it first). `compiled`: a
    folder for the theme's compiled templates, kept between builds. Returns every
    generated page's output file, how many pages were taken from `cached`, and every
    file mkdocs wrote (relative to `site_dir`)."""
    _engine()
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    check = _generated_pages(pages or {})
    try:
        config = load_config(str(config_file), docs_dir=str(docs_dir), site_dir=str(site_dir),
                             strict=True)
        config.plugins["paper-index-generated-pages"] = check
        check.cached, check.elsewhere, check.only = cached or {}, set(elsewhere), only
        check.compiled = compiled
        listed = _nav_pages(config.nav)
        # a nav without all its titles: no page is left out (each is built or unmodified)
        check.listed = listed if listed is not None else set(pages or {})
        notice = _DirtyNotice()
        logger = logging.getLogger(build.__module__)  # the engine's (mkdocs or properdocs)
        logger.addFilter(notice)
        try:
            build(config, dirty=fresh or bool(check.cached or elsewhere or only is not None))
        finally:
            logger.removeFilter(notice)
            check.finish()
    except (MkDocsException, SystemExit) as exc:
        raise BuildFailed(f"mkdocs build failed: {check.failure or exc}") from None
    return check.output, len(check.cached), check.written


@dataclass(frozen=True)
class Settings:
    """What the pages need from `mkdocs.yml` ('' where unset or unreadable; the build itself
    then reports what is wrong with the configuration)."""

    site_url: str = ""  # with a trailing '/'
    repo_url: str = ""  # where "Suggest tags" links lead...
    edit_branch: str = ""  # ...on the branch of `edit_uri` (GitHub's `edit/<branch>/docs/`)


def settings(config_file: Path) -> Settings:
    found = _configuration(config_file)
    if found is None:
        return Settings()
    url = found.site_url or ""
    url = url if not url or url.endswith("/") else url + "/"
    parts = (found.edit_uri or "").strip("/").split("/")
    if not found.repo_url or len(parts) < 2 or parts[0] != "edit":
        return Settings(url)
    return Settings(url, found.repo_url, parts[1])


def _configuration(config_file: Path):
    """mkdocs' reading of the configuration, or None when it cannot be read."""
    _engine()
    from mkdocs.config import load_config

    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    try:
        return load_config(str(config_file))
    except Exception:
        return None


def _navigation(config_file: Path) -> set[str] | None:
    """The pages of the configured `nav` when every entry has its title in `mkdocs.yml`
    (then a page out of the nav can be built without the others), else None."""
    found = _configuration(config_file)
    return None if found is None else _nav_pages(found.nav)


def _nav_pages(nav) -> set[str] | None:
    """The pages of a configured `nav` whose entries all have their titles, else None."""
    if not _titled(nav):
        return None
    listed: set[str] = set()

    def walk(items) -> None:
        for item in items:
            (value,) = item.values()
            if isinstance(value, list):
                walk(value)
            elif isinstance(value, str):
                listed.add(value)

    walk(nav)
    return listed


def site_url(config_file: Path) -> str:
    return settings(config_file).site_url


def repository(config_file: Path) -> tuple[str, str]:
    """(`repo_url`, branch of `edit_uri`), or ('', '')."""
    found = settings(config_file)
    return found.repo_url, found.edit_branch


AUTOMATIC = Path("<beside mkdocs.yml>")  # build_site's default cache folder
TEMPLATES = "templates"  # the theme's compiled templates, in the cache folder
SHARE = 300  # the fewest pages worth a process of their own


def _shares(pages: dict[str, bytes], hits: dict[str, str], nav: set[str] | None
            ) -> list[set[str]]:
    """The generated pages out of the nav that the cache does not hold, dealt round to as
    many processes as there are cores (and at least `SHARE` pages each): the first share
    is this process's, which also builds every other page. One share when the nav's
    titles are not all in `mkdocs.yml`, or where processes cannot be forked."""
    if nav is None or sys.platform != "linux":
        return [set()]
    todo = sorted(uri for uri in pages if uri not in hits and uri not in nav)
    count = min(cores(), len(todo) // SHARE)
    if count <= 1:
        return [set()]
    return [set(todo[k::count]) for k in range(count)]


def _collect(running: list) -> list:
    """Every forked process's result, each waited for; the first failure is raised once
    all are collected."""
    results, failure = [], None
    for wait in running:
        try:
            results.append(wait())
        except Exception as exc:
            failure = failure or exc
    if failure is not None:
        raise failure
    return results


def check_page_cache(config_file: Path, docs_src: Path, cache_dir: Path | None = AUTOMATIC
                     ) -> Callable[[], PageCache | None]:
    """Start checking the page cache (`cache.checked`) on another core; the function
    returned gives it, or None where there is none: `cache_dir` None, or a nav title
    taken from a page, when every page needs the others."""
    from .memo import default_folder

    if cache_dir is AUTOMATIC:
        cache_dir = default_folder(config_file)
    if cache_dir is None:
        return lambda: None
    return background.start(_checked_cache, cache_dir, config_file, docs_src)


def _checked_cache(cache_dir: Path, config_file: Path, docs_src: Path
                   ) -> PageCache | None:
    from . import cache

    if _navigation(config_file) is None:
        return None
    return cache.checked(cache_dir, cache.build_key(config_file, docs_src))


def build_site(model: SiteModel, config_file: Path, docs_src: Path, site_dir: Path,
               cache_dir: Path | None = AUTOMATIC,
               checked: Callable[[], PageCache | None] | None = None) -> BuildReport:
    """Build the site into a staging folder and swap it in. `cache_dir`: the page cache
    (`.build-cache/` beside `mkdocs.yml` by default; None: no cache); `checked`: its
    check, started earlier (`check_page_cache`, for the same folder)."""
    from . import cache

    site_dir = site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    if checked is None:
        checked = check_page_cache(config_file, docs_src, cache_dir)
    pages = dict(model.docs.packed())
    nav = _navigation(config_file)
    store = checked()  # None when `nav` is (`_checked_cache`)
    names: dict[str, str] = {}
    hits: dict[str, str] = {}
    if store is not None:
        names = {uri: cache.entry(store.key, uri, blob) for uri, blob in pages.items()}
        hits = {uri: store.path(name) for uri, name in names.items() if name in store.hashes}
    compiled = store.folder / TEMPLATES if store is not None else None
    staging = Path(tempfile.mkdtemp(dir=site_dir.parent, prefix=f".{site_dir.name}-build-"))
    try:
        docs = docs_src.resolve()  # mkdocs adds the generated pages from memory
        out = staging / "site"
        out.mkdir()
        # the generator's other files, written on another core while mkdocs builds
        # the pages into the same new folder (a file both would write fails the build)
        running = [background.start(_write_generated, out, model)]
        shares = _shares(pages, hits, nav)
        # the other shares of the pages to build, each in a forked process (which holds
        # the pages already: nothing is copied to it)
        running += [background.start(mkdocs_build, config_file, docs,
                                     staging / f"share-{k}", pages, None, (), share, True,
                                     compiled)
                    for k, share in enumerate(shares[1:], start=1)]
        try:
            output, reused, written = mkdocs_build(config_file, docs, out, pages, hits,
                                                   set().union(*shares[1:]), None, True,
                                                   compiled)
        except BaseException:
            with contextlib.suppress(Exception):  # the other processes collected
                _collect(running)
            raise
        results = _collect(running)
        for share, (built, _, _) in zip(shares[1:], results[1:], strict=True):
            for uri in share:
                os.makedirs(os.path.dirname(output[uri]), exist_ok=True)
                os.replace(built[uri], output[uri])
        clash = sorted(_generated_paths(model) & written)
        if clash:
            raise BuildFailed(f"generated file {clash[0]} would overwrite a file mkdocs built")
        if store is not None:
            try:
                cache.save(store, {names[uri]: path for uri, path in output.items()
                                   if uri in names},
                           {names[uri] for uri in hits} if reused else set())
            except OSError:  # a cache that cannot be written is dropped; the site is not
                cache.clear(store.folder)
        old = staging / "old"
        if site_dir.exists():
            os.replace(site_dir, old)
        os.replace(out, site_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BuildReport(len(pages), reused, store.reason if store else "")


@dataclass(frozen=True)
class BuildReport:
    pages: int  # generated pages
    reused: int  # of them, taken from the page cache
    cache_reset: str = ""  # why the cache on disk was thrown away, if it was
