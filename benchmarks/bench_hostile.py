"""Worst-case inputs under the size limits: how long `check` takes on each.

    python -m benchmarks.bench_hostile [--keep DIR] [--only NAME] [--repeat N]

Each case is one dump just under the limits a reader accepts (64 MiB a file, 1,000,000
characters a line), shaped to make a stage do as much work as it can: entries that share
a title but not an abstract (every one is compared with the papers of that title before
it), huge titles, huge abstracts in API JSON, a saved page whose data is one huge
attribute. `check` runs in a fresh process on a folder holding only that dump; the table
gives the median wall time, the peak memory and what `check` found. The daily fetch runs
`make check` on whatever the API answered, so every row must stay within seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LINE = 999_000  # characters: just under the text reader's line limit
WORDS = [f"w{k:04d}" for k in range(10_000)]


def _words(rng: random.Random, chars: int) -> str:
    out: list[str] = []
    size = 0
    while size < chars:
        word = rng.choice(WORDS)
        out.append(word)
        size += len(word) + 1
    return " ".join(out)[:chars]


def same_title_text(path: Path) -> None:
    """60 entries, one title, abstracts of 999,000 characters that all differ (60 MB)."""
    rng = random.Random(1)
    with path.open("w", encoding="utf-8") as f:
        f.write("new\n\nDaily Papers\n\nMar 20\n\n")
        for _ in range(60):
            f.write("The Same Title For Every Entry\n\n" + _words(rng, LINE) + ".\n\n")


def huge_json_records(path: Path) -> None:
    """30 API records whose titles and abstracts are 1,000,000 characters each (60 MB)."""
    rng = random.Random(2)
    records = [{"paper": {"id": f"2401.{k:05d}", "title": "Same " + _words(rng, 1_000_000),
                          "summary": _words(rng, 1_000_000), "authors": [{"name": "A"}]}}
               for k in range(30)]
    path.write_text(json.dumps(records), encoding="utf-8")


def many_same_title_records(path: Path) -> None:
    """200,000 short API records with one title and different abstracts (about 40 MB)."""
    rng = random.Random(3)
    with path.open("w", encoding="utf-8") as f:
        f.write("[")
        for k in range(200_000):
            record = {"title": "The Same Title", "summary": _words(rng, 150)}
            f.write(("," if k else "") + json.dumps(record))
        f.write("]")


def huge_props_page(path: Path) -> None:
    """A saved page whose data-props holds 30 records of 1,000,000-character abstracts."""
    rng = random.Random(4)
    papers = [{"paper": {"id": f"2402.{k:05d}", "title": f"Paper {k}",
                         "summary": _words(rng, 1_000_000)}} for k in range(30)]
    props = json.dumps({"dateString": "2024-03-20", "dailyPapers": papers})
    props = props.replace("&", "&amp;").replace('"', "&quot;")
    path.write_text('<!doctype html>\n<html><body>\n<div class="SVELTE_HYDRATER contents" '
                    f'data-target="DailyPapers" data-props="{props}"></div>\n</body></html>\n',
                    encoding="utf-8")


def many_lines_text(path: Path) -> None:
    """A text save of just under 100,000 lines (the text reader's limit), every line a
    short title-like line that differs from the others: each is weighed as a title or an
    abstract, and the whole dump paired at once."""
    rng = random.Random(5)
    with path.open("w", encoding="utf-8") as f:
        f.write("Daily Papers\nMar 20\n")
        for k in range(99_990):
            f.write(f"{_words(rng, rng.randint(20, 120)).title()} {k}\n")


def blank_lines_text(path: Path) -> None:
    """64 MiB less one byte of line breaks: refused before any line is read."""
    path.write_bytes(b"Daily Papers\n" + b"\n" * (64 * 2**20 - 14))


CASES: dict[str, tuple[str, Callable[[Path], None]]] = {
    "same-title-text": ("2024-03-20_flood.txt", same_title_text),
    "huge-json-records": ("2024-03-20_huge.json", huge_json_records),
    "many-same-title-records": ("2024-03-20_many.json", many_same_title_records),
    "huge-props-page": ("2024-03-20_page.html", huge_props_page),
    "many-lines-text": ("2024-03-20_lines.txt", many_lines_text),
    "blank-lines-text": ("2024-03-20_blank.txt", blank_lines_text),
}


_CHECK = ("import resource, sys\n"
          "from generator.cli import main\n"
          "code = main(['check', '--dumps', sys.argv[1], '--curation', sys.argv[2]])\n"
          "print('peak', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
          "sys.exit(code)\n")


def _run_check(dumps: Path, curation: Path) -> tuple[float, float, str]:
    """Wall time, peak memory (MB) and a summary of one `check` in a fresh process."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", _CHECK, str(dumps), str(curation)],
                            cwd=REPO, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    elapsed = time.perf_counter() - start
    lines = result.stderr.splitlines()
    peak = next((int(line.split()[1]) for line in lines if line.startswith("peak ")), 0)
    found = "; ".join(line.split(" (")[0] for line in lines
                      if line.startswith(("read:", "deduplicate:")))
    return elapsed, peak / 1024, f"exit {result.returncode}: {found or lines[-2:]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, help="write the cases here and keep them")
    parser.add_argument("--only", choices=sorted(CASES), help="one case")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case (median)")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-hostile-"))
    print("| case | dump | size MB | check s (median) | peak MB | what check found |")
    print("|---|---|---:|---:|---:|---|")
    for name, (file_name, make) in CASES.items():
        if args.only and name != args.only:
            continue
        folder = root / name / "dumps"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / file_name
        if not target.exists():
            print(f"writing {name}…", file=sys.stderr, flush=True)
            make(target)
        curation = root / name / "curation"
        curation.mkdir(exist_ok=True)
        runs = []
        for k in range(args.repeat):
            print(f"{name}: run {k + 1} of {args.repeat}", file=sys.stderr, flush=True)
            runs.append(_run_check(folder, curation))
        median = statistics.median(r[0] for r in runs)
        print(f"| {name} | `{file_name}` | {target.stat().st_size / 2**20:.1f} | "
              f"{median:.2f} | {max(r[1] for r in runs):.0f} | {runs[-1][2]} |", flush=True)


if __name__ == "__main__":
    main()
