"""Chart geometry for the trends page, computed at build time.

The shapes are drawn by `templates/trends.md.j2` as inline SVG: colours come from the
theme's CSS variables (`index.css`), so the charts follow the light and dark palettes,
and each chart has a text alternative and a data table. No script is involved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 720
BAR_AREA = 200
MARGIN_LEFT = 40
MARGIN_BOTTOM = 40
LABEL_EVERY_MIN_PX = 48


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str
    kind: str = "new"  # css class suffix


@dataclass(frozen=True)
class Tick:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]  # axis labels
    grid: tuple[Tick, ...]  # horizontal value lines: y and the value


def short(label: str, limit: int = 44) -> str:
    """Axis labels are cut; the full text is in each shape's tooltip and the table."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _nice_max(value: int) -> int:
    if value <= 5:
        return max(value, 1)
    step = 10 ** (len(str(value)) - 1)
    for m in (1, 2, 2.5, 5, 10):
        if value <= m * step:
            return int(m * step)
    return value


def _grid(top: int, height: int) -> tuple[Tick, ...]:
    lines = []
    for k in range(0, 5):
        v = top * k / 4
        if v != int(v):
            continue
        y = height - MARGIN_BOTTOM - BAR_AREA * k / 4
        lines.append(Tick(MARGIN_LEFT, round(y, 1), str(int(v))))
    return tuple(lines)


def per_digest(labels: Sequence[str], new: Sequence[int], seen: Sequence[int]) -> Chart:
    """Stacked bars: papers each digest brought first, and papers it showed again."""
    n = max(1, len(labels))
    height = BAR_AREA + MARGIN_BOTTOM + 10
    top = _nice_max(max((a + b for a, b in zip(new, seen, strict=True)), default=1))
    slot = (WIDTH - MARGIN_LEFT) / n
    width = max(1.0, slot * 0.8)
    bars, ticks = [], []
    every = max(1, round(LABEL_EVERY_MIN_PX / slot + 0.5))
    base = height - MARGIN_BOTTOM
    for k, label in enumerate(labels):
        x = MARGIN_LEFT + k * slot + (slot - width) / 2
        h_new = BAR_AREA * new[k] / top
        h_seen = BAR_AREA * seen[k] / top
        bars.append(Bar(round(x, 1), round(base - h_new, 1), round(width, 1), round(h_new, 1),
                        new[k], label, "new"))
        bars.append(Bar(round(x, 1), round(base - h_new - h_seen, 1), round(width, 1),
                        round(h_seen, 1), seen[k], label, "seen"))
        if k % every == 0 or k == n - 1:
            ticks.append(Tick(round(x + width / 2, 1), base + 16, short(label, 24)))
    return Chart(WIDTH, height, tuple(bars), tuple(ticks), _grid(top, height))


def horizontal(labels: Sequence[str], values: Sequence[int]) -> Chart:
    """One bar per label, longest first as given."""
    row = 22
    label_width = 300
    height = row * max(1, len(labels)) + 10
    top = _nice_max(max(values, default=1))
    bars, ticks = [], []
    for k, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 5 + k * row
        w = (WIDTH - label_width - 50) * value / top
        bars.append(Bar(label_width, y + 3, round(w, 1), row - 6, value, label, "size"))
        ticks.append(Tick(label_width - 8, y + row / 2 + 4, short(label)))
    return Chart(WIDTH, height, tuple(bars), tuple(ticks), ())


@dataclass(frozen=True)
class Cell:
    x: float
    y: float
    width: float
    height: float
    value: int
    opacity: float
    row: str
    column: str


@dataclass(frozen=True)
class Heatmap:
    width: int
    height: int
    cells: tuple[Cell, ...]
    rows: tuple[Tick, ...]
    columns: tuple[Tick, ...]


def heatmap(rows: Sequence[str], columns: Sequence[str], values: Sequence[Sequence[int]]
            ) -> Heatmap:
    """Rows (topics) by columns (digests); the cell's shade is its share of the maximum."""
    label_width = 300
    row_h = 20
    n = max(1, len(columns))
    cell_w = (WIDTH - label_width) / n
    height = row_h * max(1, len(rows)) + 30
    peak = max((v for r in values for v in r), default=0) or 1
    cells, row_ticks, col_ticks = [], [], []
    every = max(1, round(LABEL_EVERY_MIN_PX / cell_w + 0.5))
    for i, name in enumerate(rows):
        y = i * row_h
        row_ticks.append(Tick(label_width - 8, y + row_h / 2 + 4, short(name)))
        for k, column in enumerate(columns):
            v = values[i][k]
            cells.append(Cell(round(label_width + k * cell_w, 1), y, round(cell_w, 1),
                              row_h - 2, v, round(0.08 + 0.92 * v / peak, 3) if v else 0.0,
                              name, column))
    for k, column in enumerate(columns):
        if k % every == 0 or k == n - 1:
            col_ticks.append(Tick(round(label_width + (k + 0.5) * cell_w, 1),
                                  row_h * len(rows) + 16, short(column, 16)))
    return Heatmap(WIDTH, height, tuple(cells), tuple(row_ticks), tuple(col_ticks))
