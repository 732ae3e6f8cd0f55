"""Permanent, readable paper ids and the old ids that redirect to them.

A paper's id is the slug of the title of its *earliest* entry (dumps in their order,
then line). Adding later dumps, title variants or merges never changes it; an id that
a paper stops owning (two papers merged, or an earlier dump backfilled) stays as an
alias, because every title slug of every entry of a paper is one of its aliases, and so
is its arXiv id. When two different papers share a slug, the one seen first keeps it
and the other gets the slug plus a short hash of its earliest entry's text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from .model import Entry
from .textnorm import abstract_key, match_key, slugify


@dataclass(frozen=True)
class PaperIds:
    id: str
    aliases: tuple[str, ...]


def entry_hash(entry: Entry) -> str:
    text = match_key(entry.title) + "\n" + abstract_key(entry.abstract)[:300]
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:6]


def _slug(entry: Entry) -> str:
    return slugify(entry.title) or f"paper-{entry_hash(entry)}"


def assign_ids(papers: Sequence[Sequence[Entry]]) -> list[PaperIds]:
    """`papers`: each paper's entries, earliest first, the papers themselves in the order
    they were first seen. Returns ids in the same order."""
    claimants: dict[str, set[int]] = {}
    for k, entries in enumerate(papers):
        for e in entries:
            claimants.setdefault(_slug(e), set()).add(k)
    ids: list[str] = []
    taken: set[str] = set()
    for entries in papers:
        first = entries[0]
        candidate = _slug(first)
        if candidate in taken:
            candidate = f"{_slug(first)}-{entry_hash(first)}"
            extra = 0
            while candidate in taken:
                extra += 1
                candidate = f"{_slug(first)}-{entry_hash(first)}-{extra}"
        ids.append(candidate)
        taken.add(candidate)
    result = []
    for k, entries in enumerate(papers):
        aliases: list[str] = []
        for e in entries:
            slug = _slug(e)
            wanted = [slug]
            if len(claimants.get(slug, ())) > 1:
                wanted.append(f"{slug}-{entry_hash(e)}")
            if e.arxiv_id:
                wanted.append(e.arxiv_id)
            for alias in wanted:
                if alias not in taken:
                    taken.add(alias)
                    aliases.append(alias)
        result.append(PaperIds(ids[k], tuple(sorted(aliases))))
    return result
