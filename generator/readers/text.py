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

import bisect
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from ..model import INFO, WARNING, Entry, Problem
from ..textnorm import TRUNCATION_MARKERS, clean_text
from ..words import counted, plural
from .dates import ContentDate
from .line_kind import abstract_probability, ends_a_sentence_or_cut

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
    """'An ...', '3D ...', 'τ-bench ...' (no English word goes on with a Greek letter), or a
    lower-case name with a capital or digit in its first word ('iTransformer: ...',
    'kMaX-DeepLab: ...'); not the rest of a word ('Subscribe|rs')."""
    first = rest.split(" ", 1)[0]
    return (rest[0].isupper() or rest[0].isdigit() or not rest[0].isascii()
            or (rest[0].islower() and any(c.isupper() or c.isdigit() for c in first[1:])))


# The alignment's costs are negative log-probabilities: a line read as a title costs
# -log P(title | its looks), as an abstract -log P(abstract | its looks) (`line_kind`), and
# an entry given up (a title without its abstract, an abstract without its title) costs
# LOST, as if one entry in twenty lost its other half. Looks may be all but sure that a
# line is a title, never more than 99:1 that a line shorter than an abstract's sure length
# is an abstract (9:1 when it neither ends a sentence nor marks a cut): so a short
# abstract between two titles is still paired (losing two entries costs more), and a long
# title between two abstracts, or after a title whose abstract is missing, is a title.
#
# A line under 20 words that neither ends a sentence nor marks a cut (no real abstract of
# 2024 does) is taken for an abstract at odds of at most 1:1000, unless a first reading
# by looks alone pairs such a line as an abstract: then the dump shows open-ended
# abstracts, and such a line is one at odds of at least 1:100. So two titles in a row
# whose abstracts are missing stay titles, and a dump whose abstracts are cut short
# without a mark is still paired by its alternation. `benchmarks/bench_text_align.py`
# measured these settings against others on dumps written from real papers.
LOST = -math.log(0.05)
_SURE_TITLE, _SURE_ABSTRACT, _UNENDED_ABSTRACT = 1e-6, 0.9999, 0.9
_OPEN_END, _OPEN_END_SHOWN = 0.001, 0.01
_OPEN_ENDS_PRIOR = 0.003  # a dump shows open-ended abstracts
_INF = float("inf")
# how the warnings that say a line was read against its looks begin
READ_AGAINST_LOOKS = ("this line looks like a", "this dump's abstracts look cut")
_MARKUP = re.compile(r"^(?:#{1,6} |\*\*|__|[-*+] |> |\||```|!\[|\d+\. )")


@dataclass(frozen=True)
class _Item:
    number: int
    text: str  # '' for a line over MAX_LINE_CHARS
    length: int  # its length, for the message about an over-long line
    gap: int = 0  # blank lines between the previous title or abstract line and this one


@dataclass(frozen=True)
class _Looks:
    p: float  # P(abstract) from the line's looks alone; 1.0 when surely an abstract
    ended: bool  # ends a sentence, marks a cut, or is surely an abstract
    short: bool  # fewer words than any real abstract of 2024 (under 20)

    @staticmethod
    def of(item: _Item) -> _Looks:
        if not item.text:  # a line over the limit: an abstract, never a title
            return _Looks(1.0, True, False)
        p = abstract_probability(item.text)
        return _Looks(p, p >= 1.0 or ends_a_sentence_or_cut(item.text),
                      item.text.count(" ") + 1 < 20)

    @property
    def open_end(self) -> bool:
        return self.short and not self.ended

    def costs(self, open_ends: bool) -> tuple[float, float]:
        """(as a title, as an abstract), in a dump that shows open-ended abstracts or not."""
        if self.p >= 1.0:
            return _INF, 0.0
        p = self.p
        if self.open_end:
            p = max(p, _OPEN_END_SHOWN) if open_ends else min(p, _OPEN_END)
        p = min(max(p, _SURE_TITLE), _SURE_ABSTRACT if self.ended else _UNENDED_ABSTRACT)
        return -math.log(1.0 - p), -math.log(p)


