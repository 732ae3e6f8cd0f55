"""The mentions matcher as it was before it was measured (until 2026-12): the baseline row
of `bench_mentions.py`, and what built the `today` stratum of the labelled candidate
pool (`mention_candidates.py`). Not used by the site.

    python -m benchmarks.bench_mentions --mentions benchmarks.mentions_baseline:mentions
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from generator.mentions import title_head
from generator.model import Paper
from generator.textnorm import match_key

COMMON_NAME_SHARE = 0.01  # a name found in more abstracts than this share is generic


_NAME_CHARS = re.compile(r"[A-Z0-9\-\u0370-\u03ff]")


def paper_name(title: str) -> str | None:
    """'PIXART-δ: Fast and ...' -> 'PIXART-δ'; None when the title has no name."""
    head = title_head(title)
    if head is None:
        return None
    name, words = head
    # a name, not a phrase: something beyond a capital first letter marks it
    if not any(_NAME_CHARS.search(w[1:]) for w in words):
        return None
    key = match_key(name).replace(" ", "")
    # short acronyms ("RMT", "CAT") name many unrelated things; digits or Greek help
    distinctive = len(key) >= 4 or re.search(r"[0-9\u0370-\u03ff]", name) is not None
    return name if len(key) >= 2 and distinctive else None


def mentions(papers: Sequence[Paper]) -> tuple[dict[str, tuple[str, ...]],
                                                dict[str, tuple[str, ...]]]:
    by_key: dict[str, list[str]] = {}
    for p in papers:
        name = paper_name(p.title)
        if name:
            by_key.setdefault(match_key(name), []).append(p.id)
    names = {key: ids[0] for key, ids in by_key.items() if len(ids) == 1}
    lengths = sorted({len(key.split()) for key in names})
    found: dict[str, set[str]] = {}
    seen_in: dict[str, int] = {}
    for p in papers:
        words = match_key(p.abstract).split()
        keys = {gram for n in lengths for i in range(len(words) - n + 1)
                if (gram := " ".join(words[i : i + n])) in names}
        for key in keys:
            seen_in[key] = seen_in.get(key, 0) + 1
        found[p.id] = keys
    limit = max(3, int(COMMON_NAME_SHARE * len(papers)))
    out: dict[str, tuple[str, ...]] = {}
    back: dict[str, set[str]] = {p.id: set() for p in papers}
    for p in papers:
        targets = sorted({names[k] for k in found[p.id] if seen_in[k] <= limit} - {p.id})
        out[p.id] = tuple(targets)
        for t in targets:
            back[t].add(p.id)
    return out, {k: tuple(sorted(v)) for k, v in back.items()}
