"""Group entries that are the same paper.

Rules, strongest first:

1. curated merges (`curation/duplicates.yml`);
2. the same arXiv id;
3. the same normalised title, unless the abstracts disagree;
4. similar titles (rapidfuzz) whose abstracts agree, or near-identical abstracts with
   related titles.

Two entries with different arXiv ids, or on both sides of a curated "different" rule,
are never put together. Fuzzy candidates come from blocking (rare title tokens,
abstract openings, sorted title neighbours), never from all pairs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from . import background
from .model import Entry
from .textnorm import abstract_key, is_truncated, match_key

TITLE_SIMILAR = 88.0  # ratio or token-sort ratio of title keys
TITLE_SIMILAR_NO_ABSTRACT = 95.0  # when one side has no abstract to compare
TITLE_RELATED = 60.0  # titles that may differ more when the abstracts are the same
ABSTRACT_AGREE = 90.0
ABSTRACT_SAME = 97.0
MAX_BLOCK = 60  # a blocking key shared by more representatives is too common to use
NEIGHBOURS = 3  # sorted-neighbourhood window on title keys
# Work per entry is bounded whatever a dump holds: keys are compared on their first
# characters only (arXiv caps abstracts at 1,920 characters, titles are far shorter), and
# an entry is compared with at most this many earlier papers of the same title, and with
# at most BLOCK_WINDOW neighbours (by title) in each block it shares with others.
ABSTRACT_KEY_CHARS = 2500
TITLE_KEY_CHARS = 500
SAME_TITLE_COMPARISONS = 8
BLOCK_WINDOW = 10


@dataclass(frozen=True)
class Link:
    a: int
    b: int
    reason: str  # "curation", "arxiv-id", "same-title", "similar-title", "same-abstract"
    title_score: float
    abstract_score: float | None


@dataclass(frozen=True)
class Cluster:
    members: tuple[int, ...]  # indices into the entry list, ascending
    links: tuple[Link, ...]


@dataclass(frozen=True)
class Constraints:
    """Curated decisions, as entry indices."""

    same: tuple[tuple[int, ...], ...] = ()
    apart: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...] = ()


class _Groups:
    """Union-find that refuses unions across different arXiv ids or curated 'apart' sides."""

    def __init__(self, entries: Sequence[Entry], constraints: Constraints):
        n = len(entries)
        self.parent = list(range(n))
        self.arxiv: list[str | None] = [e.arxiv_id for e in entries]
        self.sides: list[frozenset[tuple[int, int]]] = [frozenset()] * n
        for k, (left, right) in enumerate(constraints.apart):
            for i in left:
                self.sides[i] = self.sides[i] | {(k, 0)}
            for i in right:
                self.sides[i] = self.sides[i] | {(k, 1)}
        self.links: list[Link] = []

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def allowed(self, ra: int, rb: int) -> bool:
        xa, xb = self.arxiv[ra], self.arxiv[rb]
        if xa and xb and xa != xb:
            return False
        return not any((k, 1 - s) in self.sides[rb] for k, s in self.sides[ra])

    def union(self, link: Link, force: bool = False) -> bool:
        ra, rb = self.find(link.a), self.find(link.b)
        if ra == rb or not (force or self.allowed(ra, rb)):
            return False
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.arxiv[ra] = self.arxiv[ra] or self.arxiv[rb]
        self.sides[ra] = self.sides[ra] | self.sides[rb]
        self.links.append(link)
        return True


def abstract_score(a_key: str, a_trunc: bool, b_key: str, b_trunc: bool,
                   cutoff: float = 0.0) -> float | None:
    """How much two abstracts agree (0-100), comparing only the shared opening when one
    was truncated; None when either is missing. Below `cutoff` the score is 0 (and much
    cheaper to compute)."""
    if not a_key or not b_key:
        return None
    if a_trunc or b_trunc:
        n = min(len(a_key), len(b_key)) if a_trunc and b_trunc else len(a_key if a_trunc
                                                                          else b_key)
        a_key, b_key = a_key[:n], b_key[:n]
    return fuzz.ratio(a_key, b_key, score_cutoff=cutoff)


def title_score(a: str, b: str) -> float:
    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))


def normal_keys(entries: Sequence[Entry]) -> list[tuple[str, str]]:
    """Each entry's title and abstract keys (`match_key`, `abstract_key`), which
    deduplication and the ledger's keys (`ids.paper_keys`) both use."""
    return [(match_key(e.title), abstract_key(e.abstract)) for e in entries]