def _viterbi(costs: Sequence[tuple[float, float]], gaps: Sequence[int], gap_cost
             ) -> tuple[list[str], float]:
    """The least-cost labelling, over two states: no title open, or one (the line before).
    `gap_cost(gap, within)` is what the blank lines before a line cost when it is the
    abstract of the line before (within an entry) or starts a new entry."""
    free, open_ = 0.0, _INF  # best cost so far, ending without or with a pending title
    back: list[tuple[str, str]] = []  # per line: (label from free, label from open)
    for k, ((t, a), gap) in enumerate(zip(costs, gaps, strict=True)):
        # to "free": pair the pending title with this line, or lose this line as an abstract
        pair = open_ + a + gap_cost(gap, True)
        lose_a = free + LOST + a
        # to "open": open a title (after free), or lose the pending one and open this one
        between = gap_cost(gap, False) if k else 0.0  # the first line has no line before
        start, relose = free + t + between, open_ + LOST + t + between
        back.append(("A" if pair < lose_a else "LA", "T" if start <= relose else "TT"))
        free, open_ = min(pair, lose_a), min(start, relose)
    labels: list[str] = []
    state = "open" if open_ + LOST < free else "free"
    total = min(open_ + LOST, free)
    for k in range(len(costs) - 1, -1, -1):
        to_free, to_open = back[k]
        if state == "free":
            labels.append(to_free)
            state = "open" if to_free == "A" else "free"
        else:
            labels.append("T")
            state = "free" if to_open == "T" else "open"
    labels.reverse()
    return labels, total


def _gap_costs(gaps: Sequence[int], labels: Sequence[str]):
    """What blank lines say in this dump: how much likelier each gap (0, 1, 2, 3 or more
    blank lines) is inside entries or between them than anywhere, as a first labelling
    found them (add-one smoothed; a log-likelihood ratio, so a line given up costs nothing
    more). A dump that parts entries by blank-line groups makes the gap decisive; one with
    the same gaps everywhere (both layouts seen so far) makes it say nothing."""
    within, between = [1.0] * 4, [1.0] * 4
    for k, label in enumerate(labels):
        if k and label == "A":
            within[min(gaps[k], 3)] += 1
        elif k and label == "T":
            between[min(gaps[k], 3)] += 1
    tw, tb = sum(within), sum(between)

    def cost(gap: int, inside: bool) -> float:
        g = min(gap, 3)
        anywhere = (within[g] + between[g]) / (tw + tb)
        return -math.log((within[g] / tw if inside else between[g] / tb) / anywhere)
    return cost


def _no_gap_cost(gap: int, inside: bool) -> float:
    return 0.0


def _label_lines(lines: Sequence[_Item], looks: Sequence[_Looks]) -> tuple[list[str], bool]:
    """Read the dump both ways, as one whose abstracts all end a sentence or mark their cut
    and as one that shows open-ended abstracts (less likely at first: `_OPEN_ENDS_PRIOR`),
    and keep the reading that explains it at less cost."""
    gaps = [item.gap for item in lines]
    readings = []
    for open_ends, prior in ((False, 1.0 - _OPEN_ENDS_PRIOR), (True, _OPEN_ENDS_PRIOR)):
        costs = [x.costs(open_ends) for x in looks]
        labels, total = _viterbi(costs, gaps, _no_gap_cost)
        readings.append((total - math.log(prior), not open_ends, costs, labels))
        if not any(x.open_end for x in looks):
            break  # both readings are the same
    _, closed, costs, labels = min(readings, key=lambda r: r[:2])
    if labels.count("A") >= 4:
        labels, _ = _viterbi(costs, gaps, _gap_costs(gaps, labels))
    return labels, not closed


