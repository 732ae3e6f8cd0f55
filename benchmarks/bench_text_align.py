"""How often the text reader pairs titles and abstracts exactly right, on dumps written
from real papers with known defects.

    python -m benchmarks.bench_text_align [--dumps N] [--seed S]

Each synthetic dump holds 1-12 real papers of the odd days of `../shared/real/api-2024/`
(the line model is fitted on the even days), in layout A or B, with defects drawn at
random: abstracts cut short (first sentence, first two, first words with a cut marker;
or, in the whole dump, first words with no sign of the cut),
abstracts missing (alone, or in runs), orphan abstracts without their title. A dump is
read right when the kept entries are exactly those written complete and every other
entry is reported lost at its line. Prints, per kind of defect, the dumps read right,
and in how many it kept an entry that was never written (a title paired with the wrong
line) without a warning that it read lines against their looks; an entry it could not
pair is always reported lost, so that column counts what would go unseen.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

from generator.model import WARNING
from generator.readers import read_dump

REPO = Path(__file__).resolve().parents[1]
REAL = REPO.parent / "shared" / "real" / "api-2024"
_SENTENCES = re.compile(r"(?<=[.!])\s+(?=[A-Z])")
HEADER_A = ["Get trending papers in your email inbox once a day!",
            "Get trending papers in your email inbox!"]
HEADER_B = ["new", "Get trending papers in your email inbox!", "Subscribe", "Daily Papers",
            "byAK and the research community", "Jul 29"]


def load(real: Path) -> list[tuple[str, str]]:
    pairs = []
    for path in sorted(real.glob("*.json"))[1::2]:
        for record in json.loads(path.read_text(encoding="utf-8")):
            paper = record.get("paper", record)
            pairs.append((" ".join(paper["title"].split()), " ".join(paper["summary"].split())))
    return pairs


def shorten(abstract: str, rng: random.Random, marked: bool = True) -> str:
    if not marked:  # cut with no sign of it: a few words, no final period
        return " ".join(abstract.split()[: rng.randint(5, 19)]).rstrip(".,;:")
    sentences = _SENTENCES.split(abstract)
    kind = rng.choice(["first sentence", "two sentences", "first words"])
    if kind == "first sentence":
        return sentences[0]
    if kind == "two sentences":
        return " ".join(sentences[:2])
    return " ".join(abstract.split()[: rng.randint(4, 30)]) + rng.choice(["...", "…"])


def make_dump(pairs, rng: random.Random, defect: str):
    chosen = rng.sample(pairs, rng.randint(1, 12))
    n = len(chosen)
    layout = rng.choice("AB")
    dropped: set[int] = set()
    short: set[int] = set()
    orphans: set[int] = set()
    if defect == "missing abstracts" and n > 1:
        dropped = set(rng.sample(range(n), rng.randint(1, n - 1)))
    elif defect == "runs of missing abstracts" and n > 2:
        start = rng.randrange(0, n - 2)
        dropped = set(range(start, start + rng.randint(2, n - 1 - start)))
    elif defect == "short abstracts":
        short = set(rng.sample(range(n), rng.randint(1, n)))
    elif defect == "every abstract cut without a mark":  # how the page was saved
        short = set(range(n))
    elif defect == "orphan abstracts" and n > 1:
        orphans = set(rng.sample(range(n), rng.randint(1, min(3, n))))
    elif defect == "all of them" and n > 2:
        dropped = set(rng.sample(range(n), rng.randint(1, n // 2)))
        short = set(rng.sample(range(n), rng.randint(1, n)))
        orphans = {i for i in rng.sample(range(n), 1) if i not in dropped}
    lines = list(HEADER_A if layout == "A" else HEADER_B)
    kept, lost = [], []
    for i, (title, abstract) in enumerate(chosen):
        text = abstract if i not in short else shorten(
            abstract, rng, marked=defect != "every abstract cut without a mark")
        lines.append(("Subscribe" + title) if layout == "A" and i == 0 else title)
        title_line = len(lines)
        if i in dropped:
            lost.append(title_line)
        else:
            lines.append(text)
            kept.append((title_line, title, text))
        if i in orphans:
            lines.append(rng.choice(pairs)[1])
            lost.append(len(lines))
    if layout == "B":
        out = []
        for line in lines:
            out += [line, ""]
        kept = [(2 * k - 1, t, a) for k, t, a in kept]
        lost = [2 * k - 1 for k in lost]
        lines = out
    return "\n".join(lines).encode(), kept, sorted(lost)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dumps", type=int, default=300, help="dumps per kind of defect")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--real", type=Path, default=REAL)
    args = parser.parse_args()
    pairs = load(args.real)
    if not pairs:
        raise SystemExit(f"no real days in {args.real}")
    rng = random.Random(args.seed)
    print(f"{args.dumps} dumps per row, papers of {len(pairs)} held-out real records\n")
    print("| defect | dumps read right | entries written | entries misread "
          "| wrong entries kept unwarned |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for defect in ["none", "short abstracts", "every abstract cut without a mark",
                   "missing abstracts", "runs of missing abstracts",
                   "orphan abstracts", "all of them"]:
        right = written = misread = silent = 0
        for _ in range(args.dumps):
            data, kept, lost = make_dump(pairs, rng, defect)
            result = read_dump("bench.txt", data)
            got_kept = [(e.line, e.title, e.abstract) for e in result.entries]
            got_lost = sorted(p.line for p in result.problems if p.lost_entry)
            exact = got_kept == kept and got_lost == lost
            right += exact
            wrongly_kept = set(got_kept) - set(kept)
            silent += bool(wrongly_kept) and not any(
                p.severity == WARNING and not p.lost_entry for p in result.problems)
            written += len(kept) + len(lost)
            misread += len(set(got_kept) ^ set(kept)) + len(set(got_lost) ^ set(lost))
        print(f"| {defect} | {right}/{args.dumps} ({right / args.dumps:.1%}) | {written} | "
              f"{misread} | {silent} |")


if __name__ == "__main__":
    main()
