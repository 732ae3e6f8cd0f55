"""When a dump was on Daily Papers: a day, an ISO week or a month.

From the file name first (`2024-05-27_api.json`, `2024-W22_api.json`, `2024-06_api.json`),
else from the content: for API answers, the days its records were on Daily Papers; for saved
pages, the date the page carries. Daily answers are mostly one day, with a few records
submitted the evening before; weekly (`?week=`) and monthly (`?month=`) answers spread over
their period.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

# arXiv began in 1991; a year past 2099 is a typo (and before 1000 breaks the mkdocs step)
EARLIEST_DATE, LATEST_DATE = "1991-01-01", "2099-12-31"

_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_WEEK = re.compile(r"(\d{4})-W(\d{2})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_IN_NAME = re.compile(r"(?<![\dA-Za-z])(\d{4}-(?:\d{2}-\d{2}|W\d{2}|\d{2}))(?![\dA-Za-z-])"
                      r"|(?<!\d)(\d{4}-\d{2}-\d{2})(?!\d)")
# how long before a period's first page its records may have been submitted
SUBMITTED_BEFORE = dt.timedelta(days=2)


@dataclass(frozen=True)
class ContentDate:
    """What a dump's own content says about its date."""

    label: str  # as the dump shows it, e.g. "Mar 17"
    period: str | None  # a day, week or month (`Period.label`) when the year is known


@dataclass(frozen=True)
class Period:
    label: str  # "2024-05-27", "2024-W22" or "2024-06"
    kind: str  # "day", "week" or "month"
    first: dt.date
    last: dt.date

    @property
    def in_range(self) -> bool:
        return self.first.isoformat() >= EARLIEST_DATE and self.last.isoformat() <= LATEST_DATE


def parse_period(text: str) -> Period | None:
    """A day, ISO week or month written as it is in file names; None if it is none (or no
    real date: `2024-02-30`, `2024-W54`)."""
    try:
        if m := _DAY.fullmatch(text):
            day = dt.date(int(m[1]), int(m[2]), int(m[3]))
            return Period(text, "day", day, day)
        if m := _WEEK.fullmatch(text):
            monday = dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)
            return Period(text, "week", monday, monday + dt.timedelta(days=6))
        if m := _MONTH.fullmatch(text):
            first = dt.date(int(m[1]), int(m[2]), 1)
            following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
            return Period(text, "month", first, following - dt.timedelta(days=1))
    except (ValueError, OverflowError):  # a week or month that runs past 9999
        return None
    return None


def period_from_name(name: str) -> Period | None:
    """The first day, week or month a file name gives (`2024-05-27_api.json`)."""
    for m in _IN_NAME.finditer(name):
        found = parse_period(m.group(1) or m.group(2))
        if found is not None:
            return found
    return None


def day_of(timestamp: object) -> str | None:
    """'2024-05-27T03:50:58.348Z' -> '2024-05-27' (None unless it starts with a real day)."""
    if not isinstance(timestamp, str) or len(timestamp) < 10:
        return None
    found = parse_period(timestamp[:10])
    return found.label if found is not None and found.kind == "day" else None


def records_period(days: Sequence[str]) -> Period | None:
    """The period of an API answer from the days its records were on Daily Papers.

    A daily answer: the latest day that holds at least a quarter of the records (an
    answer holds a few records submitted the evening before; on the 142 real days of
    2024 this gives the day of the answer every time, the most common day 140 times).
    An answer spread wider (no day with a quarter of the records, or three days with a
    tenth each) is the ISO week of its latest day when that week holds them all, else
    that day's month when it does, else it has no period. Records of the two days before
    a period count for it: they were submitted the evening or the weekend before its
    first page (the answer of Monday 2024-12-09 holds records of Sunday the 8th)."""
    if not days:
        return None
    counts = Counter(days)
    busy = [d for d, n in counts.items() if n >= len(days) / 10]
    main = [d for d, n in counts.items() if n >= len(days) / 4]
    if main and len(busy) < 3:
        return parse_period(max(main))
    earliest, latest = dt.date.fromisoformat(min(days)), dt.date.fromisoformat(max(days))
    year, week, _ = latest.isocalendar()
    for label in (f"{year:04d}-W{week:02d}", f"{latest.year:04d}-{latest.month:02d}"):
        period = parse_period(label)
        if period is not None and period.first - earliest <= SUBMITTED_BEFORE:
            return period
    return None
