"""Time and score the reader and the deduplicator on synthetic corpora.

    python -m benchmarks.bench_dedupe [--sizes 1000,10000,100000] [--keep DIR] [--seed S]

For each size a corpus is generated (`benchmarks.synth`), then read and deduplicated
in a fresh Python process, so that the peak memory is that of one size. The table
goes to stdout; progress, and examples of false and missed merges, go to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from .synth import make_corpus

REPO = Path(__file__).resolve().parent.parent
RESULT = "BENCH-RESULT "
COLUMNS = ("entries", "dumps", "papers (true)", "clusters", "read s", "dedup s", "peak MB",
           "precision", "recall")


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    true_positive_pairs: int
    predicted_pairs: int
    true_pairs: int
    papers: int
    clusters: int


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def entry_key(entry) -> str:
    return f"{entry.dump}:{entry.line}"


def cluster_labels(n: int, clusters: Sequence) -> list[int]:
    """The cluster number of each entry; checks that clusters partition range(n)."""
    labels = [-1] * n
    for c, cluster in enumerate(clusters):
        for i in cluster.members:
            if not 0 <= i < n:
                raise ValueError(f"cluster {c} has member {i}, outside 0..{n - 1}")
            if labels[i] != -1:
                raise ValueError(f"entry {i} is in clusters {labels[i]} and {c}")
            labels[i] = c
    missing = labels.count(-1)
    if missing:
        raise ValueError(f"{missing} entries are in no cluster (first: {labels.index(-1)})")
    return labels


def true_labels(entries: Sequence, truth: dict[str, str]) -> list[str]:
    """Each entry's true paper; an entry the truth does not know is a paper of its own."""
    return [truth.get(entry_key(e), f"?{entry_key(e)}") for e in entries]


def score(entries: Sequence, clusters: Sequence, truth: dict[str, str]) -> Scores:
    """Pairwise precision and recall: a pair of entries is predicted when both are in
    one cluster and true when both are the same paper. Counted from the contingency
    table (sum of C(n, 2) over its cells), never by listing pairs."""
    predicted = cluster_labels(len(entries), clusters)
    actual = true_labels(entries, truth)
    cells = Counter(zip(predicted, actual, strict=True))
    tp = sum(_pairs(n) for n in cells.values())
    pred = sum(_pairs(n) for n in Counter(predicted).values())
    true = sum(_pairs(n) for n in Counter(actual).values())
    return Scores(precision=tp / pred if pred else 1.0, recall=tp / true if true else 1.0,
                  true_positive_pairs=tp, predicted_pairs=pred, true_pairs=true,
                  papers=len(set(actual)), clusters=len(clusters))


# --------------------------------------------------------------------------- examples


def _describe(entries: Sequence, i: int, paper: str) -> dict:
    e = entries[i]
    return {"where": entry_key(e), "paper": paper, "title": e.title,
            "abstract": e.abstract[:90], "abstract_chars": len(e.abstract)}


def merge_errors(entries: Sequence, clusters: Sequence, truth: dict[str, str],
                 meta: dict) -> tuple[list[dict], list[dict]]:
    """(false merges, missed merges): one example pair per wrongly joined or split
    group, with the number of entry pairs it costs and a kind (the trap kind for a
    false merge, the noise of the stray entry for a missed one)."""
    predicted = cluster_labels(len(entries), clusters)
    actual = true_labels(entries, truth)
    traps = meta.get("traps", {})
    noise = meta.get("noise", {})

    def groups(members: Iterable[int], label: Sequence) -> list[list[int]]:
        by: dict = defaultdict(list)
        for i in members:
            by[label[i]].append(i)
        return sorted(by.values(), key=lambda g: (-len(g), g[0]))

    false: list[dict] = []
    for cluster in clusters:
        parts = groups(cluster.members, actual)
        for part in parts[1:]:
            a, b = parts[0][0], part[0]
            trap = traps.get(actual[a], {})
            kind = f"trap:{trap['kind']}" if trap.get("partner") == actual[b] else "unrelated"
            false.append({"kind": kind, "pairs": len(parts[0]) * len(part),
                          "a": _describe(entries, a, actual[a]),
                          "b": _describe(entries, b, actual[b])})
    members_of: dict[str, list[int]] = defaultdict(list)
    for i, paper in enumerate(actual):
        members_of[paper].append(i)
    missed: list[dict] = []
    for paper, members in members_of.items():
        parts = groups(members, predicted)
        for part in parts[1:]:
            a, b = parts[0][0], part[0]
            kind = noise.get(entry_key(entries[b])) or noise.get(entry_key(entries[a])) \
                or "identical"
            missed.append({"kind": kind, "pairs": len(parts[0]) * len(part),
                           "a": _describe(entries, a, paper), "b": _describe(entries, b, paper)})
    return false, missed


def pick(examples: list[dict], limit: int) -> list[dict]:
    """Up to `limit` examples, taking kinds in turn so that every kind shows."""
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for ex in examples:
        by_kind[ex["kind"]].append(ex)
    queues = sorted(by_kind.values(), key=lambda q: (-len(q), q[0]["kind"]))
    out: list[dict] = []
    while len(out) < limit and any(queues):
        for q in queues:
            if q and len(out) < limit:
                out.append(q.pop(0))
    return out


def pairs_by_kind(examples: list[dict]) -> dict[str, int]:
    counts: Counter = Counter()
    for ex in examples:
        counts[ex["kind"]] += ex["pairs"]
    return dict(counts.most_common())


