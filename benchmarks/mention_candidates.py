"""Candidate 'mentions' links on the real 2024 corpus: the universe the labelled set is drawn from.

    python -m benchmarks.mention_candidates                        # the pool, and label coverage
    python -m benchmarks.mention_candidates --sample FILE          # the sample, unlabelled

A candidate is (source paper, target paper): the target's title has a name (the part
before the first colon, 1-4 words, any case) and the source's abstract contains that name
*permissively*: ignoring case, accents and Greek spelling, with any punctuation or none
between the name's words (but 'Agent S' is not 'agents'), as a part of a longer hyphenated
or camel-case token ("UI-TARS-7B" for TARS, "claude-opus" for OPUS, "MambaVision" for
Mamba) and with a version suffix ("VBench++", "Qwen2", "SAM 2", "X v2"); never inside an
ordinary word ('every' is not EVER). The pool is deliberately wider than any sensible
matcher: it holds what the baseline matcher (`mentions_baseline.py`, the site's until
2026-12) finds and what a better one
should find. Every link today's matcher makes is added too, whether or not the permissive
match finds it.

The pool has four strata (`strata`): 'today' (links today's matcher makes), 'part' (the
name only inside a longer token or with a version), 'whole-rare' (the name as whole words,
at most `COMMON` such links for that name) and 'whole-common' (ordinary-word names such as
'code' or 'include', hundreds of links each). The sample (`sample`, fixed seed) takes every
link of the first three strata and `PER_COMMON_NAME` random links of each common name;
each link carries its stratum and weight (1 / its chance of being drawn). The labels live
in `benchmarks/data/mentions_labelled.tsv`, the rule in `benchmarks/mentions_labels.md`;
`bench_mentions.py` scores a matcher against them.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import random
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.textnorm import GREEK

from .real_corpus import REPO, load_papers

DATA = Path(__file__).resolve().parent / "data"
LABELLED = DATA / "mentions_labelled.tsv"
SEED = 20240527
MAX_NAME_WORDS = 4

COMMON = 10  # a name with more whole-word permissive-only links than this is sampled
PER_COMMON_NAME = 4  # links drawn for each such name

MentionsFn = Callable[[Sequence], tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]]


def links_by_arxiv(papers: Sequence, mentions_fn: MentionsFn) -> set[tuple[str, str]]:
    """The (source arXiv id, target arXiv id) pairs a mentions function links."""
    arxiv = {p.id: p.arxiv_id for p in papers}
    out, _back = mentions_fn(papers)
    return {(arxiv[s], arxiv[t]) for s, targets in out.items() for t in targets
            if arxiv.get(s) and arxiv.get(t)}


def today_mentions(papers: Sequence) -> tuple[dict, dict]:
    from .mentions_baseline import mentions

    return mentions(papers)


# ---- permissive names and matching ---------------------------------------------------------

_LATEXGREEK = re.compile(r"\{?\\(" + "|".join(sorted(set(GREEK.values()), key=len,
                                                      reverse=True)) + r")\b\}?")
_MARKS = re.compile("[\u0300-\u036f]")


def fold(text: str) -> str:
    """Accents off, Greek letters (Unicode or LaTeX) spelled out; case and punctuation kept,
    and one character out for one character in where nothing is spelled out."""
    text = _LATEXGREEK.sub(lambda m: "-" + m.group(1), text)
    text = "".join(GREEK.get(c.lower(), c) if "\u0370" <= c <= "\u03ff" else c for c in text)
    return _MARKS.sub("", unicodedata.normalize("NFKD", text))


def permissive_name(title: str) -> str | None:
    """The part of the title before the first colon, when it is 1-4 words with a letter."""
    if ":" not in title:
        return None
    name = title.split(":", 1)[0].strip()
    words = name.split()
    chunks = re.findall(r"[A-Za-z0-9]+", fold(name))
    if not words or len(words) > MAX_NAME_WORDS or sum(map(len, chunks)) < 2:
        return None
    return name


def name_pattern(name: str) -> tuple[re.Pattern[str], list[str]]:
    """The name's alphanumeric chunks, any case, joined by any punctuation or none; no
    letter or digit glued on the left (but a camel-case join), and on the right a version
    suffix or a camel-case join is fine, a lower-case letter (or a digit after a digit) not."""
    chunks = re.findall(r"[A-Za-z0-9]+", fold(name))
    body = re.escape(chunks[0])
    for prev, chunk in itertools.pairwise(chunks):
        # between two letters a separator or a camel-case join ('Agent S' is not 'agents')
        join = (r"(?:[\W_]+|(?-i:(?<=[a-z])(?=[A-Z])))" if prev[-1].isalpha()
                and chunk[0].isalpha() else r"[\W_]*")
        body += join + re.escape(chunk)
    ends_digit = chunks[-1][-1].isdigit()
    right = r"(?![0-9])" if ends_digit else ""
    return re.compile(r"(?<![A-Za-z0-9])(?:" + body + ")" + right, re.IGNORECASE), chunks


def loose_pattern(name: str) -> re.Pattern[str]:
    """`name_pattern` without its left boundary: `find_name` judges the glue itself."""
    pattern, _chunks = name_pattern(name)
    return re.compile(pattern.pattern.replace("(?<![A-Za-z0-9])", "", 1), re.IGNORECASE)


def find_name(name: str | re.Pattern[str], text: str, folded: bool = False
              ) -> tuple[str, int, int] | None:
    """('whole' or 'part', start, end) of the first permissive occurrence of the name in
    the folded text, a whole one first. 'part': glued to a longer token by a hyphen, an
    underscore or a camel-case join, or followed by a version ('X++', 'X2', 'X-2', 'X v2',
    'X 2')."""
    text = text if folded else fold(text)
    loose = loose_pattern(name) if isinstance(name, str) else name
    first_part = None
    for m in loose.finditer(text):
        start, end = m.span()
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        last = text[end - 1]
        if before.isalnum() and not (before.islower() and text[start].isupper()):
            continue  # inside a word ('every' for EVER), unless a camel-case join
        if after.isalpha() and not (after.isupper() and last.islower()):
            continue  # the word goes on ('moves' for MOVE), unless a camel-case join
        glued = (before.isalnum() or before in "-_" or after.isalnum()
                 or (after in "-_" and text[end + 1:end + 2].isalnum())
                 or (after == "." and text[end + 1:end + 2].isdigit()))
        if not glued and not _VERSION.match(text, end):
            return ("whole", start, end)
        if first_part is None:
            first_part = ("part", start, end)
    return first_part


_VERSION = re.compile(r"\+\+|\s?[vV]\d+(?:\.\d+)?\b|\s\d+(?:\.\d+)?\b(?!\s*(?:%|x\b))")


def sentence_at(text: str, start: int, end: int, limit: int = 320) -> str:
    """The sentence of `text` holding [start, end), cut to about `limit` characters."""
    left = max(text.rfind(". ", 0, start), text.rfind("? ", 0, start),
               text.rfind("! ", 0, start))
    left = 0 if left < 0 else left + 2
    right_candidates = [i for i in (text.find(". ", end), text.find("? ", end),
                                    text.find("! ", end)) if i >= 0]
    right = min(right_candidates) + 1 if right_candidates else len(text)
    if right - left > limit:
        half = limit // 2
        left2 = max(left, start - half)
        right2 = min(right, end + half)
        return (("…" if left2 > left else "") + text[left2:right2].strip()
                + ("…" if right2 < right else ""))
    return text[left:right].strip()


@dataclass(frozen=True)
class Candidate:
    source: str  # arXiv id of the paper whose abstract names the target
    target: str  # arXiv id of the named paper
    name: str  # the target's name (its title before the colon)
    found: str  # the text of the source abstract that matched
    kind: str  # "whole" or "part" (inside a longer token, or with a version)
    today: bool  # the baseline matcher (mentions_baseline.py) makes this link
    excerpt: str  # the sentence of the source abstract around the match

    @property
    def stratum(self) -> str:
        return "today" if self.today else self.kind


def candidate_pool(papers: Sequence, today: set[tuple[str, str]] | None = None
                   ) -> list[Candidate]:
    """Every permissive candidate, plus every link of today's matcher, sorted."""
    if today is None:
        today = links_by_arxiv(papers, today_mentions)
    by_arxiv = {p.arxiv_id: p for p in papers if p.arxiv_id}
    named = [(p, n) for p in by_arxiv.values() if (n := permissive_name(p.title))]
    # a cheap prefilter: the name's longest chunk, lower case, must be in the abstract
    lowered = {a: fold(p.abstract).lower() for a, p in by_arxiv.items()}
    pool: dict[tuple[str, str], Candidate] = {}
    folded = {a: fold(p.abstract) for a, p in by_arxiv.items()}
    for target, name in named:
        _pattern, chunks = name_pattern(name)
        probe = max(chunks, key=len).lower()
        loose = loose_pattern(name)
        for source in by_arxiv.values():
            if source.arxiv_id == target.arxiv_id or probe not in lowered[source.arxiv_id]:
                continue
            text = folded[source.arxiv_id]
            hit = find_name(loose, text, folded=True)
            if hit is None:
                continue
            kind, start, end = hit
            key = (source.arxiv_id, target.arxiv_id)
            pool[key] = Candidate(source.arxiv_id, target.arxiv_id, name, text[start:end], kind,
                                  key in today, sentence_at(text, start, end))
    from generator.textnorm import match_key

    from .mentions_baseline import paper_name

    for source_id, target_id in today - pool.keys():
        source, target = by_arxiv[source_id], by_arxiv[target_id]
        name = paper_name(target.title) or target.title.split(":", 1)[0]
        key = match_key(name)
        text = source.abstract
        # find the words of the source whose match key is the name's
        words = list(re.finditer(r"\S+", text))
        found, excerpt = name, text[:320]
        for i in range(len(words)):
            for n in range(1, 6):
                span = words[i:i + n]
                if span and match_key(" ".join(w.group() for w in span)) == key:
                    found = text[span[0].start():span[-1].end()]
                    excerpt = sentence_at(text, span[0].start(), span[-1].end())
                    break
            else:
                continue
            break
        pool[(source_id, target_id)] = Candidate(source_id, target_id, name, found, "whole",
                                                 True, excerpt)
    return sorted(pool.values(), key=lambda c: (c.source, c.target))


