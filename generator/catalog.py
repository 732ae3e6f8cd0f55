"""Deduplicated entries to papers: canonical text, provenance, permanent ids."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from . import background
from .dedupe import Cluster, Constraints, deduplicate, normal_keys
from .digests import build_digests, digest_records
from .ids import assign_ids
from .model import Catalog, Entry, Ledger, Paper, Problem, ReadResult, Source
from .readers import DUPLICATE
from .textnorm import is_truncated

SHARED_KEYS = 4000  # from this many entries, half the keys are made on another core


def ordered_entries(results: Sequence[ReadResult]) -> list[Entry]:
    """Every kept entry, dumps in their order, then by line."""
    ordered = sorted(results, key=lambda r: (r.dump.order_key, r.dump.name))
    return [e for r in ordered for e in sorted(r.entries, key=lambda e: e.line)]


def _canonical_title(entries: Sequence[Entry]) -> str:
    structured = [e.title for e in entries if e.arxiv_id]
    if structured:
        return structured[0]
    # Counter keeps first-seen order and max() keeps the first of equal counts
    counts = Counter(e.title for e in entries)
    return max(counts, key=counts.__getitem__)


def _canonical_abstract(entries: Sequence[Entry]) -> str:
    candidates = [e for e in entries if e.abstract]
    if not candidates:
        return ""
    counts = Counter(e.abstract for e in candidates)
    return max(candidates, key=lambda e: (not is_truncated(e.abstract), bool(e.arxiv_id),
                                          counts[e.abstract], len(e.abstract))).abstract


def build_catalog(results: Sequence[ReadResult], constraints: Constraints = Constraints(),
                  entries: Sequence[Entry] | None = None, ledger: Ledger = Ledger()) -> Catalog:
    """`ledger`: the ids published so far (never given to another paper); the catalog's
    ledger has this build's ids added."""
    entries = list(entries) if entries is not None else ordered_entries(results)
    # the second half's keys on another core
    half = len(entries) // 2 if len(entries) >= SHARED_KEYS else len(entries)
    normal = background.in_two(normal_keys, entries, half)
    clusters: tuple[Cluster, ...] = deduplicate(entries, constraints, normal)
    # members are ascending indices into `entries`, which is in dump order: the first
    # member is the earliest entry, and sorting clusters by it gives first-seen order.
    clusters = tuple(sorted(clusters, key=lambda c: c.members[0]))
    ids, ledger = assign_ids([[entries[i] for i in c.members] for c in clusters], ledger,
                             [[normal[i] for i in c.members] for c in clusters])
    papers = []
    for cluster, pid in zip(clusters, ids, strict=True):
        members = [entries[i] for i in cluster.members]
        how: dict[int, str] = {}
        for link in cluster.links:
            for i in (link.a, link.b):
                how.setdefault(i, link.reason)
        how[cluster.members[0]] = "first"
        title = _canonical_title(members)
        variants = tuple(dict.fromkeys(e.title for e in members if e.title != title))
        authors = next((e.authors for e in members if e.authors), ())
        keywords = next((e.keywords for e in members if e.keywords), ())
        arxiv = next((e.arxiv_id for e in members if e.arxiv_id), None)
        papers.append(Paper(
            id=pid.id, title=title, abstract=_canonical_abstract(members), arxiv_id=arxiv,
            authors=authors, title_variants=variants,
            sources=tuple(Source(e.dump, e.line, e.title, how.get(i, "same-title"))
                          for i, e in zip(cluster.members, members, strict=True)),
            first_seen=members[0].dump, last_seen=members[-1].dump, aliases=pid.aliases,
            upvotes=max((e.upvotes for e in members if e.upvotes is not None), default=None),
            published=next((e.published for e in members if e.published), None),
            keywords=keywords,
        ))
    problems: list[Problem] = [p for r in results for p in r.problems]
    dumps = tuple(sorted((r.dump for r in results if r.dump.format != DUPLICATE),
                         key=lambda d: (d.order_key, d.name)))
    papers = sorted(papers, key=lambda p: p.id)
    digests = build_digests(dumps, papers, ledger)
    return Catalog(
        dumps=dumps,
        papers=tuple(papers),
        problems=tuple(sorted(problems, key=lambda p: (p.path, p.line, p.message))),
        ledger=ledger.add(digest_records(digests)),
        digests=digests,
    )
