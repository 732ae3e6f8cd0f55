"""Measure search in headless Chromium on a built site: bytes and latency.

    python -m benchmarks.bench_search SITE_DIR [--query "mamba survey" ...]
    python -m benchmarks.bench_search --synthetic 50000 [--work DIR]

Serves SITE_DIR on loopback, opens the search page in Debian's Chromium (Playwright),
and for each query, in a fresh browser context (cold cache): the bytes of the search
index and result data transferred until the first results show (everything under
`search-index/`), and the time from the last keystroke to the results on screen. Prints a
markdown table. Also prints what the theme's built-in search would have to load first
(its single `search/search_index.json`), when the site has one.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import threading
from pathlib import Path

from generator.search import INDEX_DIR as INDEX

QUERIES = ["mamba survey", "vision transformer token pruning", "diffusion", "reinforcement"]

_SETUP = """target => {
  const root = document.getElementById('paper-search');
  window.__t = {};
  document.addEventListener('keydown', () => { window.__t.last = performance.now(); }, true);
  new MutationObserver(() => {
    if (root.dataset.searchQuery === target && !window.__t.done) {
      window.__t.done = performance.now();
    }
  }).observe(root, {attributes: true});
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _part(url: str) -> str:
    rest = url.split(f"/{INDEX}/", 1)[1]
    return rest.split("/", 1)[0] if "/" in rest else "meta"


def measure(site: Path, queries: list[str], delay: int = 60
            ) -> list[tuple[str, dict[str, int], int, float, int]]:
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/"
    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                        args=["--no-sandbox"])
            for query in queries:
                context = browser.new_context()
                page = context.new_page()
                sizes: dict[str, int] = {}

                def done(request, sizes=sizes):
                    if f"/{INDEX}/" in request.url:
                        sizes[request.url] = request.sizes()["responseBodySize"]

                page.on("requestfinished", done)
                page.goto(base + "search/", wait_until="load")
                page.wait_for_selector("#paper-search[data-search-ready]", timeout=60_000)
                page.evaluate(_SETUP, query)
                page.locator("#search-q").press_sequentially(query, delay=delay)
                page.wait_for_function("() => window.__t.done", timeout=60_000)
                latency = page.evaluate("window.__t.done - window.__t.last")
                page.wait_for_timeout(200)
                count = page.locator("#search-results li").count()
                first = page.locator("#search-results a.paper-item__title").first
                title = first.inner_text() if first.count() else "(none)"
                parts: dict[str, int] = {}
                for url, size in sizes.items():
                    parts[_part(url)] = parts.get(_part(url), 0) + size
                rows.append((query, parts, len(sizes), latency, count))
                print(f"{query!r}: first result {title!r}", flush=True)
                context.close()
            browser.close()
    finally:
        server.shutdown()
    return rows


def synthetic_site(papers: int, work: Path) -> Path:
    """A site whose search index holds `papers` synthetic papers: the seed site's pages
    and assets (for the search page) with the index of the synthetic corpus. Prints the
    time Pagefind took."""
    import os
    import shutil
    import subprocess
    import sys
    import time
    from dataclasses import replace

    from benchmarks.synth import make_corpus
    from generator.pipeline import make_catalog, read_inputs
    from generator.progress import Progress
    from generator.search import INDEX_DIR, build_index
    from generator.topics import load_taxonomy

    repo = Path(__file__).resolve().parents[1]
    if not (work / "dumps").exists():
        make_corpus(work, int(papers / 0.65))
    progress = Progress(interactive=False)
    inputs = read_inputs(work / "dumps", work / "no-curation", progress)
    taxonomy, _ = load_taxonomy(repo / "curation")
    inputs = replace(inputs, taxonomy=taxonomy, problems=())
    catalog, _ = make_catalog(inputs, progress)
    site = work / "site"
    shutil.rmtree(site, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(repo)}
    subprocess.run([sys.executable, "-m", "generator", "build", "--quiet", "--site",
                    str(site)], cwd=repo, env=env, check=True)
    shutil.rmtree(site / INDEX_DIR)
    start = time.perf_counter()
    files = build_index(catalog.papers, {t.id: t.title for t in taxonomy.topics})
    took = time.perf_counter() - start
    for rel, data in files:
        (site / INDEX_DIR / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / INDEX_DIR / rel).write_bytes(data)
    sizes: dict[str, list[int]] = {}
    for rel, data in files:
        sizes.setdefault(rel.split("/")[0] if "/" in rel else rel, []).append(len(data))
    print(f"index of {len(catalog.papers)} papers built in {took:.1f} s: "
          f"{sum(map(sum, sizes.values())) / 1e6:.1f} MB in {len(files)} files", flush=True)
    print("| part | files | total | largest |\n|---|---:|---:|---:|")
    for part, found in sorted(sizes.items()):
        print(f"| {part} | {len(found)} | {sum(found) / 1024:.0f} KiB | "
              f"{max(found) / 1024:.1f} KiB |")
    return site


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path, nargs="?", help="a built site (or see --synthetic)")
    parser.add_argument("--synthetic", type=int, metavar="PAPERS",
                        help="index a synthetic corpus of this many papers (into --work)")
    parser.add_argument("--work", type=Path, default=Path("benchmarks/out/search"))
    parser.add_argument("--query", action="append", dest="queries")
    parser.add_argument("--delay", type=int, action="append", dest="delays",
                        help="milliseconds between keystrokes (default: 60 and 200)")
    args = parser.parse_args()
    if args.synthetic:
        args.work.mkdir(parents=True, exist_ok=True)
        args.site = synthetic_site(args.synthetic, args.work)
    elif args.site is None:
        parser.error("give a built site, or --synthetic PAPERS")
    table = []
    for delay in args.delays or [60, 200]:
        for query, parts, files, latency, count in measure(args.site, args.queries or QUERIES,
                                                           delay):
            table.append((delay, query, parts, files, latency, count))
    print(f"\nsearch index of {args.site}\n")
    print("| key delay | query | bytes to first results | of which: meta, terms, postings, "
          "papers | files | last key to results | results shown |")
    print("|---:|---|---:|---|---:|---:|---:|")
    for delay, query, parts, files, latency, count in table:
        split = ", ".join(f"{parts.get(k, 0) / 1024:.0f}"
                          for k in ("meta", "terms", "postings", "papers"))
        print(f"| {delay} ms | {query} | {sum(parts.values()) / 1024:.0f} KiB | {split} | "
              f"{files} | {latency:.0f} ms | {count} |")
    builtin = args.site / "search" / "search_index.json"
    if builtin.exists():
        print(f"\ntheme's built-in index: {builtin.stat().st_size / 1e6:.1f} MB in one file")


if __name__ == "__main__":
    main()
