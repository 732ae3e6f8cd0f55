"""Precision and recall of the 'mentions' cross-links on the real 2024 corpus.

    python -m benchmarks.bench_mentions                          # the site's generator.mentions
    python -m benchmarks.bench_mentions --mentions pkg.mod:func  # another matcher
    python -m benchmarks.bench_mentions --errors dev             # its mistakes on dev, with reasons
    python -m benchmarks.bench_mentions --fail-under 0.95,0.70   # exit 1 below the goal on test

The matcher runs on the 1,984 deduplicated papers of `../shared/real/api-2024` (built as
the pipeline builds them) and is scored against `benchmarks/data/mentions_labelled.tsv`:
candidate links (source arXiv id -> target arXiv id) labelled right or wrong by reading
both abstracts, by the rule in `benchmarks/mentions_labels.md`.

* precision = labelled links the matcher makes that are right / labelled links it makes;
* recall = right labelled links it makes / right labelled links.

Tune on `dev`, report on `test` (the split is a fixed hash of the source id). The last row
re-weights the sample to the whole candidate pool (`mention_candidates.py`: ordinary-word
names like 'code' are sampled, everything else is labelled in full). A link the matcher
makes that is not in the labelled set is listed as unjudged: it is outside the candidate
pool, so label it before trusting the numbers.

A matcher is any callable taking the list of `generator.model.Paper` and returning either
`{paper id: (ids it mentions, ...)}` or the `(mentions, mentioned_by)` pair that
`generator.mentions.mentions` returns; ids are the catalog's paper ids (`Paper.id`).
"""

from __future__ import annotations

import argparse
import csv
import importlib
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .mention_candidates import LABELLED, find_name, permissive_name
from .real_corpus import REAL, REPO, load_papers

SPLITS = ("dev", "test", "all")


@dataclass(frozen=True)
class Label:
    split: str
    stratum: str
    weight: float
    source: str
    target: str
    name: str
    found: str
    right: bool
    kind: str  # the class: why it is right (exact, variant) or wrong (word, version, ...)
    reason: str
    excerpt: str


def load_labels(path: Path = LABELLED) -> list[Label]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    labels = []
    for n, row in enumerate(rows, start=2):
        if row["label"] not in ("right", "wrong") or row["split"] not in ("dev", "test"):
            raise SystemExit(f"{path}:{n}: label must be right/wrong and split dev/test")
        labels.append(Label(row["split"], row["stratum"], float(row["weight"]), row["source"],
                            row["target"], row["name"], row["found"], row["label"] == "right",
                            row["class"], row["reason"], row["excerpt"]))
    pairs = [(x.source, x.target) for x in labels]
    if len(set(pairs)) != len(pairs):
        raise SystemExit(f"{path}: a link is labelled twice")
    return labels


def resolve(spec: str) -> Callable:
    """'package.module:function' -> the function."""
    module, _, attr = spec.partition(":")
    if not attr:
        raise SystemExit(f"--mentions {spec!r}: write it as package.module:function")
    sys.path.insert(0, str(REPO))
    return getattr(importlib.import_module(module), attr)


def predicted_links(papers: Sequence, fn: Callable) -> set[tuple[str, str]]:
    """The (source arXiv id, target arXiv id) pairs the matcher links."""
    result = fn(list(papers))
    out = result[0] if isinstance(result, tuple) else result
    arxiv = {p.id: p.arxiv_id for p in papers}
    return {(arxiv[s], arxiv[t]) for s, targets in out.items() for t in targets
            if arxiv.get(s) and arxiv.get(t) and s != t}


@dataclass(frozen=True)
class Row:
    name: str
    labelled: int
    right: int
    predicted: int
    true_pos: int

    @property
    def precision(self) -> float | None:
        return self.true_pos / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.true_pos / self.right if self.right else None


def score(labels: Sequence[Label], predicted: set[tuple[str, str]], weighted: bool = False
          ) -> tuple[float, float, float, float]:
    """(labelled, right, predicted, true positives), each link counted once or by weight."""
    def w(x: Label) -> float:
        return x.weight if weighted else 1.0

    hit = [x for x in labels if (x.source, x.target) in predicted]
    return (sum(map(w, labels)), sum(w(x) for x in labels if x.right),
            sum(map(w, hit)), sum(w(x) for x in hit if x.right))


def table(labels: Sequence[Label], predicted: set[tuple[str, str]]) -> list[Row]:
    rows = []
    for split in SPLITS:
        chosen = [x for x in labels if split == "all" or x.split == split]
        rows.append(Row(split, *(round(v) for v in score(chosen, predicted))))
    return rows


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def render(rows: Sequence[Row], estimate: tuple[float, float, float, float]) -> str:
    head = ("| set | labelled | right | predicted | true pos | false pos | precision | recall |\n"
            "|---|---:|---:|---:|---:|---:|---:|---:|\n")
    lines = [f"| {r.name} | {r.labelled} | {r.right} | {r.predicted} | {r.true_pos} | "
             f"{r.predicted - r.true_pos} | {_ratio(r.precision)} | {_ratio(r.recall)} |"
             for r in rows]
    labelled, right, predicted, true_pos = estimate
    lines.append(f"| pool estimate (weighted) | {labelled:.0f} | {right:.0f} | {predicted:.0f} | "
                 f"{true_pos:.0f} | {predicted - true_pos:.0f} | "
                 f"{_ratio(true_pos / predicted if predicted else None)} | "
                 f"{_ratio(true_pos / right if right else None)} |")
    return head + "\n".join(lines)


