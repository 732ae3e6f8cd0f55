"""Time the whole site build on a synthetic corpus: generator stages and mkdocs.

    python -m benchmarks.bench_site [--papers 10000] [--keep DIR]

Prints a markdown table of stage times, the mkdocs time per paper page, peak memory,
and the output sizes (whole site, largest HTML page, papers.json). Timings are for
reading, not for tests.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from benchmarks.synth import make_corpus
from generator.links import link
from generator.pipeline import make_catalog, read_inputs
from generator.progress import Progress
from generator.render import SiteInput, build_site_model
from generator.search import INDEX_DIR, build_index
from generator.writer import build_site, site_url

REPO = Path(__file__).resolve().parents[1]


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def run(papers: int, work: Path) -> list[tuple[str, str]]:
    entries = int(papers / 0.65)  # the corpus repeats about 35% of its entries
    dumps = work / "dumps"
    if not dumps.exists():
        print(f"generating about {papers} papers ({entries} entries)...", file=sys.stderr)
        make_corpus(work, entries)
    progress = Progress(interactive=False)
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    inputs = read_inputs(dumps, REPO / "curation-none", progress)
    from generator.topics import load_taxonomy

    taxonomy, _ = load_taxonomy(REPO / "curation")
    inputs = replace(inputs, taxonomy=taxonomy, problems=())
    catalog, _ = make_catalog(inputs, progress)
    start = time.perf_counter()
    links = link(catalog.papers)
    progress.timings.append(("link", time.perf_counter() - start))
    start = time.perf_counter()
    model = build_site_model(SiteInput(catalog, taxonomy, links, site_url(REPO / "mkdocs.yml")))
    render = time.perf_counter() - start
    # the render stage builds the search index too: time that part on its own
    start = time.perf_counter()
    build_index(catalog.papers, {t.id: t.title for t in taxonomy.topics})
    search = time.perf_counter() - start
    progress.timings.append(("render (without the search index)", render - search))
    progress.timings.append(("search index", search))
    start = time.perf_counter()
    site = work / "site"
    build_site(model, REPO / "mkdocs.yml", REPO / "docs", site)
    mkdocs = time.perf_counter() - start
    progress.timings.append(("mkdocs build and writing", mkdocs))
    html = [p for p in site.rglob("*.html")]
    largest = max(html, key=lambda p: p.stat().st_size)
    generator_total = sum(t for name, t in progress.timings
                          if name not in ("mkdocs build and writing", "search index"))
    rows = [(name, f"{t:.2f} s") for name, t in progress.timings]
    rows += [
        ("generator stages together", f"{generator_total:.2f} s"),
        ("papers", f"{len(catalog.papers)}"),
        ("mkdocs per paper page", f"{1000 * mkdocs / len(catalog.papers):.1f} ms"),
        ("search index / rest of the build",
         f"{100 * search / (generator_total + mkdocs):.0f} %"),
        ("search index folder", f"{_size(site / INDEX_DIR) / 1e6:.1f} MB in "
                                f"{len(model.search)} files"),
        ("peak memory", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"),
        ("site size", f"{_size(site) / 1e6:.1f} MB in {sum(1 for _ in site.rglob('*'))} files"),
        ("largest HTML page", f"{largest.stat().st_size / 1e3:.0f} KB "
                              f"({largest.relative_to(site).as_posix()})"),
        ("api/papers.json", f"{(site / 'api' / 'papers.json').stat().st_size / 1e6:.1f} MB"),
    ]
    search = site / "search" / "search_index.json"
    if search.exists():
        rows.append(("search/search_index.json", f"{search.stat().st_size / 1e6:.1f} MB"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, default=10000)
    parser.add_argument("--keep", type=Path, help="work folder to keep (and reuse)")
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        rows = run(args.papers, args.keep)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            rows = run(args.papers, Path(tmp))
    print("| measure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
