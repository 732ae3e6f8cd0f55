"""Plain-text saves of the Daily Papers page.

Both layouts seen in the wild are one sequence of title and abstract lines after
some page chrome:

* layout A: no blank lines, the last header word glued to the first title
  ("SubscribeAn Evolved Universal Transformer Memory");
* layout B: blank-line separated, with header lines ("new", "Daily Papers", ...)
  and a "Mon DD" date line.

The reader does not hard-code either file. It classifies each line as title-like or
abstract-like, pairs a title with the abstract that follows it, and treats what
comes before the first pair as the header. Header lines of every dump read in the
same run are learned as boilerplate (`learn_boilerplate`), which is how a glued
prefix is recognised and how a page-chrome line inside a dump is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..model import INFO, WARNING, Entry, Problem
from ..textnorm import TRUNCATION_MARKERS, clean_text
from .dates import ContentDate

# What we have seen on saved pages; `learn_boilerplate` adds whatever other dumps'
# headers hold, so a new piece of page chrome needs no code change.
DEFAULT_BOILERPLATE = frozenset({
    "new", "Daily Papers", "Subscribe", "byAK and the research community",
    "Get trending papers in your email inbox!",
    "Get trending papers in your email inbox once a day!",
})  # fmt: skip

MAX_LINE_CHARS = 1_000_000
MAX_TITLE_CHARS = 1_000
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DATE_LINE = re.compile(
    r"^(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s+"
    r"(?P<day>\d{1,2})(?:,?\s+(?P<year>\d{4}))?$", re.IGNORECASE)
_ISO_DATE_LINE = re.compile(r"^(?P<year>\d{4})-(?P<mon>\d{2})-(?P<day>\d{2})$")


@dataclass(frozen=True)
class TextParse:
    layout: str
    entries: tuple[Entry, ...]
    problems: tuple[Problem, ...]
    date: ContentDate | None
    header: tuple[str, ...]


def parse_date_line(line: str) -> ContentDate | None:
    m = _ISO_DATE_LINE.match(line)
    if m:
        return ContentDate(line, line)
    m = _DATE_LINE.match(line)
    if not m:
        return None
    month = MONTHS.index(m.group("mon")[:3].lower()) + 1
    day = int(m.group("day"))
    if not 1 <= day <= 31:
        return None
    year = m.group("year")
    return ContentDate(line, f"{year}-{month:02d}-{day:02d}" if year else None)


def is_abstract_like(line: str) -> bool:
    """Abstracts are long, or end a sentence after many words; titles are neither."""
    if len(line) >= 300:
        return True
    words = line.count(" ") + 1
    if line.endswith(TRUNCATION_MARKERS) and words >= 8:
        return True
    if line.endswith(".") and words >= 12:
        return True
    return words >= 45


def header_lines(raw_lines: Iterable[str]) -> list[str]:
    """The lines before the first title+abstract pair (cheap pre-scan for learning)."""
    seen: list[str] = []
    for raw in raw_lines:
        line = clean_text(raw)
        if not line:
            continue
        if len(line) > MAX_TITLE_CHARS or is_abstract_like(line):
            return seen[:-1]
        seen.append(line)
        if len(seen) > 50:
            return []
    return []


def learn_boilerplate(headers: Iterable[Iterable[str]]) -> frozenset[str]:
    """The default page chrome plus every header line that recurs in two or more dumps."""
    counts: dict[str, int] = {}
    for header in headers:
        for line in set(header):
            if parse_date_line(line) is None:
                counts[line] = counts.get(line, 0) + 1
    return DEFAULT_BOILERPLATE | {line for line, n in counts.items() if n >= 2}


def _strip_glued(title: str, boilerplate: frozenset[str]) -> str:
    """'SubscribeAn Evolved ...' -> 'An Evolved ...' when 'Subscribe' is page chrome."""
    for phrase in sorted(boilerplate, key=len, reverse=True):
        if (len(title) > len(phrase) + 1 and title.startswith(phrase)
                and phrase[-1].isalpha() and phrase[-1].islower()
                and _starts_a_title(title[len(phrase):])):
            return title[len(phrase):]
    return title


def _starts_a_title(rest: str) -> bool:
    """'An ...', '3D ...', or a lower-case name with a capital or digit in its first word
    ('iTransformer: ...', 'kMaX-DeepLab: ...'); not the rest of a word ('Subscribe|rs')."""
    first = rest.split(" ", 1)[0]
    return (rest[0].isupper() or rest[0].isdigit()
            or (rest[0].islower() and any(c.isupper() or c.isdigit() for c in first[1:])))


def parse_text(path: str, text: str, boilerplate: frozenset[str] = DEFAULT_BOILERPLATE
               ) -> TextParse:
    entries: list[Entry] = []
    problems: list[Problem] = []
    header: list[tuple[int, str]] = []
    date: ContentDate | None = None
    pending: tuple[int, str] | None = None  # (line number, title)
    blank_inside = False
    blank_since_title = False

    def lose(line: int, message: str, value: str | None) -> None:
        problems.append(Problem(path, line, WARNING, message, value, lost_entry=True))

    for number, raw in enumerate(text.split("\n"), start=1):
        if len(raw) > MAX_LINE_CHARS:
            if pending:
                lose(pending[0], f"abstract on line {number} is {len(raw)} characters, "
                     f"more than {MAX_LINE_CHARS}; entry skipped", pending[1])
                pending = None
            else:
                lose(number, f"line of {len(raw)} characters without a title before it; "
                     "skipped", None)
            continue
        line = clean_text(raw)
        if not line:
            if pending:
                blank_since_title = True
            continue
        if line in boilerplate or parse_date_line(line):
            found = parse_date_line(line)
            if found and date is None:
                date = found
            # a chrome line does not part a title from its abstract (pending stays)
            if not entries:
                header.append((number, line))
            else:
                problems.append(Problem(path, number, INFO, "page chrome skipped", line))
            continue
        if is_abstract_like(line) or len(line) > MAX_TITLE_CHARS:
            if pending is None:
                lose(number, "abstract without a title; entry skipped", line)
                continue
            title_line, title = pending
            if not entries:
                title = _strip_glued(title, boilerplate)
            blank_inside = blank_inside or blank_since_title
            entries.append(Entry(path, title_line, title, line))
            pending = None
            continue
        # a title-like line
        if pending is not None:
            if entries:
                lose(pending[0], "title without an abstract; entry skipped", pending[1])
            else:
                header.append(pending)
        pending = (number, line)
        blank_since_title = False
    if pending is not None:
        if entries:
            lose(pending[0], "title without an abstract at the end of the file (truncated?); "
                 "entry skipped", pending[1])
        else:
            header.append(pending)
    # A first title whose abstract is missing ends up in the header. Layout B ends its
    # page chrome with the date line and layout A glues its last chrome word to the
    # first title, so header lines from there on are titles, not chrome.
    header.sort()
    titles_from = next((i + (parse_date_line(line) is not None)
                        for i, (_, line) in enumerate(header)
                        if parse_date_line(line) or _strip_glued(line, boilerplate) != line),
                       len(header))
    for i, (number, line) in enumerate(header):
        if line in boilerplate or parse_date_line(line) is not None:
            continue
        if i >= titles_from:
            lose(number, "title without an abstract; entry skipped",
                 _strip_glued(line, boilerplate))
        else:
            problems.append(Problem(path, number, WARNING,
                                    "line before the first entry treated as page chrome", line))
    return TextParse("B" if blank_inside else "A", tuple(entries), tuple(problems), date,
                     tuple(line for _, line in header))
