"""Saved HTML of a Daily Papers page.

The page carries its data as HTML-escaped JSON in the `data-props` attribute of
`div.SVELTE_HYDRATER[data-target="DailyPapers"]`. When that is missing (a page saved
after scripts rewrote it, or a partial save), the visible cards are read instead:
`article h3 a[href^="/papers/"]`, which have titles and arXiv ids but no abstracts.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..model import ERROR, WARNING, Entry, Problem
from ..textnorm import clean_text
from ..words import counted, plural
from .api_json import records_date, stated_date
from .dates import ContentDate, day_of
from .records import daily_papers_entries, normalize_arxiv_id

if TYPE_CHECKING:
    from bs4 import BeautifulSoup


def parse_html(path: str, text: str):
    """Returns (layout, entries, problems, content date)."""
    from bs4 import BeautifulSoup  # imported by the builds that parse a page (the memo
    # holds the pages read before)

    soup = BeautifulSoup(text, "html.parser")
    holder = None
    for div in soup.find_all("div", attrs={"data-target": "DailyPapers"}):
        if "SVELTE_HYDRATER" in (div.get("class") or []) and div.get("data-props"):
            holder = div
            break
    if holder is not None:
        layout, entries, problems, stated, days = _from_props(path, text, holder)
        # the date the page states, then the one it shows, then its records' days
        return layout, entries, problems, stated or _time_date(soup) or records_date(days)
    return _from_cards(path, soup)


def _time_date(soup: BeautifulSoup) -> ContentDate | None:
    """The page's visible `<time datetime=...>`."""
    time = soup.find("time", attrs={"datetime": True})
    day = day_of(time["datetime"]) if time is not None else None
    return ContentDate(day, day) if day else None


def _from_props(path: str, text: str, holder):
    line = holder.sourceline or 1
    props = holder["data-props"]
    # the attribute may start on a later line than the tag
    # (from the tag's own column: an earlier tag on its line may have a data-props too)
    tag_start = _offset_of_line(text, line) + (holder.sourcepos or 0)
    attr_at = text.find("data-props", tag_start)
    if attr_at >= 0:
        line += text.count("\n", tag_start, attr_at)
    try:
        data = json.loads(props)
    except json.JSONDecodeError as exc:
        return "data-props", [], [Problem(path, line + props.count("\n", 0, exc.pos), ERROR,
                                          f"malformed JSON in data-props: {exc.msg}: "
                                          f"character {exc.pos + 1} of the attribute")], None, []
    except RecursionError:
        return "data-props", [], [Problem(path, line, ERROR, "malformed JSON in data-props: "
                                          "nested too deeply")], None, []
    if not isinstance(data, dict) or not isinstance(data.get("dailyPapers"), list):
        return "data-props", [], [Problem(path, line, ERROR,
                                          "data-props has no 'dailyPapers' list")], None, []
    entries, problems, days = daily_papers_entries(path, props, data, base_line=line)
    return "data-props", entries, problems, stated_date(data), days


def _offset_of_line(text: str, line: int) -> int:
    offset = 0
    for _ in range(line - 1):
        offset = text.index("\n", offset) + 1
    return offset


def _from_cards(path: str, soup: BeautifulSoup):
    entries: list[Entry] = []
    problems: list[Problem] = []
    for article in soup.find_all("article"):
        link = article.select_one('h3 a[href^="/papers/"]')
        if link is None:
            continue
        line = article.sourceline or 1
        title = clean_text(link.get_text(" "))
        if not title:
            problems.append(Problem(path, line, WARNING, "paper card without a title; skipped",
                                    link.get("href"), lost_entry=True))
            continue
        arxiv = normalize_arxiv_id(link["href"].removeprefix("/papers/").split("?")[0])
        entries.append(Entry(path, line, title, "", arxiv_id=arxiv))
    if not entries:
        # cards without a title are still lost entries the report must count
        return "cards", [], [*problems, Problem(path, 1, ERROR,
                                                "HTML page without Daily Papers data (no "
                                                "data-props and no paper cards)")], None
    n = len(entries)
    problems.insert(0, Problem(path, entries[0].line, WARNING,
                               f"no data-props; read {counted(n, 'visible paper card')}, "
                               f"which {plural('has', n, 'have')} no {plural('abstract', n)}"))
    return "cards", entries, problems, _time_date(soup)
