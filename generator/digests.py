"""Digests: what each day (or week, or month) of Daily Papers brought.

A digest is one period of Daily Papers with every dump saved of it (the API answer and a
saved page of the same day are one digest listing both sources), or one undated dump (the
seeds). It lists the papers first seen in it and those seen before. Its address is the
period (`digests/2024-05-27/`, `digests/2024-w22/`, `digests/2024-06/`) or the undated
dump's name; the address of each dated dump's own name (`digests/2024-05-27-api/`, what
earlier builds published) redirects to its digest. Addresses are kept in the permalink
ledger, so none is ever given to another digest.

Pure functions over the catalog; the render stage turns them into digest pages, the
archive, feeds and trend charts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .model import Dump, Ledger, Paper, Record

_SLUG = re.compile(r"[^a-z0-9]+")
# `digests/index.md` is the archive page itself, `digests/months/` its pages by month
RESERVED_SLUGS = frozenset({"index", "months"})
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def day_label(iso: str) -> str:
    """'2024-05-27' -> 'May 27, 2024'."""
    day = dt.date.fromisoformat(iso)
    return f"{MONTHS[day.month - 1][:3]} {day.day}, {day.year}"


def month_label(key: str) -> str:
    """'2024-05' -> 'May 2024'."""
    year, month = key.split("-")
    return f"{MONTHS[int(month) - 1]} {year}"


def period_label(period: str) -> str:
    """A day, ISO week or month as people write it: 'May 27, 2024', 'Week 22 of 2024',
    'June 2024'."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", period):
        return day_label(period)
    if m := re.fullmatch(r"(\d{4})-W(\d{2})", period):
        return f"Week {int(m[2])} of {m[1]}"
    if re.fullmatch(r"\d{4}-\d{2}", period):
        return month_label(period)
    return period


@dataclass(frozen=True)
class Digest:
    key: str  # "period:<label>" or "dump:<hash of the file name>" (the ledger's key)
    slug: str
    dumps: tuple[Dump, ...]  # its sources, in dump order
    new: tuple[str, ...]  # ids first seen in this digest, in the order the dumps list them
    seen_before: tuple[tuple[str, str], ...]  # (id, name of the dump it was first seen in)
    aliases: tuple[str, ...] = ()  # other slugs (its dumps' own) that redirect here
    number: int = 0  # its place among all digests, oldest first, from 1 (0: unknown)

    @property
    def dump(self) -> Dump:
        return self.dumps[0]

    @property
    def date(self) -> str | None:
        return self.dump.date

    @property
    def dated(self) -> bool:
        """Its year is known (a day, week or month)."""
        return self.dump.period is not None

    @property
    def label(self) -> str:
        """For people: 'May 27, 2024', 'Week 22 of 2024', 'June 2024'; for a dump without
        a year, the month and day it shows ('Mar 17'), else its place ('saved digest 5,
        undated')."""
        if self.dump.period:
            return period_label(self.dump.period)
        if self.dump.date_label:
            return self.dump.date_label
        return f"saved digest {self.number}, undated" if self.number else self.dump.name

    @property
    def heading(self) -> str:
        """The title of its page."""
        if self.dump.period or self.dump.date_label or not self.number:
            return f"Digest of {self.label}"
        return f"Saved digest {self.number}, undated"

    @property
    def iso(self) -> str | None:
        """The date for a `<time datetime>`: the day, week or month in ISO form."""
        return self.dump.period

    @property
    def month(self) -> str | None:
        """'2024-05': the month of its first day, when its year is known."""
        return self.dump.date[:7] if self.dated and self.dump.date else None

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


def digest_key(dump: Dump) -> str:
    if dump.period:
        return f"period:{dump.period}"
    return "dump:" + hashlib.sha256(dump.name.encode("utf-8")).hexdigest()[:16]


def build_digests(dumps: Sequence[Dump], papers: Sequence[Paper], ledger: Ledger = Ledger()
                  ) -> tuple[Digest, ...]:
    """One digest per period (or undated dump), in dump order (oldest first)."""
    groups: dict[str, list[Dump]] = {}
    for dump in dumps:
        groups.setdefault(digest_key(dump), []).append(dump)
    dump_rank = {d.name: k for k, d in enumerate(dumps)}
    in_group: dict[str, dict[str, tuple[int, int, Paper]]] = {key: {} for key in groups}
    key_of = {d.name: digest_key(d) for d in dumps}
    for paper in papers:
        for s in paper.sources:
            place = (dump_rank[s.dump], s.line, paper)
            found = in_group[key_of[s.dump]]
            if paper.id not in found or place[:2] < found[paper.id][:2]:
                found[paper.id] = place
    slugs = _slugs(groups, ledger)
    digests = []
    for key, members in groups.items():
        names = {d.name for d in members}
        listed = [p for _, _, p in sorted(in_group[key].values(),
                                          key=lambda t: (t[0], t[1], t[2].id))]
        slug, aliases = slugs[key]
        digests.append(Digest(
            key, slug, tuple(members),
            new=tuple(p.id for p in listed if p.first_seen in names),
            seen_before=tuple((p.id, p.first_seen) for p in listed
                              if p.first_seen not in names),
            aliases=aliases, number=len(digests) + 1))
    return tuple(digests)


def _slugs(groups: dict[str, list[Dump]], ledger: Ledger
           ) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Each digest's slug and aliases. Dated digests first: their slugs are their periods;
    an address recorded in the ledger only ever names what it named."""
    recorded = {r.path: r.key for r in ledger.records if r.kind == "digest"}
    taken: set[str] = set(RESERVED_SLUGS)

    def free(slug: str, key: str) -> bool:
        return slug not in taken and recorded.get(f"digests/{slug}/", key) == key

    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    order = sorted(groups, key=lambda k: (not k.startswith("period:"),
                                          list(groups).index(k)))
    for key in order:
        members = groups[key]
        mine = sorted(p.removeprefix("digests/").removesuffix("/")
                      for p, k in recorded.items() if k == key)
        slug = members[0].period.lower() if members[0].period else dump_slug(members[0].name)
        if not free(slug, key) and mine:
            slug = mine[0]
        while not free(slug, key):  # two file names that differ only in punctuation
            slug += "-x"
        taken.add(slug)
        aliases = []
        for candidate in [*mine, *(dump_slug(d.name) for d in members)]:
            if candidate != slug and free(candidate, key):
                taken.add(candidate)
                aliases.append(candidate)
        out[key] = (slug, tuple(sorted(aliases)))
    return out


def digest_records(digests: Sequence[Digest]) -> list[Record]:
    """The ledger's lines for every digest address (pages and redirects)."""
    return [Record(f"digests/{slug}/", "digest", d.key, d.label)
            for d in digests for slug in (d.slug, *d.aliases)]


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
