"""JSON answers of the Daily Papers API: a list of `{paper: {...}, ...}` objects.

An object with a `dailyPapers` list (what the HTML page embeds) is read too.
"""

from __future__ import annotations

import json
import re

from ..model import ERROR, Problem
from .records import daily_papers_entries, line_at, records_to_entries
from .text import ContentDate

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_json(path: str, text: str):
    """Returns (layout, entries, problems, content date)."""
    stripped = len(text) - len(text.lstrip())
    try:
        if text[stripped:stripped + 1] == "[":
            json.loads(text)  # the whole file must be JSON (no trailing data)
            entries, problems = records_to_entries(path, text, stripped)
            return "api", entries, problems, None
        data = json.loads(text)
        if not isinstance(data, dict) or not isinstance(data.get("dailyPapers"), list):
            return "api", [], [Problem(path, 1, ERROR,
                                       "JSON is neither a list of Daily Papers records nor an "
                                       "object with a 'dailyPapers' list")], None
        entries, problems = daily_papers_entries(path, text, data)
        date = data.get("dateString")  # the top-level one, like the list
        found = (ContentDate(date[:10], date[:10])
                 if isinstance(date, str) and _ISO_DAY.match(date) else None)
        return "api", entries, problems, found
    except json.JSONDecodeError as exc:
        return "api", [], [Problem(path, line_at(text, exc.pos), ERROR,
                                   f"malformed JSON: {exc.msg}: column {exc.colno}")], None
    except RecursionError:
        return "api", [], [Problem(path, 1, ERROR, "malformed JSON: nested too deeply")], None
