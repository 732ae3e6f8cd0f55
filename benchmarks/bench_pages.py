"""Measure the built pages for every reader: accessibility, weight, search behaviour.

    python -m benchmarks.bench_pages [--years 2] [--work DIR [--reuse]]
                                     [--sites seed,years] [--measures axe,lighthouse,...]

Builds two sites with the generator's command line: the seed site (`dumps/`) and the
site of `--years` years of real days (the seeds plus `benchmarks/real_years.py`'s
corpus), serves each on loopback and drives Debian's Chromium (Playwright). With
`--work DIR` the corpora and sites are kept in `DIR/seed/` and `DIR/years/`;
`--reuse` measures sites already built there. Prints markdown tables:

* **axe-core** (WCAG 2.0 and 2.1, A and AA; `.ci/node_modules/axe-core`): nodes with a
  serious or critical violation on each kind of page (home, topics index, topic, paper,
  digests index, digest, trends, search with results, tags index, tag), light and dark
  palette, 1280 and 390 px wide, and which rules they break;
* **Lighthouse** (`.ci/node_modules/lighthouse`, run with CHROME_PATH=/usr/bin/chromium):
  the accessibility score of each kind of page, phone (Lighthouse's default) and desktop
  (`--preset=desktop`), light palette, and the audits that fail;
* **page weight**: for every HTML page of the site, its bytes and its elements (start
  tags outside scripts and styles); the largest of each kind, and the number of
  elements of that page in the browser once its scripts ran;
* **search**: on a deep link (`search/?q=transformer`), the cumulative layout shift
  until the results show, Tab presses from the search box to the first result, where
  the first result starts on a phone, and whether every filter is visible.

Lighthouse and axe need `npm ci --prefix .ci` (`make test` and `make lint-workflows`
run it). Nothing here is a test: the numbers are for reading.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NODE_MODULES = REPO / ".ci" / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
LIGHTHOUSE = NODE_MODULES / "lighthouse" / "cli" / "index.js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROME_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
KINDS = ("home", "topics index", "topic", "paper", "digests index", "digests month", "digest",
         "trends", "topics over time", "search", "tags index", "tag")
WIDTHS = {"1280": {"viewport": {"width": 1280, "height": 900}},
          "390": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
                  "is_mobile": True, "has_touch": True}}
SCHEMES = ("light", "dark")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]  # 2.2 AA: target size
SEARCH_QUERY = "transformer"


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --- building -----------------------------------------------------------------------------

def build(dumps: Path, site: Path) -> None:
    """The site as `make site` builds it, with dates from the dumps (SOURCE_DATE_EPOCH=0)."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "0", "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, "-m", "generator", "build", "--dumps", str(dumps),
                    "--site", str(site), "--curation", str(REPO / "curation"),
                    "--config", str(REPO / "mkdocs.yml")],
                   cwd=REPO, env=env, check=True)


def seed_site(work: Path, reuse: bool) -> Path:
    site = work / "site"
    if reuse and (site / "index.html").is_file():
        return site
    dumps = work / "dumps"
    shutil.rmtree(dumps, ignore_errors=True)
    dumps.mkdir(parents=True)
    for path in sorted((REPO / "dumps").iterdir()):
        if path.is_file():  # the ledger too: the published site's addresses
            shutil.copy(path, dumps / path.name)
    say(f"building the seed site in {site}")
    build(dumps, site)
    return site


def years_site(work: Path, years: int, reuse: bool) -> Path:
    from benchmarks.real_years import make_years

    site = work / "site"
    if reuse and (site / "index.html").is_file():
        return site
    shutil.rmtree(work / "dumps", ignore_errors=True)
    say(f"writing {years} years of real days in {work / 'dumps'}")
    dumps = make_years(work, years, progress=True)
    for path in sorted((REPO / "dumps").glob("0*.txt")):  # the seeds, sorted first
        shutil.copy(path, dumps / path.name)
    say(f"building the {years}-year site in {site} (a few minutes)")
    build(dumps, site)
    return site


# --- serving and browsing -----------------------------------------------------------------