def align(items: Sequence[_Item], looks: Sequence[_Looks]) -> tuple[list[str], bool]:
    """Label every line 'T' (a title, its abstract next), 'A' (that abstract), 'LT' (a title
    without an abstract) or 'LA' (an abstract without a title): the labelling of the whole
    dump with the least cost. A first pass reads the lines' looks and alternation; a second
    adds what the dump's own blank lines say about where entries part.

    A line repeated on the next line is one line for the alignment: both copies are titles
    or both abstracts (a title is never its own abstract), and only the copy next to its
    partner is paired, the other reported. Also says whether the dump was read as one
    that shows open-ended abstracts."""
    groups: list[list[int]] = []
    for k, item in enumerate(items):
        if groups and item.text and item.text.casefold() == items[groups[-1][0]].text.casefold():
            groups[-1].append(k)
        else:
            groups.append([k])
    labels, open_ends = _label_lines([items[g[0]] for g in groups], [looks[g[0]] for g in groups])
    out = [""] * len(items)
    for group, label in zip(groups, labels, strict=True):
        for k in group:
            out[k] = label if label in ("LT", "LA") else ("L" + label)
        if label == "T":
            out[group[-1]] = "T"
        elif label == "A":
            out[group[0]] = "A"
    # a title not followed by its abstract is lost
    return ["LT" if label == "T" and (k + 1 == len(out) or out[k + 1] != "A")
            else label for k, label in enumerate(out)], open_ends


