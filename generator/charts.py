"""The trends pages' charts, computed at build time, of a size that does not grow.

However many digests there are, the charts have at most a few dozen columns: one per
digest while they are few, else the digests summed by ISO week, month, quarter or year,
the finest of these that fits (`periods`). Undated digests (saves without a year) make
one column before the dated ones.

* `bars`: papers per period, new and seen before, stacked: an SVG of two paths drawn
  in a 1000 x 200 box stretched to the page's width, its axis labels and value lines
  in HTML (`templates/trends.md.j2`), so text keeps its size on a phone;
* `heatmap`: new papers per topic and period, as the numbers of a table whose cells are
  shaded in six steps, with a legend of the steps;
* `sizes`: papers per topic, bars as widths in a table.

Colours come from the theme's palettes (`index.css`); the charts follow light and dark.
No script is involved.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from .digests import MONTHS, Digest

BAR_PERIODS = 53  # columns of the papers-per-period chart (a year of weeks)
HEAT_CELLS = 900  # cells of the topic table: its columns are at most this over its rows
HEAT_PERIODS = 53
LEVELS = 5  # shades of a non-zero cell
PLOT_W, PLOT_H = 1000, 200
# the plot is about this wide on a desktop and on a phone; a label needs LABEL_PX
WIDE_PX, NARROW_PX, LABEL_PX = 640, 300, 64


@dataclass(frozen=True)
class Period:
    key: str  # "2024-05-27", "2024-W22", "2024-05", "2024-Q2", "2024" or "undated"
    label: str  # "May 27, 2024", "Week of May 27, 2024", "May 2024", ...
    short: str  # on the axis: "May 27", "May ’24", "Q2 ’24", "2024"
    digests: tuple[int, ...]  # positions of its digests in the digest list


@dataclass(frozen=True)
class Periods:
    unit: str  # "digest", "week", "month", "quarter" or "year"
    items: tuple[Period, ...]


def _bucket(day: dt.date, unit: str) -> tuple[str, dt.date]:
    """The key of the period holding `day` and the period's first day."""
    if unit == "week":
        monday = day - dt.timedelta(days=day.weekday())
        year, week, _ = monday.isocalendar()
        return f"{year:04d}-W{week:02d}", monday
    if unit == "month":
        return f"{day.year:04d}-{day.month:02d}", day.replace(day=1)
    if unit == "quarter":
        q = (day.month - 1) // 3
        return f"{day.year:04d}-Q{q + 1}", dt.date(day.year, 3 * q + 1, 1)
    return f"{day.year:04d}", dt.date(day.year, 1, 1)


def _next(first: dt.date, unit: str) -> dt.date:
    if unit == "week":
        return first + dt.timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[unit]
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _names(first: dt.date, unit: str) -> tuple[str, str]:
    month = MONTHS[first.month - 1]
    year = f"’{first.year % 100:02d}"
    if unit == "week":
        return (f"Week of {month[:3]} {first.day}, {first.year}",
                f"{month[:3]} {first.day}")
    if unit == "month":
        return f"{month} {first.year}", f"{month[:3]} {year}"
    if unit == "quarter":
        q = (first.month - 1) // 3 + 1
        return f"Q{q} {first.year}", f"Q{q} {year}"
    return str(first.year), str(first.year)


def periods(digests: Sequence[Digest], limit: int) -> Periods:
    """The columns of a chart over these digests (oldest first): one per digest when
    there are at most `limit`, else the finest unit of time giving at most `limit`
    periods, every period between the first and the last one included."""
    if len(digests) <= limit:
        return Periods("digest", tuple(
            Period(d.slug, d.label, _short(d), (k,)) for k, d in enumerate(digests)))
    undated = tuple(k for k, d in enumerate(digests) if not d.date)
    dated = [(k, dt.date.fromisoformat(d.date)) for k, d in enumerate(digests) if d.date]
    head = (Period("undated", "Saves without a year", "undated", undated),) if undated else ()
    for unit in ("week", "month", "quarter", "year"):
        if not dated:
            return Periods(unit, head)
        members: dict[str, list[int]] = {}
        for k, day in dated:
            members.setdefault(_bucket(day, unit)[0], []).append(k)
        first = _bucket(min(day for _, day in dated), unit)[1]
        last = _bucket(max(day for _, day in dated), unit)[1]
        items = []
        while first <= last:
            label, short = _names(first, unit)
            key = _bucket(first, unit)[0]
            items.append(Period(key, label, short, tuple(members.get(key, ()))))
            first = _next(first, unit)
        if len(head) + len(items) <= limit or unit == "year":
            return Periods(unit, head + tuple(items))
    raise AssertionError("unreachable")


def _short(digest: Digest) -> str:
    if digest.dated and digest.dump.period and len(digest.dump.period) == 10:
        day = dt.date.fromisoformat(digest.dump.period)
        return f"{MONTHS[day.month - 1][:3]} {day.day}"
    if digest.dated:
        return digest.label
    return digest.dump.date_label or f"save {digest.number}"


