"""Measure search in headless Chromium on a built site: bytes and latency.

    python -m benchmarks.bench_search SITE_DIR [--query "mamba survey" ...]
    python -m benchmarks.bench_search --synthetic 50000 [--work DIR]

Serves SITE_DIR on loopback, opens the search page in Debian's Chromium (Playwright),
and for each query, in a fresh browser context (cold cache): the bytes of the search
index and result data transferred until the first results show (everything under
`pagefind/`), and the time from the last keystroke to the results on screen. Prints a
markdown table. Also prints what the theme's built-in search would have to load first
(its single `search/search_index.json`), when the site has one.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import threading
from pathlib import Path

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


def measure(site: Path, queries: list[str]) -> list[tuple[str, int, int, float, int]]:
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
                    if "/pagefind/" in request.url:
                        sizes[request.url] = request.sizes()["responseBodySize"]

                page.on("requestfinished", done)
                page.goto(base + "search/", wait_until="load")
                page.wait_for_selector("#paper-search[data-search-ready]", timeout=60_000)
                page.evaluate(_SETUP, query)
                page.locator("#search-q").press_sequentially(query, delay=60)
                page.wait_for_function("() => window.__t.done", timeout=60_000)
                latency = page.evaluate("window.__t.done - window.__t.last")
                page.wait_for_timeout(200)
                count = page.locator("#search-results li").count()
                first = page.locator("#search-results a.paper-item__title").first
                title = first.inner_text() if first.count() else "(none)"
                rows.append((query, sum(sizes.values()), len(sizes), latency, count))
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
    from generator.search import search_documents
    from generator.search_index import run_pagefind
    from generator.topics import load_taxonomy

    repo = Path(__file__).resolve().parents[1]
    if not (work / "dumps").exists():
        make_corpus(work, int(papers / 0.65))
    progress = Progress(interactive=False)
    inputs = read_inputs(work / "dumps", work / "no-curation", progress)
    taxonomy, _ = load_taxonomy(repo / "curation")
    inputs = replace(inputs, taxonomy=taxonomy, problems=())
    catalog, _ = make_catalog(inputs, progress)
    source = work / "search-source"
    shutil.rmtree(source, ignore_errors=True)
    for rel, text in search_documents(catalog.papers, {t.id: t.title for t in taxonomy.topics}):
        (source / rel).parent.mkdir(parents=True, exist_ok=True)
        (source / rel).write_text(text, encoding="utf-8")
    site = work / "site"
    shutil.rmtree(site, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(repo)}
    subprocess.run([sys.executable, "-m", "generator", "build", "--quiet", "--site",
                    str(site)], cwd=repo, env=env, check=True)
    shutil.rmtree(site / "pagefind")
    start = time.perf_counter()
    run_pagefind(source, site / "pagefind")
    took = time.perf_counter() - start
    size = sum(p.stat().st_size for p in (site / "pagefind").rglob("*") if p.is_file())
    print(f"Pagefind indexed {len(catalog.papers)} papers in {took:.1f} s "
          f"({size / 1e6:.1f} MB)", flush=True)
    return site


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path, nargs="?", help="a built site (or see --synthetic)")
    parser.add_argument("--synthetic", type=int, metavar="PAPERS",
                        help="index a synthetic corpus of this many papers (into --work)")
    parser.add_argument("--work", type=Path, default=Path("benchmarks/out/search"))
    parser.add_argument("--query", action="append", dest="queries")
    args = parser.parse_args()
    if args.synthetic:
        args.work.mkdir(parents=True, exist_ok=True)
        args.site = synthetic_site(args.synthetic, args.work)
    elif args.site is None:
        parser.error("give a built site, or --synthetic PAPERS")
    rows = measure(args.site, args.queries or QUERIES)
    print(f"\nsearch index of {args.site}\n")
    print("| query | bytes to first results | files | last key to results | results shown |")
    print("|---|---:|---:|---:|---:|")
    for query, size, files, latency, count in rows:
        print(f"| {query} | {size / 1024:.0f} KiB | {files} | {latency:.0f} ms | {count} |")
    builtin = args.site / "search" / "search_index.json"
    if builtin.exists():
        print(f"\ntheme's built-in index: {builtin.stat().st_size / 1e6:.1f} MB in one file")


if __name__ == "__main__":
    main()
