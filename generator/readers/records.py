"""Daily Papers records (API objects and the HTML page's `data-props`) to entries."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from ..model import WARNING, Entry, Problem
from ..textnorm import clean_text
from .dates import day_of

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


_ARXIV_URL = re.compile(r"(?:arxiv\.org/(?:abs|pdf)|huggingface\.co/papers)/(\d{4}\.\d{4,5})")


def _first(*values: object) -> str:
    return next((text for v in values if (text := _text(v))), "")


def _arxiv_from(record: dict, paper: dict) -> str | None:
    for value in (paper.get("id"), record.get("arxiv_id"), record.get("arxivId")):
        found = normalize_arxiv_id(value)
        if found:
            return found
    for key in ("link", "paper_url", "url", "arxiv_url", "pdf_url"):
        value = record.get(key)
        m = _ARXIV_URL.search(value) if isinstance(value, str) else None
        if m:
            return m.group(1)
    return None


def _authors(listed: object) -> tuple[str, ...]:
    """`[{"name": ...}]` (the API) or `["name", ...]` (scraped lists)."""
    if not isinstance(listed, list):
        return ()
    names = (_text(a.get("name")) if isinstance(a, dict) else _text(a) for a in listed)
    return tuple(n for n in names if n)


MAX_KEYWORDS = 50  # more key phrases than a record has ever had; a hostile list stops here
MAX_KEYWORD_CHARS = 200


def _keywords(listed: object) -> tuple[str, ...]:
    """`paper.ai_keywords` of the API: a list of short phrases ("vision-language models"),
    cleaned, without repeats, at most MAX_KEYWORDS of at most MAX_KEYWORD_CHARS each."""
    if not isinstance(listed, list):
        return ()
    phrases = (_text(k) for k in listed[: 4 * MAX_KEYWORDS])
    kept = dict.fromkeys(p for p in phrases if p and len(p) <= MAX_KEYWORD_CHARS)
    return tuple(kept)[:MAX_KEYWORDS]


def record_to_entry(path: str, line: int, record: object
                    ) -> tuple[Entry | None, Problem | None]:
    """One record to an entry, with a problem to report (or the reason there is none).

    The shapes seen in the wild: `{paper: {id, title, summary, authors, ...}, title, ...}`
    (the daily API and the page's data), a bare paper object `{id, title, summary,
    authors, upvotes, publishedAt}` (`/api/papers/{id}`), and scraped lists keyed
    `title` with `arxiv_id`, `link` or `paper_url`, and `abstract`, `summary` or
    `details.abstract` (`details` may hold the authors and the publication date too).
    Later API answers add `paper.ai_keywords`, kept as the entry's `keywords`."""
    if not isinstance(record, dict):
        return None, Problem(path, line, WARNING, "record is not an object; skipped",
                             type(record).__name__, lost_entry=True)
    paper = record.get("paper")
    paper = paper if isinstance(paper, dict) else record
    details = record.get("details")
    details = details if isinstance(details, dict) else {}
    title = _first(paper.get("title"), record.get("title"))
    abstract = _first(paper.get("summary"), record.get("summary"), paper.get("abstract"),
                      record.get("abstract"), details.get("abstract"))
    if not title:
        return None, Problem(path, line, WARNING, "record has no title; skipped",
                             _short_json(record), lost_entry=True)
    upvotes = paper.get("upvotes")
    entry = Entry(path, line, title, abstract, arxiv_id=_arxiv_from(record, paper),
                  authors=_authors(paper.get("authors") or record.get("authors")
                                   or details.get("authors")),
                  upvotes=upvotes if isinstance(upvotes, int) and not isinstance(upvotes, bool)
                  else None,
                  published=_first(paper.get("publishedAt"), record.get("publishedAt"),
                                   record.get("published"), details.get("publishedAt"),
                                   details.get("published")) or None,
                  keywords=_keywords(paper.get("ai_keywords") or record.get("ai_keywords")))
    if not abstract:
        return entry, Problem(path, line, WARNING, "record has no abstract; kept with its "
                              "title only", title)
    return entry, None


def listed_day(record: object) -> str | None:
    """The day a record was on Daily Papers: `paper.submittedOnDailyAt`, else the
    record's own `publishedAt` (the paper's is its arXiv date)."""
    if not isinstance(record, dict):
        return None
    paper = record.get("paper")
    if isinstance(paper, dict):
        return day_of(paper.get("submittedOnDailyAt")) or day_of(record.get("publishedAt"))
    return day_of(record.get("submittedOnDailyAt"))


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
                         ) -> tuple[list[Entry], list[Problem], list[str]]:
    """Entries of the top-level `dailyPapers` list of `data`, parsed from `text` (the
    same JSON), so each keeps the line its record starts on."""
    return records_to_entries(path, text, member_offset(text, "dailyPapers"), base_line)


def records_to_entries(path: str, text: str, start: int, base_line: int = 1
                       ) -> tuple[list[Entry], list[Problem], list[str]]:
    """Entries of the JSON array at `start` of `text`, their problems, and the days the
    records were on Daily Papers; a malformed array is an error the caller reports
    (ValueError propagates)."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    days: list[str] = []
    line, counted = base_line, 0  # lines are counted once, from one record to the next
    for offset, record in iter_array(text, start):
        line += text.count("\n", counted, offset)
        counted = offset
        entry, problem = record_to_entry(path, line, record)
        if entry is not None:
            entries.append(entry)
        if problem is not None:
            problems.append(problem)
        day = listed_day(record)
        if day:
            days.append(day)
    return entries, problems, days
