"""The small frozen records every stage passes on.

Readers turn files into `Dump`s, `Entry`s and `Problem`s; the deduplicator turns
entries into `Paper`s; nothing here touches the disk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .textnorm import printable

ERROR = "error"
WARNING = "warning"
INFO = "info"


@dataclass(frozen=True)
class Problem:
    """Something wrong (or worth saying) about one place in one input file.

    `lost_entry` is true when the problem means an entry of a dump is *not* in the
    catalog; the accounting invariant counts those.
    """

    path: str
    line: int
    severity: str
    message: str
    value: str | None = None
    lost_entry: bool = False

    def format(self) -> str:
        """One line: `path:line: severity: message (got 'value')`. A path or message with a
        line break or control character (a hostile file name) is printed with escapes, so
        it can never start a new line that a CI runner reads as a command."""
        got = f" (got {_shorten(self.value)!r})" if self.value is not None else ""
        return printable(f"{self.path}:{self.line}: {self.severity}: {self.message}{got}")

    def annotation(self) -> str:
        """The same problem as a GitHub Actions workflow command; every field escaped as
        the runner expects (`%`, CR and LF everywhere, and `:` and `,` in properties)."""
        level = {"error": "error", "warning": "warning"}.get(self.severity, "notice")
        text = self.message + (f" (got {_shorten(self.value)!r})" if self.value is not None else "")
        return (f"::{level} file={_escape_property(printable(self.path))},line={self.line}::"
                f"{_escape_data(printable(text))}")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _shorten(value: str, limit: int = 80) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


@dataclass(frozen=True)
class Dump:
    """One input file, as far as the rest of the pipeline needs to know it."""

    name: str  # file name, relative to the dumps folder
    format: str  # "text", "html" or "json"
    layout: str  # "A" (no blank lines), "B" (blank-line separated), "data-props", "cards", "api"
    date: str | None  # ISO date (the first day of its period) when known with its year
    date_label: str | None  # what the dump itself says, e.g. "Mar 17"
    date_source: str  # "file name", "content" or "none"
    order_key: str  # dumps sort by this: undated ones first by name, then by date
    entry_count: int  # entries found (kept + lost)
    period: str | None = None  # "2024-05-27", "2024-W22" or "2024-06": its digest


@dataclass(frozen=True)
class Entry:
    """One paper as one dump shows it."""

    dump: str
    line: int  # 1-based line of the title (of the record start for HTML/JSON)
    title: str
    abstract: str
    arxiv_id: str | None = None
    authors: tuple[str, ...] = ()
    upvotes: int | None = None
    published: str | None = None
    keywords: tuple[str, ...] = ()  # the record's `ai_keywords`, when it has them

    @property
    def key(self) -> tuple[str, int]:
        return (self.dump, self.line)


@dataclass(frozen=True)
class ReadResult:
    dump: Dump
    entries: tuple[Entry, ...]
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class Source:
    dump: str
    line: int
    title: str
    match: str  # how this entry joined its paper: "first", "arxiv-id", "same-title", ...


@dataclass(frozen=True)
class Paper:
    id: str
    title: str
    abstract: str
    arxiv_id: str | None
    authors: tuple[str, ...]
    title_variants: tuple[str, ...]
    sources: tuple[Source, ...]
    first_seen: str
    last_seen: str
    aliases: tuple[str, ...] = ()  # other ids that redirect here
    upvotes: int | None = None  # the highest count any dump gave
    published: str | None = None  # publication date when a dump gave it
    topics: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    topic_matches: tuple[Any, ...] = ()  # topics.TopicMatch, why the paper is in each topic
    keywords: tuple[str, ...] = ()  # key phrases a dump gave (the API's `ai_keywords`)

    @property
    def url(self) -> str:
        return f"papers/{self.id}/"


@dataclass(frozen=True)
class Record:
    """One published address in the permalink ledger (see `ledger.py`)."""

    path: str  # site-relative, e.g. "papers/<id>/" or "digests/<slug>/"
    kind: str  # "paper", "alias" (a redirect to a paper) or "digest"
    key: str  # what it names: "arxiv:...", "entry:...", "period:...", "dump:..."
    title: str

    @property
    def paper_id(self) -> str | None:
        if self.kind in ("paper", "alias"):
            return self.path.removeprefix("papers/").removesuffix("/")
        return None


@dataclass(frozen=True)
class Ledger:
    records: tuple[Record, ...] = ()  # sorted by path, one per path

    def add(self, new: list[Record]) -> Ledger:
        """This ledger with the records of paths it does not hold yet (never a changed one)."""
        known = {r.path for r in self.records}
        fresh = {r.path: r for r in new if r.path not in known}
        if not fresh:
            return self
        return Ledger(tuple(sorted((*self.records, *fresh.values()), key=lambda r: r.path)))


@dataclass(frozen=True)
class Catalog:
    dumps: tuple[Dump, ...]
    papers: tuple[Paper, ...]
    problems: tuple[Problem, ...] = field(default=())
    ledger: Ledger = field(default_factory=Ledger)  # every id published, this build's included
    digests: tuple[Any, ...] = ()  # digests.Digest: the periods and undated dumps, oldest first

    @property
    def entry_count(self) -> int:
        return sum(len(p.sources) for p in self.papers)
