"""Fit and measure the title/abstract line model of the text reader (`line_kind.py`).

    python -m benchmarks.fit_line_kind [--real DIR]

Reads the real Daily Papers days (`../shared/real/api-2024/` beside the checkout), fits a
logistic regression over `line_features` on the even days and measures it on the odd ones
(never on what it was fitted on). Abstracts are also cut the ways a saved page can show
them short: the first sentence, the first two, the first 4-40 words ending with "...", "…"
or "." (a page that cuts an abstract marks the cut). Prints the fitted weights (paste them
into `line_kind.py`) and, for the shipped weights and the fresh fit, the share of held-out
lines read right.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from generator.readers.line_kind import INTERCEPT, WEIGHTS, abstract_probability, line_features

REPO = Path(__file__).resolve().parents[1]
REAL = REPO.parent / "shared" / "real" / "api-2024"
_SENTENCES = re.compile(r"(?<=[.!])\s+(?=[A-Z])")


def load(files: list[Path]) -> tuple[list[str], list[str]]:
    titles, abstracts = [], []
    for path in files:
        for record in json.loads(path.read_text(encoding="utf-8")):
            paper = record.get("paper", record)
            titles.append(" ".join(paper["title"].split()))
            abstracts.append(" ".join(paper["summary"].split()))
    return titles, abstracts


def cuts(abstract: str, rng: random.Random) -> dict[str, str]:
    """The abstract as a page may show it: whole, or cut short."""
    sentences = _SENTENCES.split(abstract)
    words = abstract.split()
    k = rng.randint(4, 40)
    return {"whole": abstract, "first sentence": sentences[0],
            "two sentences": " ".join(sentences[:2]),
            "first words": " ".join(words[:k]) + rng.choice(["...", "…", "."])}


def lines(titles: list[str], abstracts: list[str], seed: int
          ) -> list[tuple[str, str, int]]:
    rng = random.Random(seed)
    out = [("title", t, 0) for t in titles]
    for a in abstracts:
        out += [(kind, text, 1) for kind, text in cuts(a, rng).items()]
    return out


def accuracy_table(rows: list[tuple[str, str, int]], predict) -> dict[str, tuple[int, int]]:
    table: dict[str, list[int]] = {}
    for kind, text, label in rows:
        right = (predict(text) >= 0.5) == bool(label)
        table.setdefault(kind, [0, 0])[0] += right
        table[kind][1] += 1
    return {k: (v[0], v[1]) for k, v in table.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path, default=REAL)
    args = parser.parse_args()
    files = sorted(args.real.glob("*.json"))
    if not files:
        raise SystemExit(f"no real days in {args.real}")
    train = lines(*load(files[0::2]), seed=1)
    held_out = lines(*load(files[1::2]), seed=2)
    names = list(WEIGHTS)

    def matrix(rows):
        return np.array([[line_features(t)[n] for n in names] for _, t, _ in rows
                         if abstract_probability(t) < 1.0])

    def labels(rows):
        return np.array([y for _, t, y in rows if abstract_probability(t) < 1.0])

    model = LogisticRegression(C=100.0, max_iter=20000, class_weight="balanced")
    model.fit(matrix(train), labels(train))
    fitted = dict(zip(names, (round(float(w), 2) for w in model.coef_[0]), strict=True))
    intercept = round(float(model.intercept_[0]), 2)
    print(f"fitted on {len(files[0::2])} days ({len(train)} lines), "
          f"measured on the other {len(files[1::2])} days ({len(held_out)} lines)\n")
    print("WEIGHTS = {")
    for name, w in fitted.items():
        print(f'    "{name}": {w},')
    print(f"}}\nINTERCEPT = {intercept}\n")

    def fresh(text: str) -> float:
        if abstract_probability(text) >= 1.0:
            return 1.0
        x = np.array([[line_features(text)[n] for n in names]])
        return float(model.predict_proba(x)[0, 1])

    shipped = accuracy_table(held_out, abstract_probability)
    refit = accuracy_table(held_out, fresh)
    print("| held-out lines | count | shipped weights | fresh fit |")
    print("| --- | ---: | ---: | ---: |")
    for kind in shipped:
        right, total = shipped[kind]
        print(f"| {kind} | {total} | {right / total:.3f} | {refit[kind][0] / total:.3f} |")
    changed = {k for k in WEIGHTS if WEIGHTS[k] != fitted[k]} or intercept != INTERCEPT
    print("\nshipped weights", "differ from this fit" if changed else "are this fit")


if __name__ == "__main__":
    main()