# ---- the sample --------------------------------------------------------------------------


def split_of(source: str) -> str:
    """'dev' or 'test', by a fixed hash of the source arXiv id."""
    return "dev" if hashlib.sha256(source.encode()).digest()[0] % 2 == 0 else "test"


def strata(pool: Sequence[Candidate]) -> dict[tuple[str, str], str]:
    """The stratum of every candidate: 'today' (today's matcher links it), 'part' (only
    inside a longer token or with a version), 'whole-rare' (whole words, a name with at most
    `COMMON` such links) and 'whole-common' (a name with more: ordinary words like 'code')."""
    per_name = Counter(c.target for c in pool if c.stratum == "whole")
    return {(c.source, c.target): (c.stratum if c.stratum != "whole" else
                                   "whole-common" if per_name[c.target] > COMMON else
                                   "whole-rare") for c in pool}


def sample(pool: Sequence[Candidate], seed: int = SEED) -> list[tuple[Candidate, str, float]]:
    """Every candidate of the strata 'today', 'part' and 'whole-rare', and `PER_COMMON_NAME`
    links drawn at random (fixed seed) for each name of 'whole-common'; with each link's
    stratum and weight (1 / its chance of being drawn)."""
    rng = random.Random(seed)
    kinds = strata(pool)
    chosen: list[tuple[Candidate, str, float]] = []
    common: dict[str, list[Candidate]] = defaultdict(list)
    for c in sorted(pool, key=lambda c: (c.source, c.target)):
        stratum = kinds[(c.source, c.target)]
        if stratum == "whole-common":
            common[c.target].append(c)
        else:
            chosen.append((c, stratum, 1.0))
    for target in sorted(common):
        members = common[target]
        picked = rng.sample(members, min(PER_COMMON_NAME, len(members)))
        chosen.extend((c, "whole-common", len(members) / len(picked)) for c in picked)
    order = {"today": 0, "part": 1, "whole-rare": 2, "whole-common": 3}
    return sorted(chosen, key=lambda cw: (order[cw[1]], cw[0].source, cw[0].target))


