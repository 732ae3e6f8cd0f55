"""Screenshots of every kind of page, 1280 and 390 px wide, light and dark palette.

    python -m benchmarks.screenshots SITE_DIR --out DIR [--kinds home,paper,...] [--tall PX]

Serves SITE_DIR on loopback and saves, for each kind of page (`bench_pages.page_urls`:
home, topics index, topic, paper, digests index, digest, trends, search with results,
tags index, tag), `DIR/<kind>-<light|dark>-<1280|390>.png`: the page from its top, at
most `--tall` CSS pixels of it (default 2400), at the device's pixel ratio. For looking
at, not for tests.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmarks.bench_pages import SCHEMES, WIDTHS, launch, open_page, page_urls, serve


def shoot(site: Path, out: Path, kinds: list[str] | None = None, tall: int = 2400
          ) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    urls = page_urls(site)
    taken = []
    with serve(site) as base, sync_playwright() as p:
        browser = launch(p)
        for kind, path in urls.items():
            if kinds and kind not in kinds:
                continue
            for scheme in SCHEMES:
                for width, options in WIDTHS.items():
                    context = browser.new_context(color_scheme=scheme, **options)
                    page = open_page(context, base + path)
                    page.wait_for_timeout(300)
                    height = page.evaluate("document.documentElement.scrollHeight")
                    target = out / f"{kind.replace(' ', '-')}-{scheme}-{width}.png"
                    # a taller window rather than a full-page capture: the theme hides
                    # its tabs when it sees the page scrolled
                    page.set_viewport_size({"width": options["viewport"]["width"],
                                            "height": min(height, tall)})
                    page.wait_for_timeout(200)
                    page.screenshot(path=str(target))
                    taken.append(target)
                    context.close()
            print(f"{kind}: {path or '/'}", file=sys.stderr)
        browser.close()
    return taken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--kinds", help="comma-separated kinds (default: all)")
    parser.add_argument("--tall", type=int, default=2400)
    args = parser.parse_args()
    taken = shoot(args.site, args.out, args.kinds.split(",") if args.kinds else None,
                  args.tall)
    print(f"{len(taken)} screenshots in {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