def print_examples(label: str, examples: list[dict], limit: int) -> None:
    if not examples:
        print(f"  {label}: none", file=sys.stderr)
        return
    print(f"  {label}: {len(examples)} (entry pairs by kind: {pairs_by_kind(examples)})",
          file=sys.stderr)
    for ex in pick(examples, limit):
        a, b = ex["a"], ex["b"]
        print(f"    [{ex['kind']}] {a['title']!r} ({a['where']}, {a['paper']})", file=sys.stderr)
        print(f"      vs {b['title']!r} ({b['where']}, {b['paper']})", file=sys.stderr)
        print(f"      abstracts: {a['abstract_chars']} chars {a['abstract'][:60]!r}... / "
              f"{b['abstract_chars']} chars {b['abstract'][:60]!r}...", file=sys.stderr)


# --------------------------------------------------------------------------- child


def _peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def child(corpus: Path) -> dict:
    """Read and deduplicate one corpus in this (fresh) process; measure and score."""
    from generator.dedupe import deduplicate
    from generator.readers import list_dumps, read_all

    started = time.perf_counter()
    results = read_all(list_dumps(corpus / "dumps"))
    read_s = time.perf_counter() - started
    entries = [e for r in results for e in r.entries]
    started = time.perf_counter()
    clusters = deduplicate(entries)
    dedup_s = time.perf_counter() - started
    peak = _peak_mb()

    truth = json.loads((corpus / "truth.json").read_text(encoding="utf-8"))
    meta = json.loads((corpus / "corpus.json").read_text(encoding="utf-8"))
    scores = score(entries, clusters, truth)
    false, missed = merge_errors(entries, clusters, truth, meta)
    found = {entry_key(e) for e in entries}
    return {
        "entries": len(entries), "dumps": len(results), "read_s": read_s, "dedup_s": dedup_s,
        "peak_mb": peak, "scores": asdict(scores),
        "errors": sum(p.severity == "error" for r in results for p in r.problems),
        "unknown_entries": len(found - truth.keys()), "lost_entries": len(truth.keys() - found),
        "false_merges": false, "missed_merges": missed,
    }


def run_child(corpus: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)}
    proc = subprocess.run([sys.executable, "-m", "benchmarks.bench_dedupe", "--child",
                           str(corpus)], cwd=REPO, env=env, stdout=subprocess.PIPE, text=True,
                          check=False)
    lines = [line for line in proc.stdout.splitlines() if line.startswith(RESULT)]
    if proc.returncode or not lines:
        raise RuntimeError(f"benchmark process failed (exit {proc.returncode}) for {corpus}")
    return json.loads(lines[-1][len(RESULT):])


# --------------------------------------------------------------------------- main


def table(rows: list[dict]) -> str:
    out = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join("---:" for _ in COLUMNS) + "|"]
    for r in rows:
        s = r["scores"]
        cells = [f"{r['entries']:,}", str(r["dumps"]), f"{s['papers']:,}", f"{s['clusters']:,}",
                 f"{r['read_s']:.2f}", f"{r['dedup_s']:.2f}", f"{r['peak_mb']:.0f}",
                 f"{s['precision']:.4f}", f"{s['recall']:.4f}"]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def bench_size(size: int, seed: int, folder: Path, reuse: bool, examples: int) -> dict:
    def say(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    meta_path = folder / "corpus.json"
    if reuse and meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("entries") == size and meta.get("seed") == seed:
            say(f"[{size}] reusing the corpus in {folder}")
        else:
            reuse = False
    if not (reuse and meta_path.exists()):
        started = time.perf_counter()
        say(f"[{size}] generating {size} entries (seed {seed})")
        make_corpus(folder, size, seed, progress=lambda m: say(f"[{size}] {m}"))
        say(f"[{size}] generated in {time.perf_counter() - started:.1f} s")
    say(f"[{size}] reading and deduplicating in a fresh process")
    row = run_child(folder)
    s = row["scores"]
    say(f"[{size}] read {row['read_s']:.2f} s, dedup {row['dedup_s']:.2f} s, "
        f"peak {row['peak_mb']:.0f} MB, precision {s['precision']:.4f} "
        f"({s['predicted_pairs'] - s['true_positive_pairs']} false pairs), "
        f"recall {s['recall']:.4f} ({s['true_pairs'] - s['true_positive_pairs']} missed pairs)")
    if row["errors"] or row["unknown_entries"] or row["lost_entries"]:
        say(f"[{size}] WARNING: {row['errors']} reader errors, {row['lost_entries']} entries "
            f"of the truth not read, {row['unknown_entries']} read entries not in the truth")
    print_examples("false merges", row["false_merges"], examples)
    print_examples("missed merges", row["missed_merges"], examples)
    return row


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_dedupe",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="comma-separated corpus sizes, in entries")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="write the corpora to DIR/<size>/ and keep them")
    parser.add_argument("--reuse", action="store_true",
                        help="with --keep: reuse a kept corpus of the same size and seed")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--examples", type=int, default=10, metavar="N",
                        help="false and missed merges to show per size (default 10)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        print(RESULT + json.dumps(child(args.child), ensure_ascii=False), flush=True)
        return 0
    try:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes: not a list of numbers: {args.sizes!r}")
    rows = []
    for size in sizes:
        if args.keep:
            rows.append(bench_size(size, args.seed, args.keep / str(size), args.reuse,
                                   args.examples))
        else:
            with tempfile.TemporaryDirectory(prefix="bench-dedupe-") as tmp:
                rows.append(bench_size(size, args.seed, Path(tmp), False, args.examples))
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
