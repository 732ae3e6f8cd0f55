"""The whole build against plain mkdocs-material, and the daily update with the page cache.

    python -m benchmarks.bench_build --corpus synthetic --papers 1000,10000 [--work DIR]
    python -m benchmarks.bench_build --corpus real --papers 1000,7000 [--no-clean-update]

For each size, in a fresh process each (peak memory is that process's):

1. **ours, clean**: `python -m generator build` on the corpus without its newest day, with
   an empty page cache (stage times from its own progress lines);
2. **daily update**: the newest day added, built again with the cache the first build left
   (then the same days once more, "nothing new": every page and stage result reused, the
   floor an update cannot go below);
3. **ours, clean, one day more**: the same inputs as 2 without a cache; its site must be
   byte-identical to 2's (skipped with `--no-clean-update`: then 1 is the clean build);
4. **B0**: plain mkdocs-material over the same papers as bare pages (`# title`, the
   abstract), out of the nav, the theme's built-in search, nothing else.

`synthetic` corpora come from `synth.py` (about 35% repeated entries) plus one real day
replayed after them; `real` ones are the real 2024 days replayed over a weekday calendar
(`real_years.py`), cut after the day that reaches the size. Prints a markdown table.
Timings are for reading, never for tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.real_years import answers
from benchmarks.synth import make_corpus

REPO = Path(__file__).resolve().parents[1]
STAGE = re.compile(r"^(read|deduplicate|classify|link|render|mkdocs build): .*\(([\d.]+) s\)$")
STAGES = ("read", "deduplicate", "classify", "link", "render", "mkdocs build")


def measured(command: list[str], cwd: Path, env: dict | None = None) -> tuple[float, float, str]:
    """(seconds, peak MB, stderr) of one process."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err,
                                env={**os.environ, **(env or {})})
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}):\n{text[-3000:]}")
    return seconds, usage.ru_maxrss / 1024, text


def project(work: Path) -> Path:
    """mkdocs.yml, overrides and docs beside each other, as in the repository, with the
    taxonomy only (the repository's duplicate rules name seed papers)."""
    proj = work / "project"
    if proj.exists():
        shutil.rmtree(proj)
    proj.mkdir(parents=True)
    shutil.copy2(REPO / "mkdocs.yml", proj / "mkdocs.yml")
    shutil.copytree(REPO / "overrides", proj / "overrides")
    shutil.copytree(REPO / "docs", proj / "docs")
    (proj / "curation").mkdir()
    shutil.copy2(REPO / "curation" / "topics.yml", proj / "curation" / "topics.yml")
    return proj