class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(site: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _is_redirect(path: Path) -> bool:
    return path.stat().st_size < 2000 and 'http-equiv="refresh"' in path.read_text("utf-8")


def page_urls(site: Path) -> dict[str, str]:
    """One page of each kind, site-relative: the biggest topic, tag and digest, and the
    paper with the most to show (tags, sources, authors)."""
    catalog = json.loads((site / "api" / "papers.json").read_text(encoding="utf-8"))
    papers = catalog["papers"]
    topics = Counter(t for p in papers for t in p["topics"])
    tags = Counter(t for p in papers for t in p["tags"])
    paper = max(papers, key=lambda p: (len(p["tags"]), len(p["sources"]), len(p["authors"]),
                                       len(p["abstract"]), p["id"]))
    digests = [p for p in (site / "digests").glob("*/index.html")
               if not _is_redirect(p) and p.parent.name != "months"]
    digest = max(digests, key=lambda p: (p.stat().st_size, p.as_posix()))
    urls = {
        "home": "",
        "topics index": "topics/",
        "topic": f"topics/{topics.most_common(1)[0][0]}/",
        "paper": paper["url"],
        "digests index": "digests/",
        "digest": f"digests/{digest.parent.name}/",
        "trends": "trends/",
        "search": f"search/?q={SEARCH_QUERY}",
        "tags index": "tags/",
    }
    if tags:
        urls["tag"] = f"tags/{tags.most_common(1)[0][0]}/"
    months = sorted((site / "digests" / "months").glob("*/index.html"))
    if months:  # the busiest month's page (pages of this kind exist from this change on)
        busiest = max(months, key=lambda p: (p.stat().st_size, p.as_posix()))
        urls["digests month"] = f"digests/months/{busiest.parent.name}/"
    if (site / "trends" / "topics" / "index.html").is_file():
        urls["topics over time"] = "trends/topics/"
    return {kind: urls[kind] for kind in KINDS if kind in urls}


def open_page(context, url: str):
    page = context.new_page()
    page.set_default_timeout(300_000)  # a page of tens of thousands of elements is slow
    page.goto(url, wait_until="load")
    if "/search/" in url:
        page.wait_for_selector("#paper-search[data-search-done]", timeout=60_000)
    return page


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROME_ARGS)


# --- axe ------------------------------------------------------------------------------------

_AXE_RUN = """tags => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                        resultTypes: ['violations']})
  .then(r => r.violations.map(v => [v.id, v.impact, v.nodes.length]))"""


def axe_violations(page) -> list[tuple[str, str, int]]:
    page.add_script_tag(path=str(AXE))
    return [tuple(v) for v in page.evaluate(_AXE_RUN, AXE_TAGS)]


def serious(violations) -> int:
    return sum(n for _, impact, n in violations if impact in ("serious", "critical"))


def measure_axe(browser, base: str, urls: dict[str, str]):
    results = {}
    for kind, path in urls.items():
        for scheme in SCHEMES:
            for width, options in WIDTHS.items():
                context = browser.new_context(color_scheme=scheme, **options)
                page = open_page(context, base + path)
                results[kind, scheme, width] = axe_violations(page)
                context.close()
        say(f"  axe: {kind}: " + ", ".join(
            f"{s}/{w} {serious(results[kind, s, w])}" for s in SCHEMES for w in WIDTHS))
    return results


# --- Lighthouse -----------------------------------------------------------------------------

def lighthouse(url: str, desktop: bool) -> tuple[int, list[str]]:
    command = ["node", str(LIGHTHOUSE), url, "--only-categories=accessibility",
               "--output=json", "--output-path=stdout", "--quiet",
               "--chrome-flags=" + " ".join(CHROME_ARGS)]
    if desktop:
        command.append("--preset=desktop")
    done = subprocess.run(command, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "CHROME_PATH": CHROMIUM})
    if done.returncode != 0:
        reason = re.search(r"\(([A-Z_]+)\)", done.stderr)
        return -1, [f"Lighthouse failed: {reason.group(1) if reason else 'see its output'}"]
    report = json.loads(done.stdout)
    category = report["categories"]["accessibility"]
    failing = sorted(ref["id"] for ref in category["auditRefs"]
                     if ref.get("weight") and report["audits"][ref["id"]]["score"] == 0)
    return round(category["score"] * 100), failing


def measure_lighthouse(base: str, urls: dict[str, str]):
    results = {}
    for kind, path in urls.items():
        results[kind] = (lighthouse(base + path, desktop=False),
                         lighthouse(base + path, desktop=True))
        say(f"  lighthouse: {kind}: phone {results[kind][0][0]}, "
            f"desktop {results[kind][1][0]}")
    return results


# --- page weight ----------------------------------------------------------------------------

_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I)
_START_TAG = re.compile(r"<[a-zA-Z]")


