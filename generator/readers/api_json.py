"""JSON dumps: answers of the Daily Papers API and the other shapes seen in the wild.

* a list of `{paper: {...}, ...}` records (`/api/daily_papers?date=`, also `?week=` and
  `?month=`), or of bare paper objects (`/api/papers/{id}`), or a scraped list of
  `{title, arxiv_id | link | paper_url, abstract | summary | details.abstract}`;
* a single paper object;
* an object with a `dailyPapers` list (what the saved page embeds).

The date comes from the object's `date` or `dateString`, else from the days its records
were on Daily Papers (`dates.records_period`).
"""

from __future__ import annotations

import json

from ..model import ERROR, Entry, Problem
from .dates import ContentDate, day_of, parse_period, records_period
from .records import (
    daily_papers_entries,
    line_at,
    listed_day,
    record_to_entry,
    records_to_entries,
)


def _layout(entries_of: object) -> str:
    """'api' (daily records), 'papers' (bare paper objects) or 'scraped'."""
    first = next((r for r in entries_of if isinstance(r, dict)), {}) \
        if isinstance(entries_of, list) else entries_of
    if not isinstance(first, dict):
        return "api"
    if isinstance(first.get("paper"), dict):
        return "api"
    return "papers" if "summary" in first and "id" in first else "scraped"


def content_date(data: dict, days: list[str]) -> ContentDate | None:
    """The date of a page's data or an API object: the date it states, else the days of
    its records."""
    return stated_date(data) or records_date(days)


def stated_date(data: dict) -> ContentDate | None:
    """The date an object with a `dailyPapers` list states: its `date` timestamp (what
    saved pages carry), else its `dateString`."""
    day = day_of(data.get("date"))
    if day:
        return ContentDate(day, day)
    written = data.get("dateString")
    if isinstance(written, str) and parse_period(written[:10]) is not None:
        return ContentDate(written[:10], written[:10])
    return None


def records_date(days: list[str]) -> ContentDate | None:
    period = records_period(days)
    return ContentDate(period.label, period.label) if period else None


def _looks_like_a_paper(data: dict) -> bool:
    return isinstance(data.get("title"), str) and any(
        k in data for k in ("summary", "abstract", "id", "arxiv_id", "paper_url", "link"))


def parse_json(path: str, text: str):
    """Returns (layout, entries, problems, content date)."""
    stripped = len(text) - len(text.lstrip())
    try:
        data = json.loads(text)  # the whole file must be JSON (no trailing data)
        if isinstance(data, list):
            entries, problems, days = records_to_entries(path, text, stripped)
            return _layout(data), entries, problems, records_date(days)
        if isinstance(data, dict) and isinstance(data.get("dailyPapers"), list):
            entries, problems, days = daily_papers_entries(path, text, data)
            return "api", entries, problems, content_date(data, days)
        if isinstance(data, dict) and _looks_like_a_paper(data):
            entry, problem = record_to_entry(path, line_at(text, stripped), data)
            entries: list[Entry] = [entry] if entry is not None else []
            day = listed_day(data)
            return (_layout(data), entries, [problem] if problem else [],
                    records_date([day] if day else []))
        return "api", [], [Problem(path, 1, ERROR,
                                   "JSON is neither a list of Daily Papers records, a paper, "
                                   "nor an object with a 'dailyPapers' list")], None
    except json.JSONDecodeError as exc:
        return "api", [], [Problem(path, line_at(text, exc.pos), ERROR,
                                   f"malformed JSON: {exc.msg}: column {exc.colno}")], None
    except RecursionError:
        return "api", [], [Problem(path, 1, ERROR, "malformed JSON: nested too deeply")], None