def corpus(kind: str, papers: int, work: Path) -> tuple[Path, Path]:
    """(dumps without the newest day, the newest day's file)."""
    dumps = work / "dumps"
    if dumps.exists():
        shutil.rmtree(dumps)
    dumps.mkdir(parents=True)
    if kind == "synthetic":
        make_corpus(work, int(papers / 0.65))
        # the next weekday after the corpus: a real day's papers, new ids
        newest = max(dt.date.fromisoformat(p.name[:10]) for p in dumps.iterdir())
        day, answer = next(answers(1, newest + dt.timedelta(days=1)))
    else:
        count = 0
        for day, answer in answers(papers // 2500 + 2):
            if count >= papers:
                break
            (dumps / f"{day.isoformat()}_api.json").write_text(
                json.dumps(answer, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            count += len(answer)
        newest = max(dumps.iterdir())
        held = work / newest.name
        shutil.move(newest, held)
        return dumps, held
    held = work / f"{day.isoformat()}_api.json"
    held.write_text(json.dumps(answer, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return dumps, held


def ours(work: Path, proj: Path, site: Path) -> dict:
    command = [sys.executable, "-m", "generator", "build", "--dumps", str(work / "dumps"),
               "--curation", str(proj / "curation"), "--config", str(proj / "mkdocs.yml"),
               "--site", str(site)]
    seconds, peak, err = measured(command, REPO)
    stages = {}
    for line in err.splitlines():
        found = STAGE.match(line.strip())
        if found:
            stages[found.group(1)] = float(found.group(2))
    reused = re.search(r"(\d+) of (\d+) pages? from the page cache", err)
    return {"seconds": seconds, "peak": peak, "stages": stages,
            "reused": f"{reused.group(1)} of {reused.group(2)}" if reused else "?"}


def b0(work: Path, papers_json: Path) -> dict:
    """Plain mkdocs-material: a bare page per paper, out of the nav, built-in search."""
    base = work / "b0"
    if base.exists():
        shutil.rmtree(base)
    docs = base / "docs" / "papers"
    docs.mkdir(parents=True)
    papers = json.loads(papers_json.read_text(encoding="utf-8"))["papers"]
    for p in papers:
        (docs / f"{p['id']}.md").write_text(f"# {p['title']}\n\n{p['abstract']}\n",
                                            encoding="utf-8")
    (base / "docs" / "index.md").write_text("# Papers\n", encoding="utf-8")
    (base / "mkdocs.yml").write_text(
        "site_name: B0\nsite_url: https://example.org/\ntheme:\n  name: material\n"
        "plugins:\n  - search\nnav:\n  - index.md\nnot_in_nav: |\n  /papers/\n",
        encoding="utf-8")
    seconds, peak, _ = measured([sys.executable, "-m", "mkdocs", "build", "-q"], base)
    return {"seconds": seconds, "peak": peak, "papers": len(papers)}


def digest(site: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        h.update(path.relative_to(site).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def one(kind: str, papers: int, work: Path, clean_update: bool) -> dict:
    print(f"{kind} {papers}: preparing the corpus...", file=sys.stderr, flush=True)
    dumps, newest = corpus(kind, papers, work)
    proj = project(work)
    cache = proj / ".build-cache"
    print(f"{kind} {papers}: clean build...", file=sys.stderr, flush=True)
    clean = ours(work, proj, work / "site-clean")
    shutil.move(newest, dumps / newest.name)
    print(f"{kind} {papers}: daily update (one more day, with the cache)...",
          file=sys.stderr, flush=True)
    update = ours(work, proj, work / "site-update")
    print(f"{kind} {papers}: the same days again (nothing new)...", file=sys.stderr,
          flush=True)
    row = {"kind": kind, "clean": clean, "update": update,
           "unchanged": ours(work, proj, work / "site-unchanged")}
    if clean_update:
        print(f"{kind} {papers}: clean build of the same days...", file=sys.stderr,
              flush=True)
        shutil.rmtree(cache)
        again = ours(work, proj, work / "site-again")
        row["again"] = again
        row["identical"] = digest(work / "site-update") == digest(work / "site-again")
    print(f"{kind} {papers}: B0...", file=sys.stderr, flush=True)
    row["b0"] = b0(work, work / "site-update" / "api" / "papers.json")
    return row


def table(rows: list[dict]) -> str:
    head = ["corpus", "papers", *STAGES, "ours, clean", "B0", "ratio", "peak ours",
            "peak B0", "daily update", "update / clean", "pages reused", "identical",
            "nothing new / clean"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        clean = r.get("again", r["clean"])
        lines.append("| " + " | ".join([
            r["kind"], f"{r['b0']['papers']:,}",
            *(f"{clean['stages'].get(s, 0):.1f} s" for s in STAGES),
            f"{clean['seconds']:.1f} s", f"{r['b0']['seconds']:.1f} s",
            f"{clean['seconds'] / r['b0']['seconds']:.2f}×",
            f"{clean['peak']:,.0f} MB", f"{r['b0']['peak']:,.0f} MB",
            f"{r['update']['seconds']:.1f} s",
            f"{100 * r['update']['seconds'] / clean['seconds']:.0f}%",
            r["update"]["reused"],
            {True: "yes", False: "**no**"}.get(r.get("identical"), "not compared"),
            f"{r['unchanged']['seconds']:.1f} s "
            f"({100 * r['unchanged']['seconds'] / clean['seconds']:.0f}%)",
        ]) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", choices=("synthetic", "real"), default="synthetic")
    parser.add_argument("--papers", default="1000,10000",
                        help="sizes, comma-separated (default 1000,10000)")
    parser.add_argument("--work", type=Path, help="work folder (default: a temporary one)")
    parser.add_argument("--no-clean-update", action="store_true",
                        help="skip the clean build of the updated days (and the identity check)")
    args = parser.parse_args(argv)
    rows = []
    for size in (int(s) for s in args.papers.split(",")):
        if args.work:
            work = args.work / f"{args.corpus}-{size}"
            work.mkdir(parents=True, exist_ok=True)
            rows.append(one(args.corpus, size, work, not args.no_clean_update))
        else:
            with tempfile.TemporaryDirectory() as tmp:
                rows.append(one(args.corpus, size, Path(tmp), not args.no_clean_update))
        print(table(rows[-1:]), file=sys.stderr, flush=True)
    print(table(rows))


if __name__ == "__main__":
    main()