def elements(html: str) -> int:
    """Elements of a page as written: start tags, the contents of scripts and styles left
    out (the element itself counts)."""
    return len(_START_TAG.findall(_SCRIPT.sub("<x>", html)))


def kind_of(rel: str) -> str:
    parts = rel.split("/")
    if rel == "index.html":
        return "home"
    if parts[0] in ("topics", "tags") and len(parts) == 2:
        return f"{parts[0]} index"
    if parts[0] in ("topics", "tags"):
        return parts[0][:-1]
    if parts[0] == "digests":
        return ("digests index" if len(parts) == 2 else
                "digests month" if parts[1] == "months" else "digest")
    if parts[0] == "trends" and len(parts) > 2:
        return "topics over time"
    if parts[0] == "papers":
        return "paper"
    if parts[0] in ("trends", "search"):
        return parts[0]
    return "other"


def page_weights(site: Path) -> dict[str, dict]:
    """Per kind: pages, the largest page by bytes and by elements."""
    found: dict[str, dict] = {}
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        if rel.startswith("search-index/"):
            continue
        data = path.read_bytes()
        if len(data) < 2000 and b'http-equiv="refresh"' in data:
            continue
        kind = kind_of(rel)
        size, count = len(data), elements(data.decode("utf-8"))
        row = found.setdefault(kind, {"pages": 0, "bytes": (0, ""), "elements": (0, "")})
        row["pages"] += 1
        row["bytes"] = max(row["bytes"], (size, rel))
        row["elements"] = max(row["elements"], (count, rel))
    return found


def live_elements(browser, base: str, rel: str) -> int:
    context = browser.new_context(**WIDTHS["1280"])
    path = rel.removesuffix("index.html")
    page = open_page(context, base + (path if "search/" not in path
                                      else f"{path}?q={SEARCH_QUERY}"))
    count = page.evaluate("document.getElementsByTagName('*').length")
    context.close()
    return count


# --- search ---------------------------------------------------------------------------------

_CLS = """(() => { window.__cls = 0; new PerformanceObserver(list => {
  for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
}).observe({type: 'layout-shift', buffered: true}); })();"""


def measure_search(browser, base: str) -> dict[str, dict[str, object]]:
    out = {}
    for width, options in WIDTHS.items():
        context = browser.new_context(**options)
        context.add_init_script(_CLS)
        page = open_page(context, f"{base}search/?q={SEARCH_QUERY}")
        page.wait_for_timeout(1000)
        cls = page.evaluate("window.__cls")
        first = page.locator("#search-results a").first
        box = first.bounding_box()
        filters = page.locator("#search-facets input[type=checkbox], "
                               "#search-filters input[type=checkbox]")
        hidden = filters.evaluate_all(f"els => els.filter({CLIPPED_BY_A_BOX}).length")
        page.locator("#search-q").focus()
        presses = 0
        while presses < 200:
            page.keyboard.press("Tab")
            presses += 1
            if page.evaluate("document.activeElement === "
                             "document.querySelector('#search-results a')"):
                break
        else:
            presses = -1
        out[width] = {"cls": cls, "first result y": round(box["y"]) if box else None,
                      "tabs to first result": presses, "filters": filters.count(),
                      "filters out of sight": hidden}
        context.close()
    return out


# a JavaScript predicate: the element is clipped away by a scrolling box inside the page
# (the box the search filters once sat in); the page itself scrolls, so it does not count
CLIPPED_BY_A_BOX = """el => {
  const r = el.getBoundingClientRect();
  for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
    const s = getComputedStyle(a);
    if (/(auto|scroll|hidden)/.test(s.overflowY + s.overflowX)) {
      const b = a.getBoundingClientRect();
      if (r.bottom <= b.top || r.top >= b.bottom || r.right <= b.left
          || r.left >= b.right) return true;
    }
  }
  return false;
}"""


# --- report ---------------------------------------------------------------------------------

MEASURES = ("axe", "lighthouse", "weight", "search")