def sums(per_digest: Sequence[int], spans: Periods) -> list[int]:
    return [sum(per_digest[k] for k in p.digests) for p in spans.items]


# --- papers per period ----------------------------------------------------------------------

@dataclass(frozen=True)
class Tick:
    at: float  # percent of the plot's width (x) or height from the top (y)
    text: str
    narrow: bool = True  # shown on a phone too


@dataclass(frozen=True)
class Bars:
    new_path: str  # SVG path of the "new" segments (viewBox 0 0 PLOT_W PLOT_H)
    seen_path: str
    grid_path: str
    values: tuple[Tick, ...]  # value lines, from the top
    ticks: tuple[Tick, ...]  # period labels


def _nice_max(value: int) -> int:
    if value <= 5:
        return max(value, 1)
    step = 10 ** (len(str(value)) - 1)
    for m in (1, 2, 2.5, 5, 10):
        if value <= m * step:
            return int(m * step)
    return value


def _n(value: float) -> str:
    return f"{round(value, 2):g}"


def bars(labels: Sequence[str], new: Sequence[int], seen: Sequence[int]) -> Bars:
    """Stacked columns: papers a period brought first, and papers it showed again."""
    n = max(1, len(labels))
    top = _nice_max(max((a + b for a, b in zip(new, seen, strict=True)), default=1))
    slot = PLOT_W / n
    width = slot * 0.8 if n > 1 else min(slot, 120)
    new_parts, seen_parts = [], []
    for k in range(len(labels)):
        x = k * slot + (slot - width) / 2
        h_new = PLOT_H * new[k] / top
        h_seen = PLOT_H * seen[k] / top
        if h_new > 0:
            new_parts.append(f"M{_n(x)} {_n(PLOT_H - h_new)}h{_n(width)}V{PLOT_H}h{_n(-width)}Z")
        if h_seen > 0:
            y = PLOT_H - h_new - h_seen
            seen_parts.append(f"M{_n(x)} {_n(y)}h{_n(width)}v{_n(h_seen)}h{_n(-width)}Z")
    values, grid = [], []
    for k in range(5):
        v = top * k / 4
        if v != int(v):
            continue
        y = PLOT_H - PLOT_H * k / 4
        values.append(Tick(round(100 * y / PLOT_H, 2), str(int(v))))
        grid.append(f"M0 {_n(y)}H{PLOT_W}")
    every_wide = max(1, math.ceil(n * LABEL_PX / WIDE_PX))
    every_narrow = max(1, math.ceil(n * LABEL_PX / NARROW_PX))
    every_narrow = every_wide * math.ceil(every_narrow / every_wide)
    ticks = [Tick(round(100 * (k + 0.5) / n, 2), label, k % every_narrow == 0)
             for k, label in enumerate(labels) if k % every_wide == 0]
    return Bars("".join(new_parts), "".join(seen_parts), "".join(grid), tuple(values),
                tuple(ticks))


# --- new papers per topic and period -----------------------------------------------------------

@dataclass(frozen=True)
class Step:
    level: int  # 0 (none) to LEVELS
    low: int
    high: int

    @property
    def text(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}–{self.high}"


@dataclass(frozen=True)
class HeatRow:
    name: str
    url: str
    cells: tuple[tuple[int, int], ...]  # (value, level) per period
    total: int


@dataclass(frozen=True)
class Heatmap:
    rows: tuple[HeatRow, ...]
    steps: tuple[Step, ...]  # the legend: the steps that occur, none first


def steps_for(peak: int) -> tuple[Step, ...]:
    """Zero, then up to LEVELS ranges of equal width up to the peak."""
    out = [Step(0, 0, 0)]
    low = 1
    for level in range(1, LEVELS + 1):
        high = math.ceil(peak * level / LEVELS)
        if high >= low:
            out.append(Step(level, low, high))
            low = high + 1
    return tuple(out)


def heatmap(rows: Sequence[tuple[str, str, Sequence[int]]]) -> Heatmap:
    """Rows of (topic title, its page, values per period)."""
    peak = max((v for _, _, values in rows for v in values), default=0)
    steps = steps_for(peak)

    def level(value: int) -> int:
        return next(s.level for s in steps if s.low <= value <= s.high)

    return Heatmap(tuple(HeatRow(name, url, tuple((v, level(v)) for v in values), sum(values))
                         for name, url, values in rows), steps)


# --- topic sizes ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Size:
    name: str
    url: str
    value: int
    percent: float  # width of its bar in the table cell: the largest gets SIZE_BAR_MAX


SIZE_BAR_MAX = 70  # percent of the cell; the number sits before the bar


def sizes(rows: Sequence[tuple[str, str, int]]) -> tuple[Size, ...]:
    top = max((v for _, _, v in rows), default=0) or 1
    return tuple(Size(name, url, v, round(SIZE_BAR_MAX * v / top, 1))
                 for name, url, v in rows)