def parse_text(path: str, text: str, boilerplate: frozenset[str] = DEFAULT_BOILERPLATE
               ) -> TextParse:
    """Entries from the structure of the whole dump: chrome lines out, then every other
    line labelled title or abstract by `align`, which trusts alternation over any one
    line's looks (a short abstract is still an abstract)."""
    problems: list[Problem] = []
    chrome: list[tuple[int, str]] = []
    items: list[_Item] = []
    blanks: list[int] = []
    date: ContentDate | None = None
    gap = 0  # blank lines since the last title or abstract line

    def lose(line: int, message: str, value: str | None) -> None:
        problems.append(Problem(path, line, WARNING, message, value, lost_entry=True))

    for number, raw in enumerate(text.split("\n"), start=1):
        if len(raw) > MAX_LINE_CHARS:
            items.append(_Item(number, "", len(raw), gap))
            gap = 0
            continue
        line = clean_text(raw)
        if not line:
            blanks.append(number)
            gap += 1
            continue
        found = parse_date_line(line)
        if line in boilerplate or found:
            if found and date is None:
                date = found
            chrome.append((number, line))  # chrome never parts a title from its abstract
            continue
        items.append(_Item(number, line, len(line), gap))
        gap = 0
    # Where the entries start: after the first date line (layout B ends its chrome with
    # it), else at the title glued to the last chrome word (layout A), else at the top.
    first_date = next((n for n, line in chrome if parse_date_line(line)), None)
    glued = next((k for k, it in enumerate(items) if it.text
                  and _strip_glued(it.text, boilerplate) != it.text), None)
    if first_date is not None:
        start = next((k for k, it in enumerate(items) if it.number > first_date), len(items))
    else:
        start = glued if glued is not None else 0
    if glued is not None and glued >= start:  # the title without the chrome glued to it
        it = items[glued]
        items[glued] = replace(it, text=_strip_glued(it.text, boilerplate))
    head, body = items[:start], items[start:]
    seen: dict[str, _Looks] = {}  # the costly part: once a distinct line
    looks = [seen.get(item.text) or seen.setdefault(item.text, _Looks.of(item))
             if item.text else _Looks.of(item) for item in body]
    labels, open_ends = align(body, looks)
    cut_unmarked: list[int] = []  # lines of abstracts cut short without a mark
    entries: list[Entry] = []
    seen_entry = False
    header: list[tuple[int, str]] = []
    for it in head:  # before the entries: chrome, unless it is surely an abstract
        if not it.text:
            lose(it.number, f"line of {it.length} characters without a title before it; "
                 "skipped", None)
        elif abstract_probability(it.text) >= 0.9:
            lose(it.number, "abstract without a title; entry skipped", it.text)
        else:
            header.append((it.number, it.text))
    blank_inside = False
    k = 0
    while k < len(body):
        item, label = body[k], labels[k]
        if label == "T":
            abstract = body[k + 1]
            title = item.text
            seen_entry = True
            if not abstract.text:
                lose(item.number, f"abstract on line {abstract.number} is {abstract.length} "
                     f"characters, more than {MAX_LINE_CHARS}; entry skipped", title)
            else:
                entries.append(Entry(path, item.number, title, abstract.text))
                if looks[k].ended:  # no title ends a sentence, a cut or a link
                    problems.append(Problem(
                        path, item.number, WARNING, "this line looks like an abstract, but "
                        f"the dump's structure makes it the title of line {abstract.number}; "
                        "if it is an abstract, check the lines around it", title))
                if open_ends and looks[k + 1].open_end:
                    cut_unmarked.append(abstract.number)
                elif looks[k + 1].p < 0.5 or not looks[k + 1].ended:
                    problems.append(Problem(
                        path, abstract.number, WARNING, "this line looks like a title, but "
                        f"the dump's structure makes it the abstract of line {item.number}; "
                        "if it is a title, that entry and this one lost their abstracts",
                        abstract.text))
                blank_inside = blank_inside or bisect.bisect_left(blanks, item.number) \
                    != bisect.bisect_left(blanks, abstract.number)
            k += 2
            continue
        if label == "LA":
            if item.text:
                lose(item.number, "abstract without a title; entry skipped", item.text)
            else:
                lose(item.number, f"line of {item.length} characters without a title before "
                     "it; skipped", None)
        elif not seen_entry and not entries and start == 0 and first_date is None \
                and glued is None:
            header.append((item.number, item.text))  # no sign yet of where entries start
        else:
            last = k == len(body) - 1
            lose(item.number, "title without an abstract at the end of the file (truncated?); "
                 "entry skipped" if last and seen_entry else
                 "title without an abstract; entry skipped",
                 item.text)
        k += 1
    first_pair = next((body[k + 1].number for k, label in enumerate(labels) if label == "T"),
                      None)
    for number, line in chrome:
        if first_pair is not None and number > first_pair:
            problems.append(Problem(path, number, INFO, "page chrome skipped", line))
        else:
            header.append((number, line))
    header.sort()
    for number, line in header:
        if line not in boilerplate and parse_date_line(line) is None:
            problems.append(Problem(path, number, WARNING,
                                    "line before the first entry treated as page chrome", line))
    if cut_unmarked:
        problems.append(Problem(
            path, cut_unmarked[0], WARNING, "this dump's abstracts look cut: "
            f"{counted(len(cut_unmarked), 'abstract')} from this line on "
            f"{plural('has', len(cut_unmarked), 'have')} no final period or cut marker and "
            "fewer words than any real abstract; read as abstracts because they alternate "
            "with titles (was the page saved with its abstracts cut?)"))
    problems.sort(key=lambda p: p.line)
    return TextParse("B" if blank_inside else "A", tuple(entries), tuple(problems), date,
                     tuple(line for _, line in header))


def recognised(parsed: TextParse, text: str, boilerplate: frozenset[str]) -> bool:
    """Positive evidence that a text file is a save of the Daily Papers page: the page's
    chrome (a known chrome line before the entries, or the glued "Subscribe"), or, in a
    file without Markdown structure or an introduction, a date line or title and abstract
    lines that fit the whole file. A newsletter, a summary or a README has neither."""
    if any(line in DEFAULT_BOILERPLATE for line in parsed.header):
        return True
    lines = [line for raw in text.split("\n") if (line := clean_text(raw))]
    if not lines or not parsed.entries:
        return False
    if _strip_glued(lines[0], boilerplate) != lines[0] or lines[0] in boilerplate:
        return True
    if any(_MARKUP.match(line) for line in lines):
        return False
    if any(line not in boilerplate and parse_date_line(line) is None for line in parsed.header):
        return False  # an introduction ("Here is a summary of today's papers:")
    return parsed.date is not None or 2 * len(parsed.entries) >= 0.9 * len(lines)
