"""Cross-links between papers, precomputed at build time.

* related papers: the nearest neighbours by TF-IDF cosine similarity of title and
  abstract (scikit-learn), computed in blocks so memory stays bounded at 50k papers;
* mentions: another indexed paper whose *name* an abstract uses. A paper's name is the
  part of its title before the colon when it looks like a name ("PIXART-δ", "MoEUT",
  "Quamba2": capitals inside, digits, Greek letters or hyphens), and is not so common
  in abstracts that it is a generic word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .model import Paper
from .textnorm import match_key

RELATED = 5
MIN_SIMILARITY = 0.05
BLOCK = 512
MAX_NAME_WORDS = 4
COMMON_NAME_SHARE = 0.01  # a name found in more abstracts than this share is generic


@dataclass(frozen=True)
class Links:
    related: dict[str, tuple[tuple[str, float], ...]]  # id -> ((id, similarity), ...)
    mentions: dict[str, tuple[str, ...]]  # id -> ids its abstract names
    mentioned_by: dict[str, tuple[str, ...]]


def related_papers(papers: Sequence[Paper], k: int = RELATED
                   ) -> dict[str, tuple[tuple[str, float], ...]]:
    if len(papers) < 2:
        return {p.id: () for p in papers}
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [f"{p.title} {p.title} {p.abstract}" for p in papers]
    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=1,
                                 max_df=0.5 if len(papers) > 20 else 1.0, dtype=np.float32)
    matrix = vectorizer.fit_transform(texts)
    transposed = matrix.T.tocsr()
    ids = [p.id for p in papers]
    result: dict[str, tuple[tuple[str, float], ...]] = {}
    for start in range(0, len(papers), BLOCK):
        block = (matrix[start : start + BLOCK] @ transposed).toarray()
        for row in range(block.shape[0]):
            i = start + row
            scores = block[row]
            scores[i] = -1.0
            top = min(k, len(papers) - 1)
            candidates = np.argpartition(-scores, top - 1)[:top] if top else []
            # stable order: best first, ties by id
            chosen = sorted(candidates, key=lambda j: (-round(float(scores[j]), 6), ids[j]))
            result[ids[i]] = tuple((ids[j], round(float(scores[j]), 4)) for j in chosen
                                   if scores[j] >= MIN_SIMILARITY)
    return result


_NAME_CHARS = re.compile(r"[A-Z0-9\-\u0370-\u03ff]")


def paper_name(title: str) -> str | None:
    """'PIXART-δ: Fast and ...' -> 'PIXART-δ'; None when the title has no name."""
    if ":" not in title:
        return None
    name = title.split(":", 1)[0].strip()
    words = name.split()
    if not name or len(words) > MAX_NAME_WORDS:
        return None
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


def link(papers: Sequence[Paper]) -> Links:
    mentioned, mentioned_by = mentions(papers)
    return Links(related_papers(papers), mentioned, mentioned_by)
