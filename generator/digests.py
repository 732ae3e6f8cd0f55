"""What each dump brought: the papers first seen in it, and those seen before.

Pure functions over the catalog; the render stage turns them into digest pages, the
archive, feeds and trend charts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .model import Catalog, Dump, Paper

_SLUG = re.compile(r"[^a-z0-9]+")
# `digests/index.md` is the archive page itself
RESERVED_SLUGS = frozenset({"index"})


@dataclass(frozen=True)
class Digest:
    dump: Dump
    slug: str
    new: tuple[str, ...]  # ids first seen in this dump, in the dump's order
    seen_before: tuple[tuple[str, str], ...]  # (id, name of the dump it was first seen in)

    @property
    def url(self) -> str:
        return f"digests/{self.slug}/"

    @property
    def size(self) -> int:
        return len(self.new) + len(self.seen_before)


def dump_slug(name: str) -> str:
    """'2025-03-17_daily.json' -> '2025-03-17-daily'; stable for a file name."""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    slug = _SLUG.sub("-", stem.lower()).strip("-") or "dump"
    return f"{slug}-dump" if slug in RESERVED_SLUGS else slug


def build_digests(catalog: Catalog) -> tuple[Digest, ...]:
    """One digest per dump, in dump order (oldest first)."""
    in_dump: dict[str, list[tuple[int, Paper]]] = {d.name: [] for d in catalog.dumps}
    for paper in catalog.papers:
        for name, line in sorted({(s.dump, min(t.line for t in paper.sources
                                                   if t.dump == s.dump))
                                  for s in paper.sources}):
            in_dump[name].append((line, paper))
    slugs: dict[str, str] = {}
    digests = []
    for dump in catalog.dumps:
        slug = dump_slug(dump.name)
        while slug in slugs.values():  # two files differing only in punctuation
            slug += "-x"
        slugs[dump.name] = slug
        papers = [p for _, p in sorted(in_dump[dump.name], key=lambda t: (t[0], t[1].id))]
        digests.append(Digest(
            dump, slug,
            new=tuple(p.id for p in papers if p.first_seen == dump.name),
            seen_before=tuple((p.id, p.first_seen) for p in papers
                              if p.first_seen != dump.name)))
    return tuple(digests)


def topic_counts_by_digest(digests: Sequence[Digest], papers: dict[str, Paper],
                           topic_ids: Sequence[str]) -> dict[str, list[int]]:
    """For each topic, how many papers each digest brought first (oldest digest first)."""
    counts = {t: [0] * len(digests) for t in topic_ids}
    for k, digest in enumerate(digests):
        for pid in digest.new:
            for t in papers[pid].topics:
                if t in counts:
                    counts[t][k] += 1
    return counts
