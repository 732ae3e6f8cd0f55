"""Daily Papers records (API objects and the HTML page's `data-props`) to entries."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from ..model import WARNING, Entry, Problem
from ..textnorm import clean_text

ARXIV_ID = re.compile(r"(\d{4}\.\d{4,5})(v\d+)?")
_DECODER = json.JSONDecoder()
_WS = " \t\r\n"


def normalize_arxiv_id(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    m = ARXIV_ID.fullmatch(value.strip())
    return m.group(1) if m else None


def iter_array(text: str, start: int) -> Iterator[tuple[int, Any]]:
    """Yield (offset, value) for each element of the JSON array starting at `start`.

    Raises ValueError (json.JSONDecodeError) on malformed input, with its position.
    """
    if text[start] != "[":
        raise json.JSONDecodeError("expected '['", text, start)
    i = start + 1
    first = True
    while True:
        while i < len(text) and text[i] in _WS:
            i += 1
        if i < len(text) and text[i] == "]":
            return
        if not first:
            if i >= len(text) or text[i] != ",":
                raise json.JSONDecodeError("expected ',' or ']'", text, i)
            i += 1
            while i < len(text) and text[i] in _WS:
                i += 1
        value, end = _DECODER.raw_decode(text, i)
        yield i, value
        i = end
        first = False


def line_at(text: str, offset: int, base_line: int = 1) -> int:
    return base_line + text.count("\n", 0, offset)


def record_to_entry(path: str, line: int, record: object) -> Entry | Problem:
    """One `{paper: {...}, title, summary, ...}` object to an entry, or the reason not."""
    if not isinstance(record, dict):
        return Problem(path, line, WARNING, "record is not an object; skipped",
                       type(record).__name__, lost_entry=True)
    paper = record.get("paper")
    paper = paper if isinstance(paper, dict) else {}
    title = _text(paper.get("title")) or _text(record.get("title"))
    abstract = _text(paper.get("summary")) or _text(record.get("summary"))
    if not title:
        return Problem(path, line, WARNING, "record has no title; skipped",
                       _short_json(record), lost_entry=True)
    listed = paper.get("authors")
    authors = tuple(
        name for a in (listed if isinstance(listed, list) else []) if isinstance(a, dict)
        and (name := _text(a.get("name"))))
    upvotes = paper.get("upvotes")
    published = _text(paper.get("publishedAt")) or _text(record.get("publishedAt"))
    return Entry(path, line, title, abstract,
                 arxiv_id=normalize_arxiv_id(paper.get("id")),
                 authors=authors,
                 upvotes=upvotes if isinstance(upvotes, int) and not isinstance(upvotes, bool)
                 else None,
                 published=published or None)


def _text(value: object) -> str:
    return clean_text(value) if isinstance(value, str) else ""


def _short_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)[:200]


def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i] in _WS:
        i += 1
    return i


def member_offset(text: str, key: str) -> int:
    """Where the value of the top-level `key` of the JSON object in `text` starts (the
    last one, which is what `json.loads` keeps), never a nested namesake. `text` is
    known to parse."""
    i = _skip_ws(text, 0) + 1  # past '{'
    found = -1
    while True:
        i = _skip_ws(text, i)
        if text[i] == "}":
            return found
        if text[i] == ",":
            i = _skip_ws(text, i + 1)
        name, i = _DECODER.raw_decode(text, i)
        i = _skip_ws(text, _skip_ws(text, i) + 1)  # past ':'
        if name == key:
            found = i
        _, i = _DECODER.raw_decode(text, i)


def daily_papers_entries(path: str, text: str, data: dict, base_line: int = 1
                         ) -> tuple[list[Entry], list[Problem]]:
    """Entries of the top-level `dailyPapers` list of `data`, parsed from `text` (the
    same JSON), so each keeps the line its record starts on."""
    return records_to_entries(path, text, member_offset(text, "dailyPapers"), base_line)


def records_to_entries(path: str, text: str, start: int, base_line: int = 1
                       ) -> tuple[list[Entry], list[Problem]]:
    """Entries of the JSON array at `start` of `text`; a malformed array is an error
    the caller reports (ValueError propagates)."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    line, counted = base_line, 0  # lines are counted once, from one record to the next
    for offset, record in iter_array(text, start):
        line += text.count("\n", counted, offset)
        counted = offset
        result = record_to_entry(path, line, record)
        (entries if isinstance(result, Entry) else problems).append(result)
    return entries, problems
