"""Years of real Daily Papers days: the 142 real days of 2024 replayed over a calendar.

    python -m benchmarks.real_years --years 2 --out DIR [--start 2025-01-01] [--real DIR]

writes `DIR/dumps/YYYY-MM-DD_api.json`, one Daily Papers API answer for every weekday of
`--years` years from `--start` (the first weekday on or after it): weekday k replays real
day k mod 142, in order, so every day of the calendar is a real day's answer, as many
papers, authors, upvotes and JSON shapes (the schema drifts over the real year). From
code: `make_years(out_dir, years=2)` returns `out_dir/dumps`.

Each replayed answer is dated on its new day: its file name, and every timestamp of its
records (`publishedAt` of the record and of the paper, `paper.submittedOnDailyAt`) moved
by the same number of days, times of day kept. Each replayed paper gets a fresh arXiv id
of its new month (`YYMM.NNNNN`, numbered in order within the month; the thumbnail address
follows). The first pass over the real days keeps the real titles and abstracts; pass
p > 0 makes each paper a plausible follow-up, so that the deduplicator and the permalinks
see a different paper with its own title:

* a title `Name: subtitle` (a name of at most four words before the colon) renames the
  name (`ConvLLaVA-2: ...`, `ConvLLaVA++: ...`, ...) here and in the abstract;
* another title gets a plain ending (`... Revisited`, `... in Practice`, ...);
* the abstract's wording changes a little ("we propose" -> "we present", "significantly"
  -> "substantially", ...) and its decimal numbers move by a tenth per pass.

The papers of the corpus are the real ones times the passes, plus the days of the last,
partial pass: `--years 2` from 2025-01-01 is 522 weekdays, 7,273 papers. The same
arguments always give the same bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "real" / "api-2024"
DEFAULT_START = dt.date(2025, 1, 1)

# endings of a follow-up's name (`Name-2`), cycled over the passes
NAME_ENDINGS = ("-2", "++", "-XL", "-Lite", "-Pro", "-3", "-Mini", "-Plus")
# endings of a title that has no name to rename
TITLE_ENDINGS = (" Revisited", " in Practice", " at Scale", " Reconsidered", " in the Wild",
                 " Made Simple")
# small changes of wording in the abstract, one set per pass (cycled)
REWORDINGS = (
    (("we propose", "we present"), ("significantly", "substantially"),
     ("state-of-the-art", "leading")),
    (("we introduce", "we present"), ("demonstrate", "show"), ("novel", "new")),
    (("we present", "we introduce"), ("Experiments", "Evaluations"),
     ("remarkable", "notable")),
    (("outperforms", "surpasses"), ("achieves", "attains"), ("effectively", "efficiently")),
)
_NAME_TITLE = re.compile(r"^([^:]{1,60}?):\s*(.+)$", re.S)
_DECIMAL = re.compile(r"(?<![\w.])(\d+)\.(\d+)(?![\w.]|\.\d)")
_TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2})(T.*)$")


def weekdays(start: dt.date, years: int) -> list[dt.date]:
    """Every Monday to Friday from `start` (on or after it) for `years` years."""
    end = start.replace(year=start.year + years)
    days, day = [], start
    while day < end:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def real_days(folder: Path = REAL) -> list[tuple[dt.date, list[dict]]]:
    found = []
    for path in sorted(folder.glob("*_api.json")):
        found.append((dt.date.fromisoformat(path.name[:10]),
                      json.loads(path.read_text(encoding="utf-8"))))
    if not found:
        raise SystemExit(f"{folder}: no real days (*_api.json) found")
    return found


def _moved(stamp: object, shift: dt.timedelta) -> object:
    if not isinstance(stamp, str):
        return stamp
    m = _TIMESTAMP.match(stamp)
    if not m:
        return stamp
    return (dt.date.fromisoformat(m[1]) + shift).isoformat() + m[2]


def _is_name(text: str) -> bool:
    return 1 <= len(text.split()) <= 4


def follow_up_title(title: str, variant: int) -> tuple[str, tuple[str, str] | None]:
    """The title of pass `variant` (1, 2, ...) and the (old, new) name it renamed."""
    flat = " ".join(title.split())
    m = _NAME_TITLE.match(flat)
    lap, k = divmod(variant - 1, len(NAME_ENDINGS))
    if m and _is_name(m[1]):
        name = m[1]
        new = name + NAME_ENDINGS[k] + (str(lap + 1) if lap else "")
        return f"{new}: {m[2]}", (name, new)
    lap, k = divmod(variant - 1, len(TITLE_ENDINGS))
    return flat.rstrip(".") + TITLE_ENDINGS[k] + (f" ({lap + 1})" if lap else ""), None


def follow_up_abstract(abstract: str, variant: int, renamed: tuple[str, str] | None) -> str:
    text = abstract
    if renamed:
        old, new = renamed
        text = re.sub(rf"(?<![\w-]){re.escape(old)}(?![\w+])", new, text)
    for before, after in REWORDINGS[(variant - 1) % len(REWORDINGS)]:
        text = text.replace(before, after)
        text = text.replace(before.capitalize(), after.capitalize())

    def nudge(m: re.Match[str]) -> str:
        places = len(m[2])
        value = float(m.group()) + variant / 10
        return f"{value:.{places}f}"

    return _DECIMAL.sub(nudge, text)


class _Ids:
    """Fresh arXiv ids, numbered in order within each month."""

    def __init__(self) -> None:
        self.next: dict[str, int] = {}
        self.given: dict[tuple[int, str], str] = {}

    def of(self, variant: int, original: str, day: dt.date) -> str:
        key = (variant, original)
        if key not in self.given:
            month = day.strftime("%y%m")
            n = self.next.get(month, 1)
            self.next[month] = n + 1
            self.given[key] = f"{month}.{n:05d}"
        return self.given[key]


def replay(record: dict, variant: int, shift: dt.timedelta, new_id: str) -> dict:
    """One real record on its new day, as pass `variant` shows it."""
    out = json.loads(json.dumps(record))  # a deep copy
    paper = out.get("paper") if isinstance(out.get("paper"), dict) else {}
    old_id = paper.get("id")
    for holder in (out, paper):
        for key in ("publishedAt", "submittedOnDailyAt"):
            if key in holder:
                holder[key] = _moved(holder[key], shift)
    if isinstance(old_id, str):
        paper["id"] = new_id
        for key in ("thumbnail", "mediaUrl"):
            if isinstance(out.get(key), str):
                out[key] = out[key].replace(old_id, new_id)
    if variant:
        title = paper.get("title") or out.get("title") or ""
        new_title, renamed = follow_up_title(title, variant)
        for holder in (out, paper):
            if isinstance(holder.get("title"), str):
                holder["title"] = new_title
            if isinstance(holder.get("summary"), str):
                holder["summary"] = follow_up_abstract(holder["summary"], variant, renamed)
    return out


def answers(years: int, start: dt.date = DEFAULT_START, real: Path = REAL
            ) -> Iterator[tuple[dt.date, list[dict]]]:
    """(day, the API answer of that day) for every weekday of the calendar."""
    days = real_days(real)
    ids = _Ids()
    for k, day in enumerate(weekdays(start, years)):
        variant, position = divmod(k, len(days))
        original_day, records = days[position]
        shift = day - original_day
        yield day, [replay(r, variant, shift,
                           ids.of(variant, str((r.get("paper") or {}).get("id")), day))
                    for r in records]


def make_years(out_dir: Path, years: int = 2, start: dt.date = DEFAULT_START,
               real: Path = REAL, progress: bool = False) -> Path:
    """Write the corpus into `out_dir/dumps` (created; existing files of the same names
    are replaced) and return that folder."""
    dumps = out_dir / "dumps"
    dumps.mkdir(parents=True, exist_ok=True)
    total = len(weekdays(start, years))
    records = 0
    for k, (day, answer) in enumerate(answers(years, start, real), start=1):
        text = json.dumps(answer, ensure_ascii=False, indent=1) + "\n"
        (dumps / f"{day.isoformat()}_api.json").write_text(text, encoding="utf-8")
        records += len(answer)
        if progress and (k % 50 == 0 or k == total):
            print(f"  {k}/{total} days written ({records} records)", file=sys.stderr)
    return dumps


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--years", type=int, default=2, help="calendar years (default 2)")
    parser.add_argument("--out", type=Path, required=True, help="writes OUT/dumps/")
    parser.add_argument("--start", type=dt.date.fromisoformat, default=DEFAULT_START,
                        help=f"first day (default {DEFAULT_START})")
    parser.add_argument("--real", type=Path, default=REAL,
                        help="the real days (default: ../shared/real/api-2024 beside the "
                             "checkout)")
    args = parser.parse_args(argv)
    if args.years < 1:
        parser.error("--years must be at least 1")
    days = weekdays(args.start, args.years)
    print(f"replaying the real days over {len(days)} weekdays, {days[0]} to {days[-1]}",
          file=sys.stderr)
    dumps = make_years(args.out, args.years, args.start, args.real, progress=True)
    print(f"wrote {len(days)} dumps to {dumps}", file=sys.stderr)


if __name__ == "__main__":
    main()