def deduplicate(entries: Sequence[Entry], constraints: Constraints = Constraints(),
                keys: Sequence[tuple[str, str]] | None = None) -> tuple[Cluster, ...]:
    """`keys`: `normal_keys(entries)`, when the caller has them."""
    n = len(entries)
    keys = normal_keys(entries) if keys is None else keys
    tkeys = [t[:TITLE_KEY_CHARS] for t, _ in keys]
    akeys = [a[:ABSTRACT_KEY_CHARS] for _, a in keys]
    truncs = [is_truncated(e.abstract) for e in entries]
    groups = _Groups(entries, constraints)

    def agree(i: int, j: int, cutoff: float = 0.0) -> float | None:
        return abstract_score(akeys[i], truncs[i], akeys[j], truncs[j], cutoff)

    # 1. curated merges
    for members in constraints.same:
        for other in members[1:]:
            groups.union(Link(members[0], other, "curation", 100.0, None), force=True)

    # 2. arXiv ids
    first_with_id: dict[str, int] = {}
    for i, e in enumerate(entries):
        if e.arxiv_id:
            j = first_with_id.setdefault(e.arxiv_id, i)
            if j != i:
                groups.union(Link(j, i, "arxiv-id", title_score(tkeys[j], tkeys[i]), agree(j, i)))

    # 3. equal title keys whose abstracts agree; representatives for the fuzzy stage
    by_title: dict[str, list[int]] = defaultdict(list)
    for i in range(n):
        by_title[tkeys[i]].append(i)
    reps: list[int] = []
    for members in by_title.values():
        local: list[int] = []
        for i in members:
            for r in local[:SAME_TITLE_COMPARISONS]:
                score = agree(r, i, ABSTRACT_AGREE)
                if score is None or score >= ABSTRACT_AGREE:
                    groups.union(Link(r, i, "same-title", 100.0, score))
                    break
            else:
                local.append(i)
        reps.extend(local)
    reps.sort()

    # 4. fuzzy candidates from blocking, scored (from SHARED_PAIRS of them, the second
    # half on another core), accepted best first
    pairs = sorted(_candidates(reps, tkeys, akeys))
    half = len(pairs) // 2 if len(pairs) >= SHARED_PAIRS else len(pairs)
    accepted = background.in_two(_links, pairs, half, tkeys, akeys, truncs)
    accepted.sort(key=lambda t: t[:3])
    for _, _, _, link in accepted:
        groups.union(link)

    members_of: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        members_of[groups.find(i)].append(i)
    links_of: dict[int, list[Link]] = defaultdict(list)
    for link in groups.links:
        links_of[groups.find(link.a)].append(link)
    return tuple(Cluster(tuple(m), tuple(links_of[root]))
                 for root, m in sorted(members_of.items()))


SHARED_PAIRS = 20_000  # from this many candidate pairs, half are scored on another core


def _links(pairs: Sequence[tuple[int, int]], tkeys: Sequence[str], akeys: Sequence[str],
           truncs: Sequence[bool]) -> list[tuple[float, int, int, Link]]:
    """The candidate pairs that make a link, each with its sort key (best first)."""
    out = []
    for i, j in pairs:
        ts = title_score(tkeys[i], tkeys[j])
        if ts < TITLE_RELATED:
            continue
        ab = abstract_score(akeys[i], truncs[i], akeys[j], truncs[j],
                            ABSTRACT_AGREE if ts >= TITLE_SIMILAR else ABSTRACT_SAME)
        if ts >= TITLE_SIMILAR and ((ab is None and ts >= TITLE_SIMILAR_NO_ABSTRACT)
                                    or (ab is not None and ab >= ABSTRACT_AGREE)):
            link = Link(i, j, "similar-title", ts, ab)
        elif ab is not None and ab >= ABSTRACT_SAME and not (truncs[i] or truncs[j]):
            link = Link(i, j, "same-abstract", ts, ab)
        else:
            continue
        out.append((-(ts + (ab or 0.0)), i, j, link))
    return out


def _candidates(reps: list[int], tkeys: list[str], akeys: list[str]) -> set[tuple[int, int]]:
    df: dict[str, int] = defaultdict(int)
    rep_tokens = {}
    for i in reps:
        tokens = set(tkeys[i].split())
        rep_tokens[i] = tokens
        for t in tokens:
            df[t] += 1
    rank = {t: (n, t) for t, n in df.items()}
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i in reps:
        rare = sorted(rep_tokens[i], key=rank.__getitem__)[:3]
        for t in rare:
            blocks[("t", t)].append(i)
        words = akeys[i].split(maxsplit=12)  # the first 12 words (and the rest)
        if len(words) >= 6:
            blocks[("a", " ".join(words[:6]))].append(i)
            blocks[("b", " ".join(words[6:12]))].append(i)
    pairs: set[tuple[int, int]] = set()
    for block in blocks.values():
        if 1 < len(block) <= MAX_BLOCK:
            ordered = sorted(block, key=lambda i: (tkeys[i], i))
            for x, a in enumerate(ordered):
                for b in ordered[x + 1 : x + 1 + BLOCK_WINDOW]:
                    pairs.add((a, b) if a < b else (b, a))
    by_title = sorted(reps, key=lambda i: (tkeys[i], i))
    for x, a in enumerate(by_title):
        for b in by_title[x + 1 : x + 1 + NEIGHBOURS]:
            pairs.add((a, b) if a < b else (b, a))
    return pairs
