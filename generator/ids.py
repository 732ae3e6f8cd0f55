"""Permanent, readable paper ids and the old ids that redirect to them.

A new paper's id is the slug of the title of its *earliest* entry (dumps in their order,
then line); when two papers share a slug, the one seen first keeps it and the other gets
the slug plus a short hash of its earliest entry's text. Every title slug of every entry
of a paper, and its arXiv id, are its aliases (redirects).

Published ids are remembered in the ledger (`ledger.py`): an id recorded for a paper is
never given to another one, whatever dumps are added later (a back-dated dump that
reuses a title gets a new id), and a paper keeps the id it was first published under;
ids it gained later (a merge) redirect to it. Ids that collide with the site's own
paths are never used.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .model import Entry, Ledger, Record
from .textnorm import abstract_key, match_key, slugify

# `papers/index.md` would be the folder's index page, not a paper
RESERVED_IDS = frozenset({"index"})
TITLE_IN_LEDGER = 200  # characters of the title a ledger line keeps, for reviewers


@dataclass(frozen=True)
class PaperIds:
    id: str
    aliases: tuple[str, ...]


def entry_hash(entry: Entry) -> str:
    text = match_key(entry.title) + "\n" + abstract_key(entry.abstract)[:300]
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:6]


def entry_key(entry: Entry, normal: tuple[str, str] | None = None) -> str:
    """The ledger's name for a paper with no arXiv id: a hash of one entry's text.
    `normal`: the entry's (`match_key` of its title, `abstract_key` of its abstract)."""
    title, abstract = normal or (match_key(entry.title), abstract_key(entry.abstract))
    text = title + "\n" + abstract
    return "entry:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def paper_keys(entries: Sequence[Entry], normal: Sequence[tuple[str, str]] | None = None
               ) -> list[str]:
    """Every ledger key that names this paper: its arXiv ids, then each entry's hash.
    `normal`: each entry's keys (`entry_key`)."""
    arxiv = [f"arxiv:{e.arxiv_id}" for e in entries if e.arxiv_id]
    hashes = [entry_key(e, normal[k] if normal is not None else None)
              for k, e in enumerate(entries)]
    return list(dict.fromkeys([*arxiv, *hashes]))


def _slugs() -> Callable[[Entry], str]:
    """An entry's natural id: its title's slug (each title slugified once), else a hash."""
    known: dict[str, str] = {}

    def slug(entry: Entry) -> str:
        found = known.get(entry.title)
        if found is None:
            found = known[entry.title] = slugify(entry.title)
        return found or f"paper-{entry_hash(entry)}"

    return slug


def assign_ids(papers: Sequence[Sequence[Entry]], ledger: Ledger = Ledger(),
               normal: Sequence[Sequence[tuple[str, str]]] | None = None
               ) -> tuple[list[PaperIds], Ledger]:
    """`papers`: each paper's entries, earliest first, the papers themselves in the order
    they were first seen (`normal`: their keys, as `paper_keys` takes them). Returns ids
    in the same order, and the ledger with every id published now recorded."""
    slug_of = _slugs()
    keys = [paper_keys(entries, normal[k] if normal is not None else None)
            for k, entries in enumerate(papers)]
    key_owner: dict[str, int] = {}
    for k, paper_key_list in enumerate(keys):
        for key in paper_key_list:
            key_owner.setdefault(key, k)
    # each recorded id -> the paper it names now (None: no dump has that paper any more)
    papers_recorded = [r for r in ledger.records if r.paper_id is not None]
    owner: dict[str, int | None] = {r.paper_id: key_owner.get(r.key) for r in papers_recorded}
    recorded_ids: dict[int, list[str]] = {}
    for r in papers_recorded:
        k = owner[r.paper_id]
        if k is not None and r.kind == "paper" and r.paper_id not in RESERVED_IDS:
            recorded_ids.setdefault(k, []).append(r.paper_id)
    taken: set[str] = set(RESERVED_IDS)

    def free(candidate: str, k: int) -> bool:
        return candidate not in taken and owner.get(candidate, k) == k

    ids: list[str] = []
    for k, entries in enumerate(papers):
        first = entries[0]
        natural = slug_of(first)
        mine = sorted(recorded_ids.get(k, ()))
        if mine:  # published before: keep that id (the natural one when it is among them)
            candidate = natural if natural in mine else mine[0]
        else:
            candidate = natural
            extra = 0
            while not free(candidate, k):
                extra += 1
                candidate = f"{natural}-{entry_hash(first)}" + ("" if extra == 1
                                                               else f"-{extra - 1}")
        ids.append(candidate)
        taken.add(candidate)
    claimants: dict[str, set[int]] = {}
    for k, entries in enumerate(papers):
        for e in entries:
            claimants.setdefault(slug_of(e), set()).add(k)
    owned_aliases: dict[int, list[str]] = {}
    for rid, k in owner.items():
        if k is not None and rid not in RESERVED_IDS:
            owned_aliases.setdefault(k, []).append(rid)
    result = []
    for k, entries in enumerate(papers):
        aliases = [a for a in owned_aliases.get(k, ()) if a != ids[k]]
        taken.update(aliases)
        for e in entries:
            slug = slug_of(e)
            wanted = [slug]
            if len(claimants.get(slug, ())) > 1:
                wanted.append(f"{slug}-{entry_hash(e)}")
            if e.arxiv_id:
                wanted.append(e.arxiv_id)
            for alias in wanted:
                if free(alias, k):
                    taken.add(alias)
                    aliases.append(alias)
        result.append(PaperIds(ids[k], tuple(sorted(aliases))))
    new = []
    for k, (entries, found) in enumerate(zip(papers, result, strict=True)):
        key = keys[k][0]  # its arXiv id when known, else its earliest entry's hash
        title = entries[0].title[:TITLE_IN_LEDGER]
        new.append(Record(f"papers/{found.id}/", "paper", key, title))
        new.extend(Record(f"papers/{a}/", "alias", key, title) for a in found.aliases)
    return result, ledger.add(new)