def report(name: str, site: Path, measures: tuple[str, ...] = MEASURES) -> None:
    from playwright.sync_api import sync_playwright

    urls = page_urls(site)
    print(f"\n## {name} site\n")
    weights = page_weights(site) if "weight" in measures else {}
    axe, live, search, lh = {}, {}, {}, {}
    with serve(site) as base, sync_playwright() as p:
        browser = launch(p)
        if "axe" in measures:
            say(f"{name}: axe on {len(urls)} kinds of page")
            axe = measure_axe(browser, base, urls)
        say(f"{name}: page weight and search")
        live = {kind: live_elements(browser, base, row["elements"][1])
                for kind, row in weights.items() if kind != "other"}
        if "search" in measures:
            search = measure_search(browser, base)
        browser.close()
        if "lighthouse" in measures:
            lh = measure_lighthouse(base, urls)
    if axe:
        _print_axe(axe, urls)
    if lh:
        _print_lighthouse(lh)
    if weights:
        _print_weights(weights, live)
    if search:
        _print_search(search)
    sys.stdout.flush()


def _print_axe(axe, urls) -> None:
    print("### axe-core: serious and critical nodes (WCAG 2.1 A/AA)\n")
    print("| page | url | light 1280 | light 390 | dark 1280 | dark 390 |")
    print("|---|---|---:|---:|---:|---:|")
    totals = Counter()
    rules: Counter = Counter()
    for kind, path in urls.items():
        cells = []
        for scheme in SCHEMES:
            for width in WIDTHS:
                found = axe[kind, scheme, width]
                cells.append(str(serious(found)))
                totals[scheme, width] += serious(found)
                for rule, impact, n in found:
                    if impact in ("serious", "critical"):
                        rules[rule] += n
        print(f"| {kind} | `{path or '/'}` | " + " | ".join(cells) + " |")
    print("| **all** | | " + " | ".join(str(totals[s, w]) for s in SCHEMES for w in WIDTHS)
          + " |")
    print(f"\nTotal {sum(totals.values())} nodes; by rule: "
          + (", ".join(f"{r} {n}" for r, n in rules.most_common()) or "none") + ".\n")


def _print_lighthouse(lh) -> None:
    if lh:
        print("### Lighthouse accessibility (light palette)\n")
        print("| page | phone | desktop | failing audits |")
        print("|---|---:|---:|---|")
        for kind, (phone, desktop) in lh.items():
            failing = sorted(set(phone[1]) | set(desktop[1]))
            shown = [str(r[0]) if r[0] >= 0 else "failed" for r in (phone, desktop)]
            print(f"| {kind} | {shown[0]} | {shown[1]} | {', '.join(failing) or '—'} |")
        print()


def _print_weights(weights, live) -> None:
    print("### Page weight (every HTML page; elements as written, and live in the browser)\n")
    print("| kind | pages | largest | bytes | most elements | elements | live |")
    print("|---|---:|---|---:|---|---:|---:|")
    for kind in (*KINDS, "other"):
        if kind not in weights:
            continue
        row = weights[kind]
        print(f"| {kind} | {row['pages']} | `{row['bytes'][1]}` | {row['bytes'][0]:,} | "
              f"`{row['elements'][1]}` | {row['elements'][0]:,} | "
              f"{live.get(kind, '')} |")
    print()


def _print_search(search) -> None:
    print(f"### Search (`search/?q={SEARCH_QUERY}`)\n")
    print("| width | layout shift (CLS) | Tab presses to the first result | first result at y "
          "| filters | filters out of sight |")
    print("|---|---:|---:|---:|---:|---:|")
    for width, row in search.items():
        print(f"| {width} | {row['cls']:.3f} | {row['tabs to first result']} | "
              f"{row['first result y']} px | {row['filters']} | {row['filters out of sight']} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--work", type=Path, help="keep corpora and sites here")
    parser.add_argument("--reuse", action="store_true", help="measure sites built before")
    parser.add_argument("--sites", default="seed,years", help="seed, years or both")
    parser.add_argument("--measures", default=",".join(MEASURES),
                        help="which tables: " + ", ".join(MEASURES) + " (default: all)")
    args = parser.parse_args()
    measures = tuple(m for m in args.measures.split(",") if m)
    if not set(measures) <= set(MEASURES):
        parser.error(f"--measures: choose from {', '.join(MEASURES)}")
    if not AXE.is_file() or ("lighthouse" in measures and not LIGHTHOUSE.is_file()):
        raise SystemExit("run `npm ci --prefix .ci` first (axe-core and Lighthouse)")
    wanted = args.sites.split(",")
    with contextlib.ExitStack() as stack:
        work = args.work or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        if "seed" in wanted:
            report("Seed", seed_site(work / "seed", args.reuse), measures)
        if "years" in wanted:
            site = years_site(work / "years", args.years, args.reuse)
            report(f"{args.years}-year", site, measures)


if __name__ == "__main__":
    main()