def unjudged(papers: Sequence, labels: Sequence[Label], predicted: set[tuple[str, str]]
             ) -> tuple[list[tuple[str, str]], int]:
    """Predicted links outside the labelled set: (those outside the candidate pool, the
    number inside a sampled stratum, which the weighted estimate accounts for)."""
    labelled = {(x.source, x.target) for x in labels}
    sampled_targets = {x.target for x in labels if x.stratum == "whole-common"}
    by_arxiv = {p.arxiv_id: p for p in papers}
    outside, sampled = [], 0
    for source, target in sorted(predicted - labelled):
        name = permissive_name(by_arxiv[target].title)
        hit = find_name(name, by_arxiv[source].abstract) if name else None
        if target in sampled_targets and hit is not None and hit[0] == "whole":
            sampled += 1
        else:
            outside.append((source, target))
    return outside, sampled


def by_class(labels: Sequence[Label], predicted: set[tuple[str, str]]) -> str:
    """False positives and missed right links, counted by class, on all labelled links."""
    false_pos = Counter(x.kind for x in labels
                        if not x.right and (x.source, x.target) in predicted)
    missed = Counter(x.kind for x in labels if x.right and (x.source, x.target) not in predicted)

    def show(counts: Counter) -> str:
        return ", ".join(f"{k} {v}" for k, v in counts.most_common()) or "none"

    return (f"false positives by class: {show(false_pos)}\n"
            f"missed right links by class: {show(missed)}")


def errors(labels: Sequence[Label], predicted: set[tuple[str, str]], split: str) -> str:
    chosen = [x for x in labels if split == "all" or x.split == split]
    false_pos = [x for x in chosen if not x.right and (x.source, x.target) in predicted]
    missed = [x for x in chosen if x.right and (x.source, x.target) not in predicted]
    out = [f"## false positives on {split} ({len(false_pos)})"]
    out += [f"- {x.source} -> {x.target} [{x.name}] found {x.found!r} ({x.kind}): {x.reason}"
            for x in false_pos]
    out.append(f"\n## missed right links on {split} ({len(missed)})")
    out += [f"- {x.source} -> {x.target} [{x.name}] found {x.found!r} ({x.kind}): {x.reason}"
            for x in missed]
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", default="generator.mentions:mentions",
                        help="the matcher, as package.module:function (default: %(default)s)")
    parser.add_argument("--labels", type=Path, default=LABELLED)
    parser.add_argument("--corpus", type=Path, default=REAL)
    parser.add_argument("--errors", choices=SPLITS, help="list false positives and misses")
    parser.add_argument("--fail-under", metavar="PRECISION,RECALL",
                        help="exit 1 when test precision or recall is below these")
    args = parser.parse_args(argv)

    labels = load_labels(args.labels)
    fn = resolve(args.mentions)
    started = time.perf_counter()
    papers = load_papers(args.corpus)
    loaded = time.perf_counter()
    predicted = predicted_links(papers, fn)
    ran = time.perf_counter()

    right = sum(x.right for x in labels)
    counts = {s: sum(1 for x in labels if x.split == s) for s in ("dev", "test")}
    print(f"mentions benchmark: {args.mentions} on {len(papers):,} papers "
          f"(corpus {loaded - started:.1f} s, matcher {ran - loaded:.1f} s), "
          f"{len(predicted)} links made")
    print(f"labelled links: {len(labels)} ({right} right, {len(labels) - right} wrong; "
          f"dev {counts['dev']}, test {counts['test']})\n")
    rows = table(labels, predicted)
    print(render(rows, score(labels, predicted, weighted=True)))
    print("\n" + by_class(labels, predicted))

    outside, sampled = unjudged(papers, labels, predicted)
    if sampled:
        print(f"\n{sampled} link(s) made are unlabelled members of a sampled stratum "
              "(ordinary-word names): counted by the pool estimate only.")
    if outside:
        print(f"\n{len(outside)} link(s) made are outside the labelled candidate pool "
              "(unjudged: label them in benchmarks/data/mentions_labelled.tsv):")
        for source, target in outside[:20]:
            print(f"  {source} -> {target}")
    if args.errors:
        print("\n" + errors(labels, predicted, args.errors))
    if args.fail_under:
        want_p, want_r = (float(v) for v in args.fail_under.split(","))
        test = rows[1]
        if (test.precision or 0.0) < want_p or (test.recall or 0.0) < want_r:
            print(f"\ntest precision {_ratio(test.precision)} / recall {_ratio(test.recall)} "
                  f"below {want_p} / {want_r}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