COLUMNS = ("split", "stratum", "weight", "source", "target", "name", "found", "label", "class",
           "reason", "excerpt")


def write_sample(path: Path, chosen: Sequence[tuple[Candidate, str, float]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        f.write("\t".join(COLUMNS) + "\n")
        for c, stratum, weight in chosen:
            row = (split_of(c.source), stratum, f"{weight:.3f}", c.source, c.target, c.name,
                   c.found, "", "", "", c.excerpt)
            f.write("\t".join(" ".join(v.split()) for v in row) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=Path, metavar="FILE",
                        help="write the stratified sample, unlabelled, to FILE")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    papers = load_papers()
    pool = candidate_pool(papers)
    kinds = strata(pool)
    counts = Counter(kinds.values())
    names = Counter(c.name for c in pool)
    print(f"{len(papers)} papers, {sum(1 for p in papers if permissive_name(p.title))} with a "
          f"name; {len(pool)} candidate links: " + ", ".join(f"{k} {v}" for k, v in
                                                           sorted(counts.items())))
    print("most frequent names:", ", ".join(f"{n} ({k})" for n, k in names.most_common(20)))
    chosen = sample(pool, args.seed)
    if LABELLED.exists():
        with LABELLED.open(encoding="utf-8") as f:
            rows = [line.split("\t") for line in list(f)[1:]]
        # links a later matcher made outside the pool, labelled by hand ('added')
        labelled = {tuple(r[3:5]) for r in rows if r[1] != "added"}
        drawn = {(c.source, c.target) for c, _s, _w in chosen}
        missing = Counter(kinds[key] for key in drawn - labelled)
        stale = len(labelled - drawn)
        print(f"{LABELLED.relative_to(REPO)}: {len(labelled)} labelled links; sample links "
              f"not labelled: {sum(missing.values())}"
              + (f" ({', '.join(f'{k} {v}' for k, v in sorted(missing.items()))})"
                 if missing else "")
              + f"; labelled links no longer drawn: {stale}")
    if args.sample:
        if args.sample.resolve() == LABELLED.resolve():
            raise SystemExit(f"{args.sample}: refusing to overwrite the labels")
        write_sample(args.sample, chosen)
        print(f"wrote {len(chosen)} links to {args.sample}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
