from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parents[1]
DUMPS = REPO / "dumps"


@pytest.fixture(scope="session", autouse=True)
def inputs_stay_untouched():
    """No test may write into the repository's inputs (a build records new permalinks
    beside the dumps it reads: tests build copies, or pass --ledger)."""
    watched = [DUMPS, REPO / "tests" / "fixtures", REPO / "curation"]
    before = {str(folder): tree_digest(folder) for folder in watched}
    yield
    after = {str(folder): tree_digest(folder) for folder in watched}
    assert after == before, "a test changed files under dumps/, curation/ or tests/fixtures/"


@pytest.fixture(scope="session")
def seed_results():
    from generator.readers import list_dumps, read_all

    return read_all(list_dumps(DUMPS))


@pytest.fixture(scope="session")
def seed_catalog(seed_results):
    from generator.catalog import build_catalog

    return build_catalog(seed_results)


def run_cli(*args: str, cwd: Path = REPO, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    full_env.pop("GITHUB_ACTIONS", None) if not env or "GITHUB_ACTIONS" not in env else None
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=600)


def tree_digest(root: Path) -> dict[str, str]:
    """Every file under `root`: relative path -> sha256 of its bytes."""
    import hashlib

    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def parse_pages(site: Path) -> dict:
    """Every built HTML file: its path relative to the site -> parsed document."""
    from bs4 import BeautifulSoup

    return {p.relative_to(site).as_posix(): BeautifulSoup(p.read_text(encoding="utf-8"),
                                                          "html.parser")
            for p in sorted(site.rglob("*.html"))}


# --- the browser tests (test_browser.py, test_accessibility.py) -----------------------------
# Each browser test module has its own `site` fixture (a folder of a built site); these
# serve it on loopback and drive Debian's Chromium through Playwright.

# Debian's Chromium by default; CI runners elsewhere point CHROMIUM at their Chrome
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3,
         "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
# The only hosts the site may ask for anything: Material's web fonts. Under test they get
# an empty answer from the test itself, so nothing leaves this machine.
EXTERNAL_HOSTS_ALLOWED = {"fonts.googleapis.com", "fonts.gstatic.com"}


def unavailable(reason: str) -> None:
    """A test that needs the browser or the node tools fails without them, saying how to
    install them: a green run that tested no page would mislead. Asked for with
    SKIP_BROWSER=1 (`make test SKIP_BROWSER=1`), it is skipped instead, except under CI."""
    if os.environ.get("SKIP_BROWSER") == "1" and not os.environ.get("CI"):
        pytest.skip(f"{reason} (skipped: SKIP_BROWSER=1)")
    pytest.fail(f"{reason}\nInstall it, or run `make test SKIP_BROWSER=1` to skip the tests "
                "that need a browser or the node tools.", pytrace=False)


@pytest.fixture(scope="module")
def sync_playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install -r requirements-dev.txt)")
    if not CHROMIUM.is_file():
        unavailable(f"no Chromium at {CHROMIUM}: `apt-get install chromium`, or where downloads "
                    "work `playwright install chromium` and CHROMIUM=<its path>")
    return sync_playwright


@pytest.fixture(scope="module")
def base_url(site) -> Iterator[str]:
    """The module's site served on loopback, on a free port (the page benchmark's server);
    the server stops at teardown."""
    from benchmarks.bench_pages import serve

    with serve(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser(sync_playwright):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


class Session:
    """A browser context whose pages report console errors, page errors and requests that
    would leave loopback (those are answered here, empty, and never sent)."""

    def __init__(self, context, base_url: str):
        self.context = context
        self.base_url = base_url
        self.errors: list[str] = []
        self.external: list[str] = []
        context.route(lambda url: not url.startswith(base_url), self._answer_external)

    def _answer_external(self, route) -> None:
        request = route.request
        self.external.append(request.url)
        kind = {"stylesheet": "text/css", "script": "text/javascript"}.get(
            request.resource_type, "text/plain")
        route.fulfill(status=200, body="", content_type=kind)

    def new_page(self):
        page = self.context.new_page()
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        return page

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} ({message.location.get('url')})")

    def assert_clean(self) -> None:
        assert self.errors == []
        hosts = {urlsplit(u).hostname for u in self.external}
        assert hosts <= EXTERNAL_HOSTS_ALLOWED, self.external


@pytest.fixture
def session(browser, base_url) -> Iterator[Callable[..., Session]]:
    contexts = []

    def open_session(**options) -> Session:
        context = browser.new_context(**options)
        contexts.append(context)
        return Session(context, base_url)

    yield open_session
    for context in contexts:
        context.close()
